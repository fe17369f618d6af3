"""Publishing executed notebooks (attnwidget/publish): the shared transform, the nbconvert
exporter and the PNG fallback of hosts that run nothing (no browser here; the pages are run in
tests/browser/test_publish.py)."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from attnwidget.export import page_state
from attnwidget.publish import static_outputs
from attnwidget.publish.outputs import WIDGET_STATE, WIDGET_VIEW

ROOT = Path(__file__).resolve().parents[1]

CELLS = [
    "from attnwidget import AttentionWidget\nw = AttentionWidget(score='dot')\nw",
    "print('between the widgets')",
    "import numpy as np\nheads = AttentionWidget.from_weights(np.full((2, 2, 3, 3), 1 / 3),"
    " ['a', 'b', 'c'])\nheads",
    # shown, then its mask removed: nbclient keeps the mask's last buffer in the stored state
    "m = AttentionWidget(np.eye(3), np.eye(3), mask=np.tril(np.ones((3, 3), bool)))\nm",
    "m.mask = None",
    "import ipywidgets\nslider = ipywidgets.IntSlider(3)\nslider",
    "w",  # the same widget shown twice
]


def notebook(*cells: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    return nb


def execute(nb: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    os.environ.setdefault("MPLBACKEND", "Agg")
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    ).execute()  # store_widget_state is nbclient's default
    return nb


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> nbformat.NotebookNode:
    return execute(notebook(*CELLS), tmp_path_factory.mktemp("nb"))


def views(nb) -> list[tuple[int, dict]]:
    """(cell index, output data) of every output holding a widget view or one of ours."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data or "data-attnwidget-state" in data.get("text/html", ""):
                found.append((i, data))
    return found


def stored(nb) -> dict:
    return nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def model_ids(nb, cell: int) -> list[str]:
    return [d[WIDGET_VIEW]["model_id"] for i, d in views(nb) if i == cell]


def state_block(html: str, block_id: str) -> dict:
    m = re.search(rf'<script type="application/json" id="{block_id}">(.*?)</script>', html, re.S)
    assert m, block_id
    return json.loads(m.group(1))


def test_our_views_become_static_views_and_keep_their_png(executed):
    before = copy.deepcopy(executed)
    out = static_outputs(executed)
    assert executed == before  # the input is not changed
    assert out.replaced == 4  # w, heads, m, and w again; not the slider
    new = dict(views(out.notebook))
    old = dict(views(executed))
    for cell in (0, 2, 3, 6):
        assert WIDGET_VIEW not in new[cell]
        assert 'data-attnwidget-state="attnwidget-state-' in new[cell]["text/html"]
        assert new[cell]["image/png"] == old[cell]["image/png"]  # for renderers without JS
        assert new[cell]["text/plain"] == old[cell]["text/plain"]
    assert new[5] == old[5]  # the slider's view is untouched


def test_each_state_is_what_to_html_embeds_and_written_once(executed):
    from attnwidget import AttentionWidget

    out = static_outputs(executed)
    (w_id,) = model_ids(executed, 0)
    first, again = views(out.notebook)[0][1]["text/html"], views(out.notebook)[-1][1]["text/html"]
    doc = state_block(first, f"attnwidget-state-{w_id}")
    assert doc == page_state(AttentionWidget(score="dot"))  # the same bytes as a to_html page
    assert f'data-attnwidget-state="attnwidget-state-{w_id}"' in again
    assert "<script" not in again  # a second view of one model refers to the first's state
    (heads_id,) = model_ids(executed, 2)
    heads = state_block(views(out.notebook)[1][1]["text/html"], f"attnwidget-state-{heads_id}")
    assert heads["state"]["_kind"] == "heads" and heads["state"]["shape"] == [2, 2, 3, 3]


def test_a_stale_buffer_of_the_stored_state_is_ignored(executed):
    (m_id,) = model_ids(executed, 3)
    assert any(b["path"][0] == "mask" for b in stored(executed)[m_id]["buffers"])
    out = static_outputs(executed)
    doc = state_block(views(out.notebook)[2][1]["text/html"], f"attnwidget-state-{m_id}")
    assert doc["state"]["mask"] is None
    assert not any(b["path"][0] == "mask" for b in doc["buffers"])


def test_our_stored_state_goes_and_the_other_widgets_state_stays(executed):
    out = static_outputs(executed)
    ours = {mid for cell in (0, 2, 3) for mid in model_ids(executed, cell)}
    (slider,) = model_ids(executed, 5)
    before, after = stored(executed), stored(out.notebook)
    assert not ours & set(after)
    assert after[slider] == before[slider]
    # the slider's layout and style stay; the layouts only our widgets used are gone
    refs = set(re.findall(r"IPY_MODEL_(\w+)", json.dumps(before[slider]["state"])))
    assert refs and refs <= set(after)
    assert set(after) == {slider} | refs


def test_without_other_widgets_the_widget_metadata_goes_entirely(tmp_path):
    nb = execute(notebook(CELLS[0]), tmp_path)
    assert stored(nb)
    out = static_outputs(nb)
    assert out.replaced == 1 and "widgets" not in out.notebook.metadata


