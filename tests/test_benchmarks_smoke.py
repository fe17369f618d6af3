"""The benchmark suite runs (tiny sizes), so it cannot rot. No timing is asserted here.

The engine's sections and the browser's (which drive Chromium) run apart, so that the browser
ones carry the ``browser`` marker like every other test that needs Chromium.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import browser_bench  # noqa: E402
import run as bench_run  # noqa: E402

BROWSER_SECTIONS = list(browser_bench.SECTIONS)
ENGINE_SECTIONS = [s for s in bench_run.SECTIONS if s not in BROWSER_SECTIONS]


def smoke_run(tmp_path: pathlib.Path, sections: list[str]) -> None:
    out = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--out", str(out)]
        + ["--only", *sections],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(out.read_text())
    assert results["quick"] is True and results["machine"]["cores"]
    assert list(results["sections"]) == sections
    for name, section in results["sections"].items():
        assert section["rows"], name
        for row in section["rows"]:
            assert (
                any(k.startswith("ratio") or k.endswith("ratio") for k in row) or "value" in row
            ), (name, row)


def test_the_two_smoke_runs_cover_every_section():
    assert ENGINE_SECTIONS and BROWSER_SECTIONS
    assert set(ENGINE_SECTIONS) | set(BROWSER_SECTIONS) == set(bench_run.SECTIONS)


def test_engine_benchmarks_smoke_run(tmp_path):
    smoke_run(tmp_path, ENGINE_SECTIONS)


@pytest.mark.browser
def test_browser_benchmarks_smoke_run(tmp_path):
    smoke_run(tmp_path, BROWSER_SECTIONS)
