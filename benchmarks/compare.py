"""Compare two ``make bench`` runs: every ratio of one results file beside the other's.

    .venv/bin/python benchmarks/compare.py BEFORE.json AFTER.json [--section NAME ...]

Prints one Markdown table per section: the row's identifying fields (its non-numeric ones, and
the sizes), then each ratio field before -> after with after / before. Rows are matched by their
identifying fields; a row found in one run only is shown with a dash for the other.
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
from typing import Any

SIZES = ("M", "N", "d", "h", "M=N=d", "M=N")  # numeric fields that name a row, not measure it


def _identity(row: dict[str, Any]) -> tuple:
    return tuple(
        (k, v)
        for k, v in row.items()
        if k in SIZES or (isinstance(v, str) and k not in ("met", "cpu_met", "note"))
    )


def _ratio_fields(rows: list[dict[str, Any]]) -> list[str]:
    names: list[str] = []
    for row in rows:
        for k, v in row.items():
            if "ratio" in k and isinstance(v, (int, float)) and k not in names:
                names.append(k)
    return names


def _fmt(x: Any) -> str:
    if not isinstance(x, (int, float)) or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.3g}"


def compare(before: dict[str, Any], after: dict[str, Any], sections: list[str] | None) -> str:
    """The Markdown tables comparing the two runs' sections."""
    out = []
    names = sections or [s for s in after["sections"] if s in before["sections"]]
    for name in names:
        old = {_identity(r): r for r in before["sections"].get(name, {}).get("rows", [])}
        new = {_identity(r): r for r in after["sections"].get(name, {}).get("rows", [])}
        keys = list(old) + [k for k in new if k not in old]
        fields = _ratio_fields([*old.values(), *new.values()])
        if not keys or not fields:
            continue
        ids = [k for k, _ in keys[0]]
        out.append(f"### {name}\n")
        out.append("| " + " | ".join(ids + [f"{f} (before → after)" for f in fields]) + " |")
        out.append("|" + "---|" * (len(ids) + len(fields)))
        for key in keys:
            a, b = old.get(key, {}), new.get(key, {})
            cells = [str(v) for _, v in key]
            for f in fields:
                x, y = a.get(f), b.get(f)
                cells.append(f"{_fmt(x)} → {_fmt(y)}")
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=pathlib.Path)
    parser.add_argument("after", type=pathlib.Path)
    parser.add_argument("--section", nargs="*", help="only these sections")
    args = parser.parse_args(argv)
    before = json.loads(args.before.read_text())
    after = json.loads(args.after.read_text())
    print(compare(before, after, args.section))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
