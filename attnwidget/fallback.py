"""The image a display carries beside the widget view, for places that cannot run widgets.

GitHub, nbviewer, PDF and ``nbconvert --to markdown`` show it; a live notebook never does, yet
builds it at every display. So it is the one picture that matters, drawn cheaply: the weights
heatmap with its tokens, on a fixed 0-1 colour scale, the formula or the head as its title.
No Axes, no layout engine, no pyplot: the cells are an image placed at pixel offsets, the
labels are text at margins estimated from their lengths. About a twentieth of the cost of
:func:`attnwidget.figures.plot` (which draws the full figure), so a display stays quick.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from typing import Any

import numpy as np

from .figures import MAX_CELLS, MAX_LABELS, _label, _literal, max_pool

__all__ = ["TITLES", "heatmap_png"]

TITLES: dict[str, str] = {
    "dot": "score(q, kᵢ) = qᵀkᵢ",
    "general": "score(q, kᵢ) = qᵀ W kᵢ",
    "scaled_dot": "score(q, kᵢ) = qᵀkᵢ / √dₖ",
    "concat": "score(q, kᵢ) = vᵀ tanh(W [q; kᵢ])",
    "additive": "score(q, kᵢ) = vᵀ tanh(W q + U kᵢ)",
}
"""Each score function's formula in plain Unicode text (mathtext would cost more than the
rest of the image)."""

_DPI = 96
_FONT = 9  # points: labels and cell numbers
_CHAR_PX = 0.6 * _FONT * _DPI / 72  # the width of an average character at _FONT, in pixels
_GRID_W, _GRID_H = 560, 320  # the heatmap's most pixels
_CELL_W, _CELL_H = 56, 26  # a cell's most pixels


def heatmap_png(
    weights: np.ndarray,
    query_tokens: Sequence[str],
    key_tokens: Sequence[str],
    title: str,
    *,
    caption: str = "",
) -> bytes:
    """The weights as a small PNG heatmap: rows are queries, columns keys, 0 (dark) to 1.

    Parameters
    ----------
    weights : ndarray, shape (M, N)
        Attention weights (rows sum to one). Beyond :data:`attnwidget.figures.MAX_CELLS` per
        axis they are max-pooled into blocks (the caption says so).
    query_tokens, key_tokens : sequence of str
        Tick labels, drawn as literal text, when there are at most
        :data:`attnwidget.figures.MAX_LABELS` of them.
    title : str
        Drawn above the heatmap, as literal text (e.g. one of :data:`TITLES`).
    caption : str, optional
        A line under the heatmap.

    Returns
    -------
    bytes
        The PNG file's bytes.
    """
    from matplotlib import colormaps
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    m, n = weights.shape
    shown, (bm, bn) = max_pool(weights, MAX_CELLS, MAX_CELLS)
    r, c = shown.shape
    if (bm, bn) != (1, 1):
        pooled = f"{r:,} × {c:,} blocks of {m:,} × {n:,} (max of each {bm:,} × {bn:,})"
        caption = f"{caption}; {pooled}" if caption else pooled
    y_labels = [_label(t) for t in query_tokens] if m <= MAX_LABELS else []
    x_labels = [_label(t) for t in key_tokens] if n <= MAX_LABELS else []
    if not (y_labels and x_labels):  # (what the rows and columns are, said once)
        caption = f"{m:,} queries (rows) × {n:,} keys (columns)" + (
            f"; {caption}" if caption else ""
        )
    # The layout in pixels: the heatmap's cells, the labels' room estimated from their length.
    cw, ch = max(1, min(_CELL_W, _GRID_W // c)), max(1, min(_CELL_H, _GRID_H // r))
    left = 12 + _CHAR_PX * max(map(len, y_labels), default=0)
    bottom = 10 + (0.72 * _CHAR_PX * max(map(len, x_labels), default=0) + 8 if x_labels else 0)
    bottom += 18 if caption else 0
    top = 30
    width, height = left + cw * c + 16, top + ch * r + bottom

    fig = Figure(figsize=(width / _DPI, height / _DPI), dpi=_DPI)
    rgba = colormaps["viridis"](np.clip(shown, 0.0, 1.0), bytes=True)
    cells = np.repeat(np.repeat(rgba, ch, axis=0), cw, axis=1)

    def text(x: float, y: float, s: str, size: float = _FONT, **kw: Any) -> None:
        _literal(fig.text(x / width, y / height, s, fontsize=size, **kw))

    for i, label in enumerate(y_labels):
        text(left - 5, bottom + ch * (r - i - 0.5), label, ha="right", va="center")
    for j, label in enumerate(x_labels):
        text(
            left + cw * (j + 0.5),
            bottom - 5,
            label,
            ha="right",
            va="top",
            rotation=45,
            rotation_mode="anchor",
        )
    if m * n <= 144 and cw >= 30 and ch >= 14:
        _print_numbers(cells, weights, cw, ch)
    fig.figimage(cells, xo=left, yo=bottom, origin="upper")
    text(left + cw * c / 2, height - 8, title, _FONT + 1, ha="center", va="top")
    if caption:
        text(width / 2, 4, caption, _FONT - 1, ha="center", va="bottom")
    buf = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buf, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def _print_numbers(cells: np.ndarray, weights: np.ndarray, cw: int, ch: int) -> None:
    """Each weight, to two decimals, centred in its cell of ``cells`` (RGBA, in place): white
    on dark cells, black on light ones. The numbers are bitmaps of the text "0.00" to "1.00",
    rendered once each (a Text artist per cell would cost most of the image's time)."""
    for (i, j), w in np.ndenumerate(weights):
        alpha = _number_bitmap(f"{w:.2f}")
        h, wd = alpha.shape
        y, x = i * ch + (ch - h) // 2, j * cw + (cw - wd) // 2
        if h > ch or wd > cw:
            continue
        block = cells[y : y + h, x : x + wd, :3]
        ink = 0.0 if w > 0.6 else 255.0
        a = alpha[:, :, None] / 255.0
        block[...] = (block * (1.0 - a) + ink * a).astype(np.uint8)


@functools.lru_cache(maxsize=128)
def _number_bitmap(text: str) -> np.ndarray:
    """The coverage (0-255) of ``text`` drawn in matplotlib's default font at _FONT, _DPI."""
    from matplotlib.font_manager import FontProperties, findfont
    from matplotlib.ft2font import FT2Font

    font = FT2Font(findfont(FontProperties()))
    font.set_size(_FONT, _DPI)
    font.set_text(text, 0.0)
    font.draw_glyphs_to_bitmap(antialiased=True)
    return np.asarray(font.get_image(), dtype=np.uint8).copy()
