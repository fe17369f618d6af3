"""The widget in JupyterLab's dark theme and across live theme switches (issue 14, item 2): the
queries-and-keys plane takes the theme's background, its labels read on it with halos of that
colour, and every canvas (plane, heatmap, the step bars' numbers) repaints at once on a switch,
with no edit in between."""

from __future__ import annotations

import re

import pytest
from harness import NOTEBOOK, expect, open_notebook, run_all, settled_state, widget_root
from lab_feel import contrast, css_colour, set_theme, widths_and_themes

pytestmark = pytest.mark.browser

RGB = tuple[int, int, int]
RE_REMOTE = re.compile(r"^(?!file:|data:|blob:).*")  # an exported page loads nothing else

# The theme's own background (JupyterLab's variable, not the widget's), as 0..255 sRGB.
_THEME_BG = """() => {
    const ctx = document.createElement('canvas').getContext('2d', {willReadFrequently: true});
    ctx.fillStyle = getComputedStyle(document.body).getPropertyValue('--jp-layout-color0').trim();
    ctx.fillRect(0, 0, 1, 1);
    return Array.from(ctx.getImageData(0, 0, 1, 1).data.slice(0, 3));
}"""

# The plane canvas's most frequent colour over its plot area (viewBox 30..292 x 8..270 of
# 300): the background, whatever points and lines lie on it.
_PLANE_BG = """() => {
    const c = document.querySelector('.attnwidget .aw-pl-canvas');
    const k = c.width / 300;
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const counts = new Map();
    for (let y = 12; y < 266; y += 3) for (let x = 34; x < 288; x += 3) {
        const o = (Math.round(y * k) * c.width + Math.round(x * k)) * 4;
        if (px[o + 3] !== 255) continue;
        const key = `${px[o]},${px[o + 1]},${px[o + 2]}`;
        counts.set(key, (counts.get(key) || 0) + 1);
    }
    const [best] = [...counts].sort((a, b) => b[1] - a[1]);
    return best ? best[0].split(',').map(Number) : null;
}"""

# The colour of a list of step bars' numbers: in the numbers column (the canvas's right 60 CSS
# px), the pixel that differs most from the card behind it, composited over that card.
_BAR_NUMBERS = """(c) => {
        const card = c.closest('.aw-card') || c.parentElement;
        const ctx = document.createElement('canvas').getContext('2d', {willReadFrequently: true});
        ctx.fillStyle = getComputedStyle(card).backgroundColor; ctx.fillRect(0, 0, 1, 1);
        const bg = Array.from(ctx.getImageData(0, 0, 1, 1).data.slice(0, 3));
        const dpr = c.width / parseFloat(c.style.width);
        const x0 = Math.floor(c.width - 60 * dpr);
        const px = c.getContext('2d').getImageData(x0, 0, c.width - x0, c.height).data;
        let best = null, far = -1;
        for (let o = 0; o < px.length; o += 4) {
            const a = px[o + 3] / 255;
            const v = [0, 1, 2].map((i) => Math.round(px[o + i] * a + bg[i] * (1 - a)));
            const d = v.reduce((s, x, i) => s + Math.abs(x - bg[i]), 0);
            if (d > far) { far = d; best = v; }
        }
        return {bg, text: best};
}"""

# Heatmap pixels of the default example's cell (0, 0): its right edge (the grid line between it
# and cell (0, 1)) and, on the selection's canvas, the halo band of the selected row's outline.
_HEATMAP_EDGES = """() => {
    const c = document.querySelector('.attnwidget canvas[data-view="heatmap"]');
    const over = c.nextElementSibling;
    const cols = document.querySelectorAll('.attnwidget .aw-hm-collabel').length;
    const rows = document.querySelectorAll('.attnwidget .aw-hm-rowlabel').length;
    const at = (cv, x, y) => Array.from(cv.getContext('2d').getImageData(x, y, 1, 1).data);
    const y = Math.round(c.height / rows / 2);
    const line = at(c, Math.round(c.width / cols), y);
    const lw = Math.max(2, Math.round(2 * c.width / parseFloat(c.style.width)));
    return {line, halo: at(over, Math.round(1.5 * lw), y)};
}"""


def near(a: RGB | list[int], b: RGB | list[int], tol: int = 6) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


