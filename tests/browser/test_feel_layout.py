"""The widget's layout in JupyterLab (issue 14, items 4 and 6): in a narrow panel (570 px wide
with the file browser open or closed) nothing is cut and the plane is on screen with the
weights it changes; a big input (64 queries x 128 keys) fits in about a screen and a half, and
its steps show the keys that matter, with a way to see all."""

from __future__ import annotations

import pytest
from harness import (
    expect,
    expect_numbers,
    kernel_json,
    open_notebook,
    run_all,
    settled_state,
    widget_root,
    write_notebook,
)
from lab_feel import widths_and_themes

pytestmark = pytest.mark.browser

HEIGHT = 900  # a laptop's browser window, less its toolbars

# What of the widget is cut or hidden horizontally: the root's own overflow, any element that
# sticks out of the root (except inside a scroller or a clipping box in the widget, which are
# themselves checked), the root sticking out of the notebook's visible area, and each score
# button cut (ellipsis) or outside the root.
_CUT = """() => {
    const root = document.querySelector('.attnwidget');
    const r = root.getBoundingClientRect();
    const area = root.closest('.jp-WindowedPanel-outer') ?? document.documentElement;
    const a = area.getBoundingClientRect();
    const out = [];
    const over = root.scrollWidth - root.clientWidth;
    if (over > 0) out.push(`root overflows by ${over} px`);
    if (r.left < a.left - 0.5 || r.right > a.left + area.clientWidth + 0.5)
        out.push('root outside the notebook');
    const outside = (b) => b.left < r.left - 0.5 || b.right > r.right + 0.5;
    const span = (b) => `${Math.round(b.left - r.left)}..${Math.round(b.right - r.left)}`;
    for (const e of root.querySelectorAll('*')) {
        const b = e.getBoundingClientRect();
        if (b.width === 0 && b.height === 0) continue;
        let clipped = false;
        for (let p = e.parentElement; p && p !== root; p = p.parentElement)
            if (getComputedStyle(p).overflowX !== 'visible') { clipped = true; break; }
        if (!clipped && outside(b))
            out.push(`${e.tagName}.${e.getAttribute('class')} ${span(b)} of ${r.width}`);
    }
    for (const b of root.querySelectorAll('button[data-score]')) {
        if (b.scrollWidth > b.clientWidth) out.push(`button ${b.dataset.score} cut`);
        if (outside(b.getBoundingClientRect())) out.push(`button ${b.dataset.score} outside`);
    }
    return {width: r.width, cut: out.slice(0, 8)};
}"""

# After the plane is scrolled into view: the boxes of the plane and of the heatmap, and the
# visible area (the notebook's in JupyterLab, inside the viewport; else the viewport).
_PLANE_AND_WEIGHTS = """() => {
    const root = document.querySelector('.attnwidget');
    const plane = root.querySelector('svg[data-view="plane"]');
    plane.scrollIntoView({block: 'end'});
    const area = root.closest('.jp-WindowedPanel-outer');
    const box = (e) => { const b = e.getBoundingClientRect();
                         return {top: b.top, bottom: b.bottom, left: b.left, right: b.right}; };
    const page = {top: 0, left: 0, bottom: innerHeight,
                  right: document.documentElement.clientWidth};
    return {plane: box(plane), heatmap: box(root.querySelector('canvas[data-view="heatmap"]')),
            area: area ? box(area) : page};
}"""

_LEFT_PANEL = """(open) => {
    const app = window.jupyterapp;
    if (app.shell.leftCollapsed === open)
        return app.commands.execute('application:toggle-left-area');
}"""


def set_left_panel(page, open_: bool) -> None:
    """Open or close JupyterLab's left side panel (the file browser)."""
    page.evaluate(_LEFT_PANEL, open_)
    page.wait_for_function("(open) => window.jupyterapp.shell.leftCollapsed !== open", arg=open_)
    page.wait_for_timeout(300)  # the panel's resize reaches the widget (a ResizeObserver)


