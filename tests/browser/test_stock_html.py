"""The stock ``jupyter nbconvert --to html --execute`` page (widget state stored, the default):
its widget manager, loaded from CDNs, builds the widget from the stored state with no kernel
behind it. The widget notices at once and runs on its JS engine, like a ``to_html`` page.

The CDN files are served from local copies (harness_cdn: html-manager and requirejs packed
from npm, anywidget's AMD module from the installed Python package); any other remote request
is aborted and recorded.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import WIDGET_CODE
from harness import (
    NOTEBOOK,
    expect_js_engine,
    run_tool,
    serve_offline,
    stock_html_routes,
    watch_statuses,
    write_notebook,
)

from attnwidget import AttentionWidget

pytestmark = pytest.mark.browser


def nbconvert_html(notebook: Path) -> Path:
    """``jupyter nbconvert --to html --execute NOTEBOOK``, as a tutorial author runs it (the
    kernel imports attnwidget from this checkout); the page's path."""
    run_tool(
        sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--execute", notebook.name,
        cwd=notebook.parent,
        env={"JUPYTER_RUNTIME_DIR": str(notebook.parent / "runtime")},
        timeout=300,
    )  # fmt: skip
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


def test_stock_nbconvert_page_runs_on_the_js_engine_and_never_waits(tab, stock_page):
    w = AttentionWidget()  # the notebook's widget: the same built-in example
    errors: list[tuple[str, str]] = []
    tab.on(
        "console", lambda m: m.type == "error" and errors.append((m.text, m.location.get("url")))
    )
    tab.on("pageerror", lambda exc: errors.append((f"pageerror: {exc}", "")))
    traffic = serve_offline(tab, stock_html_routes())
    watch_statuses(tab)
    tab.goto(stock_page.as_uri())

    expect_js_engine(tab, w)

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
