"""How the widget feels to a new user in JupyterLab (issue 14): what Python sets shows in the
view, focus, sizes, the colour scale, and errors said where they happen."""

from __future__ import annotations

import pytest
from harness import (
    NOTEBOOK,
    expect,
    expect_numbers,
    kernel_exec,
    kernel_json,
    open_notebook,
    run_all,
    run_notebook,
    settled_state,
    wait_for_kernel,
    widget_root,
    write_notebook,
)
from lab_feel import contrast, css_colour, hatched_share, widths_and_themes

pytestmark = pytest.mark.browser

MASKED_WIDGET = """import numpy as np
from attnwidget import AttentionWidget
X = np.random.default_rng(1).standard_normal((5, 4))
causal = np.tril(np.ones((5, 5), dtype=bool))
w = AttentionWidget(X, X, mask=causal)
w"""


def expect_mask_shown(page, causal: bool) -> None:
    """The view shows the causal mask (or none): the switch, the faded keys of query 0 (in
    both step cards) and the hatched weights above the diagonal."""
    root = widget_root(page)
    box = root.locator('input[data-role="causal-mask"]')
    expect(box).to_be_checked(checked=causal)
    assert box.evaluate("b => b.indeterminate") is False
    expect(root.locator(".is-dim")).to_have_count(8 if causal else 0)
    for row, col in ((0, 4), (1, 3), (3, 4)):
        share = hatched_share(page, row, col)
        assert (share > 0.5) if causal else (share == 0), (row, col, share)


def test_a_mask_set_from_python_shows_in_the_view_also_none_and_set_back(tab, lab, notebook_dir):
    # tutorial 04: a masked widget, then `w.mask = None` in a later cell (Run All)
    run_notebook(tab, lab, notebook_dir, MASKED_WIDGET, "w.mask = None\nw.temperature = 0.2")
    root = widget_root(tab)
    expect(root).to_have_attribute("data-state", "ready")
    expect_mask_shown(tab, causal=False)
    kernel_exec(tab, "w.mask = causal")
    expect_mask_shown(tab, causal=True)
    # the view unticks the switch, then Python sets the mask it had before that edit
    root.locator('input[data-role="causal-mask"]').uncheck()
    assert wait_for_kernel(tab, "w.mask is None", True) is True
    expect(root).to_have_attribute("data-state", "ready")
    expect_mask_shown(tab, causal=False)
    kernel_exec(tab, "w.mask = causal")
    expect_mask_shown(tab, causal=True)
    # and the view ticks it, then Python clears it again
    kernel_exec(tab, "w.mask = None")
    expect_mask_shown(tab, causal=False)
    root.locator('input[data-role="causal-mask"]').check()
    assert wait_for_kernel(tab, "w.mask is not None", True) is True
    expect_mask_shown(tab, causal=True)
    kernel_exec(tab, "w.mask = None")
    expect_mask_shown(tab, causal=False)


def test_a_returned_figure_shows_as_an_image_in_jupyterlab(tab, lab, notebook_dir):
    # notebook 06: pyplot is never imported; the cell's value is the figure
    run_notebook(
        tab,
        lab,
        notebook_dir,
        "from attnwidget import AttentionWidget\nw = AttentionWidget()\nfig = w.plot()\nfig",
    )
    output = tab.locator(".jp-OutputArea-output")
    image = output.locator('img[src^="data:image/png"]')
    expect(image).to_have_count(1)
    assert image.evaluate("i => i.naturalWidth") == 1100
    expect(output).not_to_contain_text("Figure size")
    assert (
        kernel_exec(tab, "import sys; print('matplotlib.pyplot' in sys.modules)").strip() == "False"
    )


def show_default_widget(page, lab) -> None:
    open_notebook(page, lab, NOTEBOOK)
    run_all(page)
    expect(widget_root(page)).to_be_visible(timeout=30_000)
    settled_state(page)


def test_the_active_score_button_shows_a_focus_ring_and_reads_at_4_5_to_1(tab, lab):
    show_default_widget(tab, lab)
    active = tab.locator('button[data-score="scaled_dot"]')
    expect(active).to_have_attribute("aria-pressed", "true")
    for width, dark in widths_and_themes(tab):
        where = f"{width} px, {'dark' if dark else 'light'}"
        # focus by keyboard, as :focus-visible needs: from the button before it, Tab
        tab.locator('button[data-score="general"]').focus()
        tab.keyboard.press("Tab")
        assert active.evaluate("b => b.matches(':focus-visible')"), where
        style = active.evaluate(
            """b => { const c = getComputedStyle(b);
                return {style: c.outlineStyle, width: parseFloat(c.outlineWidth),
                        offset: parseFloat(c.outlineOffset)}; }"""
        )
        assert style["style"] != "none" and style["width"] >= 2, (where, style)
        assert style["offset"] >= 1, (where, style)  # outside the button, not in its fill
        ring, fill = css_colour(active, "outlineColor"), css_colour(active, "backgroundColor")
        behind = css_colour(active.locator(".."), "backgroundColor")
        assert contrast(ring, behind) >= 3, (where, ring, behind)  # WCAG 1.4.11
        assert contrast(ring, fill) >= 1.5, (where, ring, fill)
        text = css_colour(active, "color")
        assert contrast(text, fill) >= 4.5, (where, text, fill)  # WCAG AA, text


# The query editor's box and its inputs: what scrolls, and which values are cut.
_EDITOR_FIT = """() => {
    const scroll = document.querySelector('.attnwidget [data-view="editor"] .aw-scroll');
    const inputs = [...scroll.querySelectorAll('input[data-query]')];
    return {
        overflowX: scroll.scrollWidth - scroll.clientWidth,
        overflowY: scroll.scrollHeight - scroll.clientHeight,
        cut: inputs.filter((i) => i.scrollWidth > i.clientWidth)
            .map((i) => [i.dataset.query, i.dataset.dim, i.value]),
        titled: inputs.every((i) => i.title === i.dataset.value),
        count: inputs.length,
    };
}"""