def inside(box: dict, area: dict) -> bool:
    return (
        box["top"] >= area["top"] - 0.5
        and box["bottom"] <= area["bottom"] + 0.5
        and box["left"] >= area["left"] - 0.5
        and box["right"] <= area["right"] + 0.5
    )


def expect_laid_out(page, where: str) -> None:
    """Nothing is cut horizontally, and the plane and the weights are on screen together."""
    fit = page.evaluate(_CUT)
    boxes = page.evaluate(_PLANE_AND_WEIGHTS)
    off_screen = [n for n in ("plane", "heatmap") if not inside(boxes[n], boxes["area"])]
    assert fit["cut"] == [] and off_screen == [], (where, fit, off_screen, boxes)


def test_in_a_narrow_panel_nothing_is_cut_and_the_plane_is_on_screen_with_the_weights(tab, lab):
    # the default widget (3 queries, 6 keys), JupyterLab with the file browser open and closed
    open_notebook(tab, lab, "NB.ipynb")
    run_all(tab)
    root = widget_root(tab)
    expect(root).to_be_visible(timeout=30_000)
    settled_state(tab)
    widths: dict[tuple[bool, int], float] = {}
    for panel in (True, False):
        set_left_panel(tab, panel)
        for width, dark in widths_and_themes(tab, height=HEIGHT):
            where = f"{width} px, {'dark' if dark else 'light'}, side panel {panel}"
            widths[panel, width] = tab.evaluate(_CUT)["width"]
            expect_laid_out(tab, where)
            if width == 1400:
                continue
            # every score (the parameters card differs): nothing cut either
            for score in ("dot", "general", "concat", "additive", "scaled_dot"):
                tab.locator(f'button[data-score="{score}"]').click()
                expect(tab.locator(f'button[data-score="{score}"]')).to_have_attribute(
                    "aria-pressed", "true"
                )
                expect(root).to_have_attribute("data-state", "ready")
                expect_laid_out(tab, f"{where}, {score}")
    # the narrow cases are narrow indeed (a one-column layout)
    assert widths[True, 570] < 300 and 300 < widths[False, 570] < 760, widths
    assert widths[False, 1400] > 760, widths


def test_the_exported_page_at_570_px_fits_and_says_why_the_causal_switch_is_off(tab, tmp_path):
    from attnwidget import AttentionWidget

    path = tmp_path / "page.html"
    AttentionWidget().to_html(path, title="attention")  # 3 queries, 6 keys: no causal mask
    tab.set_viewport_size({"width": 570, "height": HEIGHT})
    tab.goto(path.as_uri())
    root = widget_root(tab)
    expect(root).to_have_attribute("data-state", "ready")
    expect_laid_out(tab, "exported page, 570 px")
    # the reason is under the switch, right-aligned with it, clear of the card's title
    tab.evaluate("() => window.scrollTo(0, 0)")
    weights = root.locator("section.aw-card").first  # the weights card
    title = weights.locator("h3").bounding_box()
    switch = root.locator("label.aw-causal").bounding_box()
    why = root.locator('[data-role="causal-why"]')
    expect(why).to_have_text("needs as many queries as keys (3 \u2260 6)")
    reason = why.bounding_box()
    assert reason["y"] >= switch["y"] + switch["height"] - 1, (switch, reason)
    assert abs(reason["x"] + reason["width"] - switch["x"] - switch["width"]) <= 2, (switch, reason)
    overlap_x = min(reason["x"] + reason["width"], title["x"] + title["width"]) - max(
        reason["x"], title["x"]
    )
    overlap_y = min(reason["y"] + reason["height"], title["y"] + title["height"]) - max(
        reason["y"], title["y"]
    )
    assert overlap_x <= 0 or overlap_y <= 0, (title, reason)


