"""Every tutorial notebook runs clean, top to bottom (nbclient), in under a minute.

A notebook that needs optional packages names them in its metadata (``"attnwidget": {"needs":
[...]}``; notebook 07 trains a model with torch and transformers). Without them its run is
skipped, except when ``ATTNWIDGET_REQUIRE_TORCH=1`` (set by CI, .ci/run): then it fails.
``make test-lowest`` (no torch) deselects it, as it leaves out tests/test_capture.py.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import re
import time

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


# Seconds a notebook may take. 07 trains a small transformer on the CPU (about 30 s on a busy
# 2-core machine): the issue gives it 90 s.
LIMIT = {"07-a-real-transformer": 90}


def test_there_are_eight_tutorials():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06", "07", "08"]


def test_notebooks_name_the_optional_packages_they_import():
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        imported = set(re.findall(r"^(?:import|from) (torch|transformers)\b", code, re.MULTILINE))
        assert imported <= set(nb.metadata.get("attnwidget", {}).get("needs", [])), path.name


def _missing(nb) -> list[str]:
    needs = nb.metadata.get("attnwidget", {}).get("needs", [])
    return [name for name in needs if importlib.util.find_spec(name) is None]


def test_notebooks_are_committed_without_outputs():
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_clean(path, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    missing = _missing(nb)
    if missing and os.environ.get("ATTNWIDGET_REQUIRE_TORCH") == "1":
        pytest.fail(f"{path.name} needs {', '.join(missing)} (ATTNWIDGET_REQUIRE_TORCH=1)")
    if missing:
        pytest.skip(f"{path.name} needs {', '.join(missing)}: pip install 'attnwidget[torch]'")
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    limit = LIMIT.get(path.stem, 60)
    assert elapsed < limit, f"{path.name} took {elapsed:.0f} s (limit {limit} s)"
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", (path.name, out.get("ename"), out.get("evalue"))
            if out.output_type == "stream":
                assert out.name != "stderr" or "Warning" not in out.text, out.text
            # numbers read as numbers, not as numpy 2's "np.float64(0.08)"
            shown = out.get("text", "") + out.get("data", {}).get("text/plain", "")
            assert "np.float" not in shown and "np.int" not in shown, (path.name, shown)
            # a figure shows as a figure, not as "<Figure size 1100x380 with 5 Axes>"
            if "Figure size" in out.get("data", {}).get("text/plain", ""):
                assert "image/png" in out["data"], (path.name, out["data"]["text/plain"])
    widgets = [
        o
        for c in nb.cells
        for o in c.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert widgets, "each tutorial shows the widget"
    assert all("image/png" in o["data"] for o in widgets if "model_id" in str(o["data"]))


def test_nbconvert_html_without_widget_state_shows_the_png_fallback(tmp_path, monkeypatch):
    """The best offline nbconvert result: the widget's image/png, no CDN needed."""
    from nbconvert import HTMLExporter

    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("from attnwidget import AttentionWidget\nAttentionWidget()"),
        ]
    )
    NotebookClient(
        nb,
        timeout=60,
        kernel_name="python3",
        store_widget_state=False,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    html, _ = HTMLExporter().from_notebook_node(nb)
    assert '<img alt="No description has been provided for this image"' in html
    assert 'src="data:image/png;base64,' in html
    assert 'type="application/vnd.jupyter.widget-view+json">' not in html