def plane_background(page) -> RGB | None:
    """The attention field was painted over the theme's background (its data-bg); then, with
    the field switched off, the plane canvas's own background (switched on again after)."""
    field = page.locator('.attnwidget [data-view="field"]')
    toggle = page.locator('.attnwidget [data-role="field-toggle"]')
    expect(toggle).to_have_attribute("aria-pressed", "true")
    field_bg = [int(x) for x in (field.get_attribute("data-bg") or "").split(",")]
    toggle.click()
    expect(field).to_be_hidden()
    plane = page.evaluate(_PLANE_BG)
    toggle.click()
    expect(field).to_be_visible()
    assert plane is not None and near(field_bg, plane), ("field background", field_bg, plane)
    return plane


def expect_theme_colours(page, where: str) -> None:
    """The plane, its labels, the step bars' numbers and the heatmap show the current theme."""
    bg = page.evaluate(_THEME_BG)
    plane = plane_background(page)
    assert plane is not None and near(plane, bg), (where, "plane background", plane, bg)
    labels = page.locator(".attnwidget .aw-pl-keylabel, .attnwidget .aw-pl-qlabel").filter(
        visible=True
    )
    assert labels.count() == 9, where  # 6 keys and 3 queries, all labelled
    for label in labels.all():
        text, halo = css_colour(label, "fill"), css_colour(label, "stroke")
        name = label.text_content()
        assert contrast(text, plane) >= 4.5, (where, name, text, plane)
        assert near(halo, plane), (where, "halo", name, halo, plane)
        assert label.evaluate("t => parseFloat(getComputedStyle(t).strokeWidth)") > 0, where
    lists = page.locator(".attnwidget .aw-bars-canvas")
    assert lists.count() >= 3, where  # scores, weights, the output's dimensions
    for k in range(lists.count()):
        # off screen, a list is drawn when it comes into view: look at it as a reader does
        lists.nth(k).scroll_into_view_if_needed()
        page.wait_for_timeout(100)
        n = lists.nth(k).evaluate(_BAR_NUMBERS)
        assert contrast(n["text"], n["bg"]) >= 4.5, (where, "step bar numbers", k, n)
    edges = page.evaluate(_HEATMAP_EDGES)
    assert edges["line"][3] == 255 and near(edges["line"][:3], bg), (where, "grid line", edges, bg)
    assert edges["halo"][3] == 255 and near(edges["halo"][:3], bg), (where, "outline halo", edges)


def show_widget(page, lab, dark: bool) -> None:
    open_notebook(page, lab, NOTEBOOK)
    set_theme(page, dark)  # before the widget is first drawn
    run_all(page)
    expect(widget_root(page)).to_be_visible(timeout=30_000)
    settled_state(page)
    page.wait_for_timeout(300)


def test_a_widget_drawn_in_dark_jupyterlab_shows_dark_canvases(tab, lab):
    show_widget(tab, lab, dark=True)
    expect_theme_colours(tab, "dark from the start")


def test_every_canvas_repaints_at_once_on_a_live_theme_switch(tab, lab):
    show_widget(tab, lab, dark=False)
    expect_theme_colours(tab, "light from the start")
    # switched live, both ways, at both widths, with no edit in between
    for width, dark in widths_and_themes(tab):
        expect_theme_colours(tab, f"{width} px, switched to {'dark' if dark else 'light'}")


# The exported page's palette for each colour scheme (style.css, .attnwidget[data-mode=static]).
STATIC_BG = {"light": (255, 255, 255), "dark": (0x1B, 0x1D, 0x21)}


def test_an_exported_page_follows_the_colour_scheme_and_repaints_when_it_changes(tab, tmp_path):
    from attnwidget import AttentionWidget

    path = tmp_path / "page.html"
    AttentionWidget().to_html(path)
    tab.route(RE_REMOTE, lambda route: route.abort())
    tab.emulate_media(color_scheme="dark")
    tab.goto(path.as_uri())
    expect(tab.locator('.attnwidget[data-state="ready"]')).to_be_visible()
    for scheme in ("dark", "light", "dark"):
        tab.emulate_media(color_scheme=scheme)
        tab.wait_for_timeout(200)
        plane = plane_background(tab)
        assert plane is not None and near(plane, STATIC_BG[scheme]), (scheme, plane)