@pytest.mark.parametrize(
    "cells", [["print(1)", "1 + 1"], [CELLS[5]]], ids=["no widgets", "other widgets only"]
)
def test_a_notebook_without_our_widgets_comes_back_unchanged(tmp_path, cells):
    nb = execute(notebook(*cells), tmp_path)
    out = static_outputs(nb)
    assert out.replaced == 0 and out.notebook == nb


def nbconvert(*args: str, cwd: Path) -> None:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", *args],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


def test_the_exporter_writes_one_frontend_and_every_view(tmp_path, executed):
    nbformat.write(executed, tmp_path / "nb.ipynb")
    nbconvert("--to", "attnwidget", "nb.ipynb", cwd=tmp_path)
    page = (tmp_path / "nb.html").read_text(encoding="utf-8")
    assert page.count('id="attnwidget-bundle"') == 1
    assert page.count('<script type="module">') == 1  # the loader
    css = (ROOT / "attnwidget" / "static" / "widget.css").read_text(encoding="utf-8")
    assert page.count(css[:300]) == 1 and page.count("attnwidget-export-error {") == 1
    assert page.count('class="attnwidget-published"') == 4
    assert len(re.findall(r'id="attnwidget-state-\w+"', page)) == 3
    assert "between the widgets" in page  # every other output, as --to html gives it
    meta = re.search(r"<meta[^>]*Content-Security-Policy[^>]*>", page).group(0)
    csp = re.search(r'content="([^"]+)"', meta).group(1)
    assert "default-src 'none'" in csp and "unsafe-eval" not in csp and "http" not in csp
    # nothing from a CDN: no remote script, no MathJax, no require.js, no widget manager
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    for remote in ("mathjax", "require.js", "html-manager", "mermaid.esm"):
        assert remote not in page.lower(), remote
    # the slider's state stays (for whoever loads a widget manager), none of ours
    (slider,) = model_ids(executed, 5)
    block = rf'<script type="{re.escape(WIDGET_STATE)}">(.*?)</script>'
    state = re.search(block, page, re.S).group(1)
    assert set(json.loads(state)["state"]) == set(stored(static_outputs(executed).notebook))
    assert slider in json.loads(state)["state"]


def test_the_exporter_executes_with_widget_state_stored(tmp_path):
    nbformat.write(notebook(CELLS[0]), tmp_path / "nb.ipynb")
    nbconvert("--to", "attnwidget", "--execute", "nb.ipynb", cwd=tmp_path)
    page = (tmp_path / "nb.html").read_text(encoding="utf-8")
    assert page.count('class="attnwidget-published"') == 1
    assert page.count('id="attnwidget-bundle"') == 1
    assert WIDGET_STATE not in page  # no stored state left: no widget manager would start


def test_a_notebook_without_our_widgets_gets_no_frontend(tmp_path):
    nbformat.write(notebook("print('plain')"), tmp_path / "nb.ipynb")
    nbconvert("--to", "attnwidget", "--execute", "nb.ipynb", cwd=tmp_path)
    page = (tmp_path / "nb.html").read_text(encoding="utf-8")
    assert "plain" in page and "attnwidget-bundle" not in page


def test_markdown_export_shows_the_png_of_every_widget(tmp_path, executed):
    nbformat.write(executed, tmp_path / "nb.ipynb")
    nbconvert("--to", "markdown", "nb.ipynb", cwd=tmp_path)
    text = (tmp_path / "nb.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[png\]\((nb_files/[^)]+\.png)\)", text)
    assert len(images) == 4  # w, heads, m, w again
    for image in images:
        assert (tmp_path / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def stock_html(nb) -> str:
    from nbconvert import HTMLExporter

    return HTMLExporter().from_notebook_node(nb)[0]


def test_on_a_rendered_page_our_views_become_static_and_the_slider_keeps_its_manager(executed):
    from attnwidget.publish.pages import static_views_in_page

    page = stock_html(executed)
    assert page.count(f'<script type="{WIDGET_VIEW}">') == 5
    out, replaced = static_views_in_page(page)
    assert replaced == 4 and out.count(f'<script type="{WIDGET_VIEW}">') == 1  # the slider
    assert out.count('class="attnwidget-published"') == 4
    assert out.count('id="attnwidget-bundle"') == 1
    assert out.count('<script type="module">') == page.count('<script type="module">') + 1
    block = re.search(rf'<script type="{re.escape(WIDGET_STATE)}">(.*?)</script>', out, re.S)
    assert set(json.loads(block.group(1))["state"]) == set(
        stored(static_outputs(executed).notebook)
    )
    assert "html-manager" in out  # the slider still needs it


def test_on_a_rendered_page_without_other_widgets_no_manager_is_loaded(tmp_path):
    from attnwidget.publish.pages import static_views_in_page

    page = stock_html(execute(notebook(CELLS[0]), tmp_path))
    assert "html-manager" in page and WIDGET_STATE in page
    out, replaced = static_views_in_page(page)
    assert replaced == 1 and "html-manager" not in out and WIDGET_STATE not in out
    plain = stock_html(notebook("1"))
    assert static_views_in_page(plain) == (plain, 0)