BIG = """import numpy as np
from attnwidget import AttentionWidget
rng = np.random.default_rng(3)
w = AttentionWidget(Q=rng.normal(size=(64, 8)), K=rng.normal(size=(128, 8)))
# a query whose strongest key is past the first 64 (the bars showed k0-k63 only)
w.selected_query = int(np.flatnonzero(w.weights.argmax(axis=1) >= 64)[0])
w"""

WEIGHT_ROWS = '[data-view="steps"] [data-bars="weight"] .aw-bar-row'


def test_a_64_by_128_widget_fits_and_its_steps_show_the_top_keys_or_all(tab, lab, notebook_dir):
    write_notebook(notebook_dir, BIG)
    tab.set_viewport_size({"width": 1400, "height": 1000})
    open_notebook(tab, lab, "NB.ipynb")
    run_all(tab)
    root = widget_root(tab)
    expect(root).to_have_attribute("data-state", "ready", timeout=30_000)
    sel = kernel_json(tab, "w.selected_query")
    weights = kernel_json(tab, "w.weights[w.selected_query].tolist()")
    scores = kernel_json(tab, "w.scores[w.selected_query].tolist()")
    top = sorted(range(128), key=lambda j: (-weights[j], j))[:12]
    assert top[0] >= 64

    # about a screen and a half
    height = root.evaluate("r => r.getBoundingClientRect().height")
    assert height <= 1.5 * 1000, height

    # the steps: the top 12 keys by weight, largest first, said so
    steps = root.locator('[data-view="steps"]')
    expect(steps.locator('[data-role="keys-shown"]')).to_have_text("top 12 of 128 keys by weight")
    rows = steps.locator('[data-bars="weight"] .aw-bar-row')
    expect(rows).to_have_count(12)
    keys = [int(k) for k in rows.evaluate_all("rs => rs.map((r) => r.dataset.key)")]
    assert keys == top, (keys, top)
    expect(rows.first.locator(".aw-bar-label")).to_have_text(f"k{top[0]}")
    expect_numbers(tab, f"{WEIGHT_ROWS} [data-value]", [weights[j] for j in top], abs_tol=0)
    score_rows = '[data-view="steps"] [data-bars="score"] .aw-bar-row'
    expect_numbers(tab, f"{score_rows} [data-value]", [scores[j] for j in top], abs_tol=0)

    # "show all 128 keys": a button; all of them, in key order
    toggle = steps.get_by_role("button", name="show all 128 keys")
    toggle.click()
    expect(rows).to_have_count(128)
    expect(steps.locator('[data-role="keys-shown"]')).to_have_text("all 128 keys, in key order")
    assert rows.evaluate_all("rs => rs.map((r) => Number(r.dataset.key))") == list(range(128))
    expect_numbers(tab, f"{WEIGHT_ROWS} [data-value]", weights, abs_tol=0)
    # and back to the top 12 by keyboard
    back = steps.get_by_role("button", name="show the top 12")
    back.focus()
    tab.keyboard.press("Enter")
    expect(rows).to_have_count(12)

    # the outputs: the selected query's row and a strip of all 64 (click one to select it)
    outputs = root.locator('[data-view="output-visual"]')
    listed = outputs.locator(".aw-ov-row[data-query]")
    expect(listed).to_have_count(1)
    expect(listed).to_have_attribute("data-query", str(sel))
    strip = outputs.locator('[data-role="outputs-strip"]')
    expect(strip).to_be_visible()
    box = strip.bounding_box()
    pick = 10 if sel != 10 else 11
    strip.click(position={"x": box["width"] / 2, "y": (pick + 0.5) * box["height"] / 64})
    expect(listed).to_have_attribute("data-query", str(pick))
    assert kernel_json(tab, "w.selected_query") == pick
    outputs.get_by_role("button", name="list all 64 outputs").click()
    expect(listed).to_have_count(64)
    expect(strip).to_be_hidden()
