"""The benchmark suite runs (tiny sizes), so it cannot rot. No timing is asserted here."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_benchmark_suite_smoke_run(tmp_path):
    out = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(out.read_text())
    assert results["quick"] is True and results["machine"]["cores"]
    for name, section in results["sections"].items():
        assert section["rows"], name
        for row in section["rows"]:
            assert (
                any(k.startswith("ratio") or k.endswith("ratio") for k in row) or "value" in row
            ), (name, row)
