"""Published notebooks in a real browser, opened from disk with every request that is not
file:, data: or blob: aborted and counted: the nbconvert exporter's page, a Sphinx + myst-nb
site (attnwidget.sphinx), a MkDocs + mkdocs-jupyter site (the attnwidget plugin) and the
tutorial site `make docs` builds.

On each page the first AttentionWidget must be ready within a second of loading, a click on
the additive score and an arrow key on a query point must change its weights to what the Python
engine computes for the new state (within 1e-9; the inputs are read back from the state the
page embeds, the new query from the editor's exact data-value), with no console error and no
remote request attempted.
"""

from __future__ import annotations

import base64
import gzip
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from harness import (
    REPO_ROOT,
    engine_weights,
    expect,
    expect_numbers,
    open_offline,
    run_tool,
    write_notebook,
)
from playwright.sync_api import Page

from attnwidget.wire.codec import array_from_json

pytestmark = pytest.mark.browser

NOTEBOOK_CELLS = (
    "from attnwidget import AttentionWidget\nw = AttentionWidget()\nw",
    "print('between the widgets')",
    "import numpy as np\nheads = AttentionWidget.from_weights(np.full((2, 2, 3, 3), 1 / 3),"
    " ['a', 'b', 'c'])\nheads",
    "w2 = AttentionWidget(score='general')\nw2",
)
TUTORIALS = sorted(p.stem for p in (REPO_ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="session")
def exporter_page(tmp_path_factory, frontend_bundle) -> Path:
    """`jupyter nbconvert --to attnwidget --execute NB.ipynb` of NOTEBOOK_CELLS."""
    root = tmp_path_factory.mktemp("exporter")
    write_notebook(root, *NOTEBOOK_CELLS)
    run_tool(
        sys.executable,
        "-m",
        "jupyter",
        "nbconvert",
        "--to",
        "attnwidget",
        "--execute",
        "NB.ipynb",
        cwd=root,
    )
    return root / "NB.html"


@pytest.fixture(scope="session")
def sphinx_site(tmp_path_factory, frontend_bundle) -> Path:
    """A Sphinx project (default theme) with the extension; myst-nb executes NB.ipynb."""
    src = tmp_path_factory.mktemp("sphinx-src")
    (src / "conf.py").write_text(
        'extensions = ["myst_nb", "attnwidget.sphinx"]\nnb_execution_mode = "auto"\n'
        'exclude_patterns = ["_build"]\n'
    )
    (src / "index.md").write_text("# Site\n\n```{toctree}\nNB\ntext\n```\n")
    write_notebook(src, *NOTEBOOK_CELLS)
    cells = "".join(f"```{{code-cell}} ipython3\n{c}\n```\n\n" for c in NOTEBOOK_CELLS)
    (src / "text.md").write_text(  # a MyST-NB text notebook
        "---\nfile_format: mystnb\nkernelspec:\n  name: python3\n  display_name: Python 3\n"
        f"---\n\n# A text notebook\n\n{cells}"
    )
    out = src.parent / (src.name + "-html")
    run_tool(sys.executable, "-m", "sphinx", "-b", "html", "-q", str(src), str(out), cwd=src)
    return out


@pytest.fixture(scope="session")
def mkdocs_site(tmp_path_factory, frontend_bundle) -> Path:
    """A MkDocs site (material theme, no Google fonts): mkdocs-jupyter executes NB.ipynb, then
    the attnwidget plugin."""
    root = tmp_path_factory.mktemp("mkdocs")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Home\n")
    write_notebook(root / "docs", *NOTEBOOK_CELLS)
    (root / "mkdocs.yml").write_text(
        "site_name: t\ntheme:\n  name: material\n  font: false\n"
        "plugins:\n  - mkdocs-jupyter:\n      execute: true\n  - attnwidget\n"
    )
    run_tool(sys.executable, "-m", "mkdocs", "build", "-q", cwd=root)
    return root / "site"


@pytest.fixture(scope="session")
def docs_site(tmp_path_factory, frontend_bundle) -> Path:
    """`make docs`, written into a temp folder (DOCS_SRC, DOCS_OUT)."""
    tmp = tmp_path_factory.mktemp("docs")
    run_tool(
        "make",
        "--no-print-directory",
        "docs",
        f"DOCS_SRC={tmp / 'src'}",
        f"DOCS_OUT={tmp / 'site'}",
        cwd=REPO_ROOT,
        timeout=900,
    )
    return tmp / "site"


def open_page(tab: Page, path: Path) -> tuple[list[str], list[str]]:
    """Open ``path`` from disk, nothing remote; return (remote requests attempted, console
    errors), both filled as the page runs."""
    errors: list[str] = []
    tab.on("console", lambda m: m.type == "error" and errors.append(m.text))
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    return open_offline(tab, path), errors


def embedded_inputs(tab: Page, block_id: str) -> dict:
    """The engine's inputs from the state block the page embeds (as the loader decodes it)."""
    doc = json.loads(tab.evaluate("(id) => document.getElementById(id).textContent", block_id))
    state = doc["state"]
    for entry in doc["buffers"]:
        raw = base64.b64decode(entry["data"])
        if entry.get("encoding") == "gzip":
            raw = gzip.decompress(raw)
        obj = state
        for key in entry["path"][:-1]:
            obj = obj[key]
        obj[entry["path"][-1]] = raw
    V, mask = array_from_json(state["V"]), array_from_json(state["mask"])
    return {
        "Q": array_from_json(state["Q"]),
        "K": array_from_json(state["K"]),
        "V": V,
        "mask": mask,
        "temperature": state["temperature"],
        "param_sets": {
            s: {n: array_from_json(a) for n, a in p.items()} for s, p in state["param_sets"].items()
        },
    }


def check_live_widget(tab: Page, path: Path) -> None:
    """The first AttentionWidget of the page at ``path`` works offline (see the module)."""
    attempted, errors = open_page(tab, path)
    first = "() => [...document.querySelectorAll('.attnwidget-published')].find((m) =>"
    first += " m.querySelector('.attnwidget:not([data-kind=\"heads\"])'))?.dataset.attnwidgetState"
    block_id = tab.wait_for_function(first, timeout=1000).json_value()
    scope = f'[data-attnwidget-state="{block_id}"]'
    root = tab.locator(f"{scope} > .attnwidget")
    expect(root).to_have_attribute("data-state", "ready", timeout=1000)
    expect(root).to_have_attribute("data-mode", "static")
    weights, editor = f'{scope} table[data-view="weights"] td[data-value]', f"{scope} {EDITOR}"
    # (the Numbers tables start closed above 256 weights, e.g. tutorial 07's 33 x 33 head)
    tab.locator(f"{scope} details.aw-numbers > summary").evaluate(
        "(s) => { if (!s.parentElement.open) s.click(); }"
    )
    x = embedded_inputs(tab, block_id)
    m, d = x["Q"].shape

    tab.locator(f'{scope} button[data-score="additive"]').click()
    expect(root).to_have_attribute("data-state", "ready", timeout=1000)
    expect_numbers(tab, weights, engine_weights(x, x["Q"], "additive").ravel(), abs_tol=1e-9)

    # The last query moves: under a causal mask (tutorials 04, 07) it is the one that sees
    # every key, so its weights must change.
    last = m - 1
    tab.locator(f'{scope} [data-query-point="{last}"]').focus()
    tab.keyboard.press("ArrowRight")
    tab.wait_for_function(  # the editor shows the moved query
        """([sel, i, row]) => [...document.querySelectorAll(sel + `[data-query="${i}"]`)]
            .some((e) => Number(e.getAttribute('data-value')) !== row[Number(e.dataset.dim)])""",
        arg=[editor, last, x["Q"][last].tolist()],
        timeout=2000,
    )
    expect(root).to_have_attribute("data-state", "ready", timeout=1000)
    # The editor shows a window of rows around the selected (moved) query for a large Q.
    cells = tab.eval_on_selector_all(
        editor,
        "(es) => es.map((e) => [Number(e.dataset.query), Number(e.dataset.dim),"
        " Number(e.getAttribute('data-value') ?? e.value)])",
    )
    Q, shown = x["Q"].copy(), np.zeros((m, d), bool)
    for i, j, v in cells:
        Q[i, j], shown[i, j] = v, True
    assert shown[last].all(), "the editor shows every dimension of the moved query"
    np.testing.assert_array_equal(Q[:last], x["Q"][:last])
    moved = engine_weights(x, Q, "additive")
    assert not np.allclose(moved, engine_weights(x, x["Q"], "additive")), "the weights changed"
    expect_numbers(tab, weights, moved.ravel(), abs_tol=1e-9)
    assert attempted == []
    assert errors == []


EDITOR = "input[data-query][data-dim]"


def test_exporter_page_is_live_offline(tab, exporter_page):
    check_live_widget(tab, exporter_page)
    expect(tab.locator(".attnwidget-published > .attnwidget")).to_have_count(3)
    expect(tab.locator('.attnwidget[data-kind="heads"]')).to_have_count(1)
    assert tab.locator("text=between the widgets").count() >= 1
    assert tab.evaluate("document.querySelectorAll('#attnwidget-bundle').length") == 1


def test_sphinx_page_is_live_offline(tab, sphinx_site):
    check_live_widget(tab, sphinx_site / "NB.html")
    expect(tab.locator(".attnwidget-published > .attnwidget")).to_have_count(3)
    html = (sphinx_site / "NB.html").read_text(encoding="utf-8")
    assert "widget-state+json" not in html and "html-manager" not in html
    assert html.count('id="attnwidget-bundle"') == 1


def test_sphinx_text_notebook_is_live_offline(tab, sphinx_site):
    check_live_widget(tab, sphinx_site / "text.html")
    expect(tab.locator(".attnwidget-published > .attnwidget")).to_have_count(3)


def test_mkdocs_page_is_live_offline(tab, mkdocs_site):
    check_live_widget(tab, mkdocs_site / "NB" / "index.html")
    expect(tab.locator(".attnwidget-published > .attnwidget")).to_have_count(3)
    html = (mkdocs_site / "NB" / "index.html").read_text(encoding="utf-8")
    assert "widget-state+json" not in html and "html-manager" not in html
    assert html.count('id="attnwidget-bundle"') == 1


@pytest.mark.parametrize("name", TUTORIALS)
def test_docs_site_page_is_live_offline(tab, docs_site, name):
    check_live_widget(tab, docs_site / f"{name}.html")


def test_docs_site_links_every_tutorial(tab, docs_site):
    attempted, errors = open_page(tab, docs_site / "index.html")
    hrefs = tab.eval_on_selector_all("a[href]", "(els) => els.map((e) => e.getAttribute('href'))")
    for name in TUTORIALS:
        assert f"{name}.html" in hrefs, name
    tab.locator(f'a[href="{TUTORIALS[0]}.html"]').first.click()
    expect(tab.locator(".attnwidget").first).to_be_visible()
    nxt = tab.locator(f'a[href="{TUTORIALS[1]}.html"]').first  # the "next" link
    expect(nxt).to_be_attached()
    assert attempted == [] and errors == []


# Resolves once every heads widget has painted its heatmap and every thumbnail of its model
# view, and the page's size has then stayed the same for 5 frames.
PAINTED_AND_STILL = """() => new Promise((resolve, reject) => {
    let last = '', still = 0;
    const painted = () => [...document.querySelectorAll('.attnwidget[data-kind="heads"]')]
        .every((root) => {
            const c = root.querySelector('canvas[data-view="heatmap"]');
            const thumbs = [...root.querySelectorAll('.aw-model-view button canvas')];
            return c && c.width > 0 && thumbs.length > 0 && thumbs.every((t) => t.width > 0);
        });
    const late = setTimeout(() => reject(new Error('page not painted and still in 30 s')), 30000);
    const tick = () => {
        const el = document.documentElement;
        const size = `${el.scrollWidth}x${el.scrollHeight}`;
        still = painted() && size === last ? still + 1 : 0;
        last = size;
        if (still >= 5) { clearTimeout(late); resolve(size); } else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
})"""


@pytest.mark.parametrize("name", TUTORIALS)
def test_trimmed_css_renders_the_tutorials_as_the_whole_css(chromium, docs_site, tmp_path, name):
    """The exporter's page of each tutorial (as myst-nb executed it for `make docs`), with
    JupyterLab's CSS trimmed (the default) and whole: the same pixels, the whole page."""
    from attnwidget.publish.nbconvert import AttnwidgetExporter

    executed = docs_site.parent / "jupyter_execute" / f"{name}.ipynb"
    shots = []
    for trim in (True, False):
        page, _ = AttnwidgetExporter(trim_css=trim).from_filename(str(executed))
        path = tmp_path / f"{name}-{trim}.html"
        path.write_text(page, encoding="utf-8")
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        try:
            open_page(tab, path)
            # every widget mounted (the loader mounts them a painted frame apart) and ready
            tab.wait_for_function(
                """() => [...document.querySelectorAll('.attnwidget-published')].every((m) =>
                    m.querySelector('.attnwidget[data-state="ready"]'))""",
                timeout=30_000,
            )
            tab.evaluate("() => document.fonts.ready")
            tab.evaluate(PAINTED_AND_STILL)
            shots.append(tab.screenshot(full_page=True))
        finally:
            context.close()
    assert len(shots[0]) and shots[0] == shots[1]
