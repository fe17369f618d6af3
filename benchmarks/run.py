"""attnwidget's benchmark suite: ``python benchmarks/run.py [--quick] [--only NAME ...]``.

Every figure is a ratio to a baseline measured in the same run on the same machine, so the
noise of absolute times cancels out. Writes ``benchmarks/results.json`` and prints a table;
``--quick`` runs every section on tiny sizes (the smoke run in ``make test``).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import engine_bench  # noqa: E402
import figures_bench  # noqa: E402
import keys_bench  # noqa: E402

SECTIONS: dict[str, Callable[[bool], list[dict[str, Any]]]] = {
    "engine_blas": engine_bench.blas_bound,
    "engine_tanh": engine_bench.tanh_bound,
    "wire": engine_bench.wire,
    "figures": figures_bench.figures,
    "key_wire": keys_bench.key_wire,
}

try:  # browser sections need Playwright and Chromium
    import browser_bench  # noqa: E402

    SECTIONS.update(browser_bench.SECTIONS)
except ImportError:  # pragma: no cover - reported in the results
    browser_bench = None


def machine() -> dict[str, Any]:
    import numpy as np

    model = ""
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "cpu": model or platform.processor(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
    }
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = [f"{i['internal_api']} {i.get('version')}" for i in threadpool_info()]
    except ImportError:
        pass
    return info


def fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def table(name: str, rows: list[dict[str, Any]]) -> str:
    if not rows:
        return f"## {name}\n(no rows)\n"
    cols = list(dict.fromkeys(k for r in rows for k in r))
    lines = [f"## {name}", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        lines.append("| " + " | ".join(fmt(r.get(c, "")) for c in cols) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument("--only", nargs="*", choices=sorted(SECTIONS), help="sections to run")
    parser.add_argument("--out", default=str(HERE / "results.json"), help="results file")
    args = parser.parse_args(argv)
    names = args.only or list(SECTIONS)
    results: dict[str, Any] = {"machine": machine(), "quick": args.quick, "sections": {}}
    for name in names:
        start = time.perf_counter()
        rows = SECTIONS[name](args.quick)
        results["sections"][name] = {"rows": rows, "seconds": time.perf_counter() - start}
        sys.stdout.write(table(name, rows) + "\n")
        sys.stdout.flush()
    pathlib.Path(args.out).write_text(json.dumps(results, indent=1, default=str) + "\n")
    sys.stdout.write(f"wrote {args.out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
