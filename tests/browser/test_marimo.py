"""marimo: ``mo.ui.anywidget(AttentionWidget())`` served live by ``marimo run`` (a click in the
page changes ``w.widget`` in the kernel and marimo re-runs the cell that reads it), and the
same app exported by ``marimo export html``: its page loads marimo's frontend from jsdelivr,
served here from the marimo wheel (harness_cdn), and the widget runs on its JS engine there.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from harness import (
    WEIGHT_CELLS,
    engine_weights,
    exact_q,
    expect_js_engine,
    expect_numbers,
    marimo_routes,
    run_tool,
    serve_offline,
    watch_statuses,
    widget_root,
)
from playwright.sync_api import Page, expect

from attnwidget import AttentionWidget

pytestmark = pytest.mark.browser

# A tutorial's marimo app: the widget, and a cell that depends on it. marimo re-runs every
# cell that refers to `w` when the widget's value changes in the page; the cell shows the
# kernel's widget (its score, Q and weights, every digit) as JSON.
APP = '''
import marimo

app = marimo.App()


@app.cell
def _():
    import json

    import marimo as mo

    from attnwidget import AttentionWidget
    return AttentionWidget, json, mo


@app.cell
def _(AttentionWidget, mo):
    w = mo.ui.anywidget(AttentionWidget())
    w
    return (w,)


@app.cell
def _(json, mo, w):
    mo.Html(
        '<pre data-testid="kernel-widget">'
        + json.dumps({"score": w.widget.score, "Q": w.widget.Q.tolist(),
                      "weights": w.widget.weights.tolist()})
        + "</pre>"
    )
    return


if __name__ == "__main__":
    app.run()
'''


@pytest.fixture
def app_file(tmp_path: Path) -> Path:
    path = tmp_path / "attention_app.py"
    path.write_text(APP)
    return path


def kernel_widget(page: Page) -> dict:
    """What the dependent cell shows: the kernel's ``w.widget`` (score, Q, weights)."""
    return json.loads(page.get_by_test_id("kernel-widget").inner_text())


def wait_for_cell(page: Page, condition: str) -> dict:
    """Wait until the dependent cell's JSON ``k`` satisfies the JS expression ``condition``."""
    page.wait_for_function(
        f"""() => {{
            const el = document.querySelector('[data-testid="kernel-widget"]');
            if (!el) return false;
            const k = JSON.parse(el.textContent);
            return {condition};
        }}""",
        timeout=15_000,
    )
    return kernel_widget(page)


def test_marimo_run_a_click_changes_the_kernel_widget_and_reruns_the_dependent_cell(
    tab, app_file, marimo_app
):
    w = AttentionWidget()  # the app's widget: the same built-in example
    server = marimo_app(app_file)
    attempted = serve_offline(tab, [])  # marimo serves its frontend itself: nothing remote
    tab.goto(server.url("/"))
    root = widget_root(tab)
    expect(root).to_have_attribute("data-mode", "live")  # a kernel: nothing changes
    first = wait_for_cell(tab, "k.score === 'scaled_dot'")
    np.testing.assert_allclose(first["weights"], w.weights, rtol=0, atol=1e-12)

    tab.locator('button[data-score="additive"]').click()
    k = wait_for_cell(tab, "k.score === 'additive'")  # the cell ran again, on the new state
    np.testing.assert_allclose(k["weights"], engine_weights(w, w.Q, "additive"), atol=1e-9)
    expect(root).to_have_attribute("data-state", "ready")
    expect_numbers(tab, WEIGHT_CELLS, np.ravel(k["weights"]), abs_tol=1e-9)

    tab.locator('[data-query-point="0"]').focus()
    tab.keyboard.press("ArrowRight")
    k = wait_for_cell(tab, f"k.Q[0].some((v, j) => v !== {json.dumps(w.Q[0].tolist())}[j])")
    expect(root).to_have_attribute("data-state", "ready")
    np.testing.assert_array_equal(k["Q"], exact_q(tab, w.Q.shape))  # the page's Q, exactly
    np.testing.assert_allclose(k["weights"], engine_weights(w, k["Q"], "additive"), atol=1e-9)
    assert attempted.blocked == []


def marimo_export_html(app_file: Path) -> Path:
    """``marimo export html APP_FILE -o APP.html`` (it runs the app); the page's path."""
    out = app_file.with_suffix(".html")
    xdg = ("XDG_CONFIG_HOME", "XDG_STATE_HOME")
    env = {name: str(app_file.parent / name.lower()) for name in xdg}
    run_tool(
        sys.executable, "-m", "marimo", "export", "html", app_file.name, "-o", out.name,
        cwd=app_file.parent,
        env={**env, "MARIMO_SKIP_UPDATE_CHECK": "1"},
        timeout=300,
    )  # fmt: skip
    return out


def test_marimo_export_html_offline_runs_on_the_js_engine_and_never_waits(tab, app_file):
    w = AttentionWidget()
    page_file = marimo_export_html(app_file)
    assert "cdn.jsdelivr.net/npm/@marimo-team/frontend@" in page_file.read_text()
    errors: list[str] = []
    tab.on("console", lambda m: m.type == "error" and errors.append(m.text))
    tab.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    traffic = serve_offline(tab, marimo_routes())
    watch_statuses(tab)
    tab.goto(page_file.as_uri())

    expect_js_engine(tab, w)
    # no cell re-runs on a static page: the dependent cell keeps the exported output, and
    # marimo was handed no update (it would say updates are not supported in static mode)
    assert kernel_widget(tab)["score"] == "scaled_dot"
    expect(tab.get_by_text("not supported in static mode")).to_have_count(0)
    assert traffic.blocked == []
    assert traffic.served  # marimo's frontend, from the wheel
    assert errors == []
