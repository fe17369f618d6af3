"""Command line: ``python -m attnwidget [table|demo|export]``."""

from __future__ import annotations

import argparse
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return _cmd_table(args)
    return int(args.func(args))
