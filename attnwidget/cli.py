"""Command line: ``python -m attnwidget [table|demo|export]``.

``table`` (the default) prints the built-in example's weights under every score function;
``demo`` also writes it as an offline interactive page; ``export`` makes a page from arrays.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
from collections.abc import Sequence

import numpy as np

from .core.engine import SCORES, attention
from .core.examples import default_example


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
    from .widgets.attention import AttentionWidget

    out = _check_out(args.out)
    sys.stdout.write(weights_table())
    page = AttentionWidget().to_html(title="attnwidget: the cat sat on the mat")
    size = _write_page(out, page)
    _say(
        f"\nwrote {out.resolve()} ({size / 1024:.0f} KB): an offline, interactive page; "
        "open it in a browser\n"
    )
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from ._npz import read_npz
    from .widgets.attention import AttentionWidget

    if args.title is not None:
        _check_text(args.title, "--title")
    out = _check_out(args.out)
    src = args.arrays
    arrays = read_npz(src)
    try:
        w = AttentionWidget(
            arrays.queries,
            arrays.keys,
            arrays.values,
            score=args.score,
            temperature=args.temperature,
            query_tokens=arrays.query_tokens,
            key_tokens=arrays.key_tokens,
        )
    except ValueError as exc:
        raise CliError(f"{src}: {exc}") from None
    size = _write_page(out, w.to_html(title=args.title))
    _say(f"wrote {out.resolve()} ({size / 1024:.0f} KB)\n")
    return 0


class CliError(Exception):
    """A problem with the command line's input: printed without a traceback."""


def _check_text(value: str, option: str) -> None:
    """Refuse text that cannot be written as UTF-8 (argv bytes that were not UTF-8 arrive as
    lone surrogates, by Python's surrogateescape)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(value[exc.start])
        detail = (
            f"byte 0x{code - 0xDC00:02x} at position {exc.start} is not UTF-8"
            if 0xDC80 <= code <= 0xDCFF
            else f"lone surrogate U+{code:04X} at position {exc.start}"
        )
        raise CliError(f"{option} is not valid text ({detail}); pass it as UTF-8 text") from None


def _check_out(path: str) -> pathlib.Path:
    """The page to write, refused before any work when it cannot be written."""
    out = pathlib.Path(path)
    if out.is_dir():
        raise CliError(
            f"--out {path}: is a folder; name a file in it, e.g. "
            f"{os.path.join(path, 'attention.html')}"
        )
    folder = out.parent
    if not folder.exists():
        raise CliError(f"--out {path}: folder {folder} does not exist; create it first")
    if not folder.is_dir():
        raise CliError(f"--out {path}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise CliError(f"--out {path}: cannot write there (permission denied); choose another path")
    return out


def _write_page(out: pathlib.Path, page: str) -> int:
    """Write the page as UTF-8; returns its size in bytes."""
    data = page.encode("utf-8")
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise CliError(f"--out {out}: cannot write ({exc.strerror or exc})") from None
    return len(data)


def _say(text: str) -> None:
    """Write to stdout; characters it cannot encode (a path's undecodable bytes) escaped."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    sys.stdout.write(text.encode(encoding, "backslashreplace").decode(encoding))


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
            "key_tokens=[...]]). queries is (M, d_q), keys (N, d_k), values (N, d_v); "
            "tokens are 1-D arrays of str (bytes are decoded as UTF-8). Object arrays are "
            "refused, never unpickled. Errors are one line on stderr, exit status 2."
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
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success.

    Raises
    ------
    SystemExit
        With status 2 on any failure, after one line on stderr
        (``attnwidget: error: <what, and what to do>``); argparse's usage errors also exit 2.
        With ``ATTNWIDGET_TRACEBACK=1`` in the environment, unexpected errors propagate.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    command = _cmd_table if args.command is None else args.func
    try:
        return int(command(args))
    except CliError as exc:
        message = str(exc)
    except BrokenPipeError:
        _silence_stdout()
        message = "the output was closed before it was all written (broken pipe)"
    except (ValueError, OSError) as exc:
        message = str(exc) or type(exc).__name__
    except Exception as exc:
        if os.environ.get("ATTNWIDGET_TRACEBACK"):
            raise
        message = (
            f"unexpected {type(exc).__name__}: {exc} "
            "(rerun with ATTNWIDGET_TRACEBACK=1 to see where)"
        )
    parser.exit(2, f"attnwidget: error: {' '.join(message.split())}\n")
    return 2  # not reached: parser.exit raises SystemExit


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
