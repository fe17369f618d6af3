"""The stock ``jupyter nbconvert --to html --execute`` page (widget state stored, the default):
its widget manager, loaded from CDNs, builds the widget from the stored state with no kernel
behind it. The widget notices at once and runs on its JS engine, like a ``to_html`` page.

The CDN files are served from local copies (harness_cdn: html-manager and requirejs packed
from npm, anywidget's AMD module from the installed Python package); any other remote request
is aborted and recorded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import WIDGET_CODE
from harness import (
    NOTEBOOK,
    REPO_ROOT,
    WEIGHT_CELLS,
    expect_numbers,
    read_numbers,
    serve_offline,
    stock_html_routes,
    widget_root,
    write_notebook,
)
from playwright.sync_api import Page, expect

from attnwidget import AttentionWidget, attention

pytestmark = pytest.mark.browser

STATIC_STATUS = "static page \u00b7 JS engine"  # what a to_html page's status says
EDITOR = "input[data-query][data-dim]"
# Every text the status shows, from the first view on (a live view would say "computing…",
# then "waiting for the kernel…").
_WATCH_STATUS = """() => {
    window.__statuses = [];
    const seen = () => document.querySelectorAll('.aw-status').forEach(
        (s) => window.__statuses.push(s.textContent));
    new MutationObserver(seen).observe(document.documentElement,
        {subtree: true, childList: true, characterData: true});
}"""


def nbconvert_html(notebook: Path) -> Path:
    """``jupyter nbconvert --to html --execute NOTEBOOK``, as a tutorial author runs it (the
    kernel imports attnwidget from this checkout); the page's path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["MPLBACKEND"] = "Agg"
    env["JUPYTER_RUNTIME_DIR"] = str(notebook.parent / "runtime")
    done = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--execute", notebook.name],
        cwd=notebook.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return notebook.with_suffix(".html")


@pytest.fixture(scope="module")
def stock_page(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("stock-html")
    write_notebook(directory, WIDGET_CODE)
    page = nbconvert_html(directory / NOTEBOOK)
    html = page.read_text()
    assert "application/vnd.jupyter.widget-state+json" in html  # the state is stored
    assert "/@jupyter-widgets/html-manager@" in html  # and the manager comes from a CDN
    return page


def exact_q(page: Page, shape: tuple[int, int]) -> np.ndarray:
    """The page's Q, exactly (the editor's data-value attributes hold every digit)."""
    return np.array(read_numbers(page, EDITOR), dtype=float).reshape(shape)


def python_weights(w: AttentionWidget, Q: np.ndarray, score: str) -> np.ndarray:
    return attention(
        Q, w.K, w.V, score=score, params=w.param_sets[score], mask=w.mask, temperature=w.temperature
    ).weights


def test_stock_nbconvert_page_runs_on_the_js_engine_and_never_waits(tab, stock_page):
    w = AttentionWidget()  # the notebook's widget: the same built-in example
    errors: list[tuple[str, str]] = []
    tab.on(
        "console", lambda m: m.type == "error" and errors.append((m.text, m.location.get("url")))
    )
    tab.on("pageerror", lambda exc: errors.append((f"pageerror: {exc}", "")))
    traffic = serve_offline(tab, stock_html_routes())
    tab.add_init_script(f"document.addEventListener('DOMContentLoaded', {_WATCH_STATUS})")
    tab.goto(stock_page.as_uri())

    root = widget_root(tab)
    expect(root).to_have_attribute("data-mode", "static")
    status = root.locator(".aw-status")
    expect(status).to_have_text(STATIC_STATUS)
    expect(root).to_have_attribute("data-state", "ready")
    expect_numbers(tab, WEIGHT_CELLS, w.weights.ravel(), abs_tol=1e-9)  # the stored state

    tab.locator('button[data-score="additive"]').click()
    expect(root).to_have_attribute("data-state", "ready", timeout=1000)
    expect_numbers(tab, WEIGHT_CELLS, python_weights(w, w.Q, "additive").ravel(), abs_tol=1e-9)

    tab.locator('[data-query-point="0"]').focus()
    tab.keyboard.press("ArrowRight")
    expect(root).to_have_attribute("data-state", "ready", timeout=1000)
    Q = exact_q(tab, w.Q.shape)
    assert np.abs(Q[0] - w.Q[0]).max() > 1e-3, "the arrow key moved query 0"
    np.testing.assert_array_equal(Q[1:], w.Q[1:])
    expect_numbers(tab, WEIGHT_CELLS, python_weights(w, Q, "additive").ravel(), abs_tol=1e-9)

    tab.wait_for_timeout(2500)  # past the 2 s after which a live view says it waits
    expect(root).to_have_attribute("data-state", "ready", timeout=0)
    expect(status).to_have_text(STATIC_STATUS, timeout=0)
    statuses = set(tab.evaluate("window.__statuses"))
    assert statuses == {STATIC_STATUS}, statuses
    assert "waiting for the kernel" not in tab.locator("body").inner_text()

    # the manager and anywidget came from the local copies; the one request left is the
    # page template's MathJax (nbconvert's, not ours), blocked
    assert {p.name for p in traffic.served.values()} == {"require.js", "embed-amd.js", "index.js"}
    assert [u for u in traffic.blocked if "mathjax" not in u.lower()] == []
    # "Failed to load resource": the blocked MathJax, and html-manager's first try of
    # anywidget beside the page (it then asks the CDN); nothing else
    expected = {*traffic.blocked, stock_page.with_name("anywidget.js").as_uri()}
    unexpected = [
        (text, url)
        for text, url in errors
        if not (text.startswith("Failed to load resource") and url in expected)
    ]
    assert unexpected == []
