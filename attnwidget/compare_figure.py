"""The comparison figure: the selected query's weights under every score function.

Five rows (one per score function, in :data:`attnwidget.SCORES` order) of a heatmap on one
0-1 scale, the widget's current score marked. Bounded like :mod:`attnwidget.figures`: beyond
:data:`~attnwidget.figures.MAX_CELLS` keys the rows show max-pooled blocks, beyond
:data:`~attnwidget.figures.MAX_LABELS` keys no key labels, and a caption says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .core.engine import SCORES
from .figures import MAX_CELLS, MAX_LABELS, _label, _literal, _literal_labels, _show_pooled

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .widgets.attention import AttentionWidget

__all__ = ["ACTIVE_COLOUR", "plot_compare"]

ACTIVE_COLOUR = "#d62728"
"""The frame around the current score function's row (and its label's colour)."""

_VALUES_MAX = 16  # write each weight in its cell up to this many keys


def plot_compare(widget: AttentionWidget, ax: Axes | None = None) -> Figure:
    """The selected query's weights under every score function, one row each, on one scale.

    Parameters
    ----------
    widget : AttentionWidget
    ax : matplotlib Axes, optional
        Draw into it (no colour bar); by default a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        Rows in :data:`attnwidget.SCORES` order from the top, colours from 0 to 1 (viridis).
        The current score's row is framed and its label bold; a score not defined for the
        widget's widths (dot and scaled dot when d_q != d_k) is a blank row marked so.
    """
    i = widget.selected_query
    n = len(widget.key_tokens)
    results = widget.compare()
    rows = np.full((len(SCORES), n), np.nan)
    for r, s in enumerate(SCORES):
        if s in results:
            rows[r] = results[s].weights[i]
    own = ax is None
    if ax is None:
        from ._notebookfigure import NotebookFigure

        fig = NotebookFigure(figsize=(min(11.0, 3.2 + 0.5 * min(n, 16)), 3.4), layout="constrained")
        ax = fig.add_subplot()
    import matplotlib

    cmap: Any = matplotlib.colormaps["viridis"].with_extremes(bad="#dddddd", under="#dddddd")
    shown = np.where(np.isnan(rows), -1.0, rows)  # (a pooled block stays blank: -1 < vmin)
    image, caption = _show_pooled(
        ax, shown, MAX_CELLS, cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto"
    )
    _literal_labels(ax, "y", range(len(SCORES)), [s.replace("_", " ") for s in SCORES])
    active = SCORES.index(widget.score)
    label = ax.get_yticklabels()[active]
    label.set(fontweight="bold", color=ACTIVE_COLOUR)
    from matplotlib.patches import Rectangle

    frame = Rectangle(
        (-0.5, active - 0.5), n, 1, fill=False, edgecolor=ACTIVE_COLOUR, linewidth=2.5, zorder=3
    )
    frame.set_gid("active-score")
    ax.add_patch(frame)
    for r, s in enumerate(SCORES):
        if s not in results:
            ax.text(
                (n - 1) / 2, r, "not defined: d_q \u2260 d_k", ha="center", va="center", fontsize=8
            )
        elif n <= _VALUES_MAX:
            for j, v in enumerate(rows[r]):
                colour = "black" if v > 0.6 else "white"
                ax.text(j, r, f"{v:.2f}", ha="center", va="center", fontsize=7, color=colour)
    if n <= MAX_LABELS:
        _literal_labels(ax, "x", range(n), widget.key_tokens)
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    else:
        ax.set_xticks([])
    ax.set_xlabel(f"keys\n{caption}" if caption else "keys")
    t = widget.temperature
    note = "" if t == 1.0 else f", temperature {t:g}"
    title = ax.set_title(
        f"weights of {_label(widget.query_tokens[i])} under each score function "
        f"(framed: the current one{note})",
        fontsize=10,
    )
    _literal(title)
    if own:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.02, label="weight (0 to 1)")
    return ax.figure
