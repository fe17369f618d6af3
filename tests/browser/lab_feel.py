"""Helpers of the browser tests of how the widget feels (issue 14): what a view shows of the
mask, themes and widths, colours and their contrast. Built on :mod:`harness`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = ["hatched_share"]

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