@pytest.mark.parametrize("d", [4, 16, 64])
def test_the_query_editor_does_not_scroll_when_it_fits_and_shows_values_whole(
    tab, lab, notebook_dir, d
):
    # small values of either sign: "-0.0602671" was cut to "-0.060267…" at d = 16 to 64
    write_notebook(
        notebook_dir,
        f"""import numpy as np
from attnwidget import AttentionWidget
rng = np.random.default_rng(8)
w = AttentionWidget(rng.normal(size=(3, {d})) * 0.1, rng.normal(size=(4, {d})) * 0.1)
w.update(Q=np.round(w.Q, 9) - 1e-9)  # (full-length texts: no trailing zeros to drop)
w""",
    )
    show_default_widget(tab, lab)
    for width, dark in widths_and_themes(tab):
        where = f"{width} px, {'dark' if dark else 'light'}"
        fit = tab.evaluate(_EDITOR_FIT)
        assert fit["count"] == 3 * d, (where, fit)
        assert fit["overflowY"] <= 0, (where, fit)  # no scrollbar in the card
        if d == 4 and width == 1400:
            assert fit["overflowX"] <= 0, (where, fit)
        assert fit["cut"] == [], (where, fit["cut"][:5])
        assert fit["titled"], where
    # the full value shows on focus, and the page holds the kernel's values exactly
    cell = tab.locator('input[data-query="0"][data-dim="1"]')
    q01 = kernel_json(tab, "w.Q[0, 1]")
    cell.focus()
    assert abs(float(cell.input_value()) - q01) <= 5e-6 * abs(q01)  # 6 significant digits
    expect_numbers(
        tab,
        'input[data-query="0"]',
        kernel_json(tab, "w.Q[0].tolist()"),
        order_by="data-dim",
        abs_tol=0,
    )


def test_the_colour_scale_is_fixed_0_to_1_by_default_and_switches_to_max(tab, lab):
    show_default_widget(tab, lab)
    root = widget_root(tab)
    switch = root.locator('[data-role="colour-scale"]')
    canvas = root.locator('canvas[data-view="heatmap"]')
    legend = root.locator('.aw-heatmap [data-role="legend"]')
    weights = kernel_json(tab, "w.weights.tolist()")
    top = max(max(row) for row in weights)
    assert top < 0.9  # the built-in example: a max-relative scale would look hotter
    for width, dark in widths_and_themes(tab):
        where = f"{width} px, {'dark' if dark else 'light'}"
        expect(switch).to_have_attribute("data-scale", "fixed")
        expect(switch.locator('button[data-scale="fixed"]')).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(legend).to_contain_text("fixed scale")
        expect(canvas).to_have_attribute("data-scale-top", "1")
        box = switch.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (where, box)
        switch.locator('button[data-scale="max"]').click()
        expect(switch).to_have_attribute("data-scale", "max")
        expect(switch.locator('button[data-scale="max"]')).to_have_attribute("aria-pressed", "true")
        expect(legend).to_contain_text("scaled to max")
        assert float(canvas.get_attribute("data-scale-top")) == pytest.approx(top, abs=0), where
        switch.locator('button[data-scale="fixed"]').click()
        expect(switch).to_have_attribute("data-scale", "fixed")
    # the cells keep their full-precision values, whatever the colours
    expect_numbers(
        tab, 'table[data-view="weights"] td[data-value]', [v for r in weights for v in r], abs_tol=0
    )


def test_errors_are_said_where_they_happen(tab, lab, notebook_dir):
    # 3 queries, 5 keys: no causal mask
    write_notebook(notebook_dir, MASKED_WIDGET.replace("X, X, mask=causal", "X[:3], X"))
    show_default_widget(tab, lab)
    root = widget_root(tab)
    box = root.locator('input[data-role="causal-mask"]')
    why = root.locator('[data-role="causal-why"]')
    cell = root.locator('input[data-query="1"][data-dim="0"]')
    for width, dark in widths_and_themes(tab):
        where = f"{width} px, {'dark' if dark else 'light'}"
        # the disabled causal switch says why, beside it, in readable text
        expect(box).to_be_disabled()
        expect(why).to_be_visible()
        expect(why).to_have_text("needs as many queries as keys (3 \u2260 5)")
        b, w = box.bounding_box(), why.bounding_box()
        assert abs(w["y"] - b["y"]) < 40 and w["x"] + w["width"] <= width, (where, b, w)
        assert contrast(css_colour(why, "color"), css_colour(why, "backgroundColor")) >= 4.5, where
        # a value that is not a number: said by the field; Escape reverts it and clears it
        before = cell.input_value()
        q_before = kernel_json(tab, "w.Q.tolist()")
        cell.fill("abc")
        cell.press("Enter")
        error = root.locator('[data-view="editor"] [data-role="input-error"]')
        expect(error).to_be_visible()
        expect(error).to_contain_text("not a number")
        expect(root.locator('[data-role="error"]')).to_be_hidden()
        c, e = cell.bounding_box(), error.bounding_box()
        assert 0 < e["y"] - c["y"] < 200, (where, c, e)  # just under the editor's table
        assert contrast(css_colour(error, "color"), css_colour(error, "backgroundColor")) >= 4.5
        cell.press("Escape")
        expect(error).to_be_hidden()
        expect(cell).to_have_value(before)
        expect(cell).not_to_have_attribute("aria-invalid", "true")
        assert kernel_json(tab, "w.Q.tolist()") == q_before, where
    assert kernel_json(tab, "w.error") == ""
