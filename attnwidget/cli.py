"""Command line: ``python -m attnwidget [table|demo|export]``.

``table`` (the default) prints the built-in example's weights under every score function;
``demo`` also writes it as an offline interactive page; ``export`` makes a page from arrays.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
from collections.abc import Sequence

import numpy as np

from .engine import SCORES, attention
from .examples import default_example


def weights_table(score_names: Sequence[str] = SCORES) -> str:
    """The built-in example's weights under each score function, as a text table.

    Parameters
    ----------
    score_names : sequence of str
        The score functions to show, in order.

    Returns
    -------
    str
        One block per query: a row per score function, a column per key token.
    """
    ex = default_example()
    width = max(7, *(len(t) for t in ex.key_tokens))
    name_w = max(len(s) for s in score_names)
    results = {s: attention(ex.queries, ex.keys, ex.values, score=s) for s in score_names}
    lines = [
        'Attention weights for "' + " ".join(ex.key_tokens) + '" (built-in example, d = '
        f"{ex.keys.shape[1]}, default parameters, temperature 1)",
        "",
    ]
    header = " " * name_w + "  " + " ".join(t.rjust(width) for t in ex.key_tokens)
    for i, qt in enumerate(ex.query_tokens):
        q = np.array2string(ex.queries[i], precision=2, separator=", ")
        lines += [f"query {qt!r} = {q}", header]
        for s in score_names:
            row = " ".join(f"{w:{width}.3f}" for w in results[s].weights[i])
            lines.append(f"{s:<{name_w}}  {row}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _cmd_table(args: argparse.Namespace) -> int:
    sys.stdout.write(weights_table())
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .widget import AttentionWidget

    sys.stdout.write(weights_table())
    out = pathlib.Path(args.out)
    AttentionWidget().to_html(out, title="attnwidget: the cat sat on the mat")
    size = out.stat().st_size
    sys.stdout.write(
        f"\nwrote {out.resolve()} ({size / 1024:.0f} KB): an offline, interactive page; "
        "open it in a browser\n"
    )
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from .widget import AttentionWidget

    src = pathlib.Path(args.arrays)
    if not src.is_file():
        raise CliError(f"arrays file not found: {src}")
    try:
        data = np.load(src, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise CliError(f"{src} is not a .npz file written by numpy.savez: {exc}") from None
    if not hasattr(data, "files"):
        raise CliError(f"{src} holds one array; write several with numpy.savez(queries=..., ...)")
    names = set(data.files)
    unknown = sorted(names - set(_NPZ_NAMES))
    if unknown:
        raise CliError(
            f"{src}: unexpected array(s) {', '.join(unknown)}; expected {', '.join(_NPZ_NAMES)}"
        )
    missing = [n for n in ("queries", "keys") if n not in names]
    if missing:
        raise CliError(f"{src}: missing array(s) {', '.join(missing)} (see --help)")
    kwargs: dict = {}
    for name in ("query_tokens", "key_tokens"):
        if name in names:
            tokens = data[name]
            if tokens.ndim != 1 or tokens.dtype.kind not in "US":
                raise CliError(f"{src}: {name} must be a 1-D array of strings")
            kwargs[name] = [str(t) for t in tokens]
    try:
        w = AttentionWidget(
            data["queries"],
            data["keys"],
            data["values"] if "values" in names else None,
            score=args.score,
            temperature=args.temperature,
            **kwargs,
        )
    except ValueError as exc:
        raise CliError(f"{src}: {exc}") from None
    out = pathlib.Path(args.out)
    w.to_html(out, title=args.title)
    sys.stdout.write(f"wrote {out.resolve()} ({out.stat().st_size / 1024:.0f} KB)\n")
    return 0


class CliError(Exception):
    """A problem with the command line's input: printed without a traceback."""


_NPZ_NAMES = ("queries", "keys", "values", "query_tokens", "key_tokens")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m attnwidget``."""
    parser = argparse.ArgumentParser(
        prog="python -m attnwidget",
        description="attnwidget: the attention mechanism you can touch.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p_table = sub.add_parser(
        "table", help="print the built-in example's weights under every score function"
    )
    p_table.set_defaults(func=_cmd_table)
    p_demo = sub.add_parser(
        "demo", help="print the table and write the built-in example as an offline HTML page"
    )
    p_demo.add_argument("--out", default="attention-demo.html", help="page to write")
    p_demo.set_defaults(func=_cmd_demo)
    p_export = sub.add_parser(
        "export",
        help="write an offline HTML page from arrays saved with numpy.savez",
        description=(
            "Write an offline, interactive HTML page from a .npz file made with "
            "numpy.savez(path, queries=Q, keys=K[, values=V, query_tokens=[...], "
            "key_tokens=[...]]). queries is (M, d_q), keys (N, d_k), values (N, d_v)."
        ),
    )
    p_export.add_argument("arrays", help=".npz file with queries, keys and optional values/tokens")
    p_export.add_argument("--out", required=True, help="page to write")
    p_export.add_argument(
        "--score",
        default="scaled_dot",
        choices=SCORES,
        help="score function shown first (default: scaled_dot)",
    )
    p_export.add_argument("--temperature", type=float, default=1.0, help="softmax temperature")
    p_export.add_argument("--title", default=None, help="page title")
    p_export.set_defaults(func=_cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return _cmd_table(args)
    try:
        return int(args.func(args))
    except CliError as exc:
        parser.exit(2, f"{parser.prog} {args.command}: error: {exc}\n")
    return 1
