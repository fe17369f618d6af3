"""Helpers of the browser tests of how the widget feels (issue 14): what a view shows of the
mask, themes and widths, colours and their contrast. Built on :mod:`harness`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from harness import expect

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

THEMES = {False: "JupyterLab Light", True: "JupyterLab Dark"}
WIDTHS = (1400, 570)  # a wide JupyterLab; a narrow panel (file browser open, VS Code side panel)

__all__ = ["contrast", "css_colour", "hatched_share", "set_theme", "widths_and_themes"]

# The share of a heatmap cell's pixels that are not opaque: masked cells are drawn hatched over
# transparent, the others filled with their colour.
_HATCHED = """([row, col]) => {
    const c = document.querySelector('.attnwidget canvas[data-view="heatmap"]');
    const rows = document.querySelectorAll('.attnwidget .aw-hm-rowlabel').length;
    const cols = document.querySelectorAll('.attnwidget .aw-hm-collabel').length;
    const ctx = c.getContext('2d');
    const x0 = Math.ceil(col * c.width / cols) + 2;
    const x1 = Math.floor((col + 1) * c.width / cols) - 2;
    const y0 = Math.ceil(row * c.height / rows) + 2;
    const y1 = Math.floor((row + 1) * c.height / rows) - 2;
    const px = ctx.getImageData(x0, y0, x1 - x0, y1 - y0).data;
    let clear = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] < 255) clear++;
    return clear / (px.length / 4);
}"""


def hatched_share(page: Page, row: int, col: int) -> float:
    """The share (0..1) of heatmap cell (row, col) drawn hatched, as a masked weight is.
    Needs every row and column labelled (a small widget)."""
    return page.evaluate(_HATCHED, [row, col])


def set_theme(page: Page, dark: bool) -> None:
    """Switch JupyterLab's theme live and wait until the page says it is applied."""
    page.evaluate(
        "(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})",
        THEMES[dark],
    )
    expect(page.locator("body")).to_have_attribute("data-jp-theme-light", str(not dark).lower())
    page.wait_for_timeout(300)  # the theme's stylesheet is in; let the widget repaint


def widths_and_themes(page: Page, height: int = 1000) -> Iterator[tuple[int, bool]]:
    """Each viewport width (WIDTHS) in the light and the dark theme, switched live."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        for dark in (False, True):
            set_theme(page, dark)
            yield width, dark
    set_theme(page, False)


# Any CSS colour (rgb(), color(srgb ...), color-mix() results) as 0..255 sRGB, through a
# canvas; a translucent one is composited over the backgrounds behind it, down to an opaque one.
_COLOUR = """(el, prop) => {
    const ctx = document.createElement('canvas').getContext('2d', {willReadFrequently: true});
    const paint = (c) => { ctx.fillStyle = c; ctx.fillRect(0, 0, 1, 1); };
    const rgba = () => Array.from(ctx.getImageData(0, 0, 1, 1).data);
    const opaque = (c) => { ctx.clearRect(0, 0, 1, 1); paint(c); return rgba()[3] === 255; };
    const stack = [getComputedStyle(el)[prop]];
    // text is drawn on the element's own background; a background or an outline on its parent's
    for (let e = prop === 'color' ? el : el.parentElement; e && !opaque(stack.at(-1));
         e = e.parentElement) stack.push(getComputedStyle(e).backgroundColor);
    ctx.clearRect(0, 0, 1, 1);
    paint('#fff');
    for (const c of stack.reverse()) paint(c);
    return rgba().slice(0, 3);
}"""


def css_colour(locator: Locator, prop: str) -> tuple[int, int, int]:
    """The computed colour ``prop`` ("color", "backgroundColor", "outlineColor") of the
    element, composited over the backgrounds behind it, as 0..255 sRGB."""
    return tuple(locator.evaluate(_COLOUR, prop))


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours (1 to 21)."""

    def luminance(c: tuple[int, int, int]) -> float:
        lin = [(v / 255) / 12.92 if v <= 10 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
