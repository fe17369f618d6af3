"""What an AttentionWidget gives out: its page, its figures, its PNG (a mixin)."""

from __future__ import annotations

import pathlib
from typing import Any

from .. import compare_figure, export, fallback, figures

__all__ = ["Exports"]

_FALLBACK_CAPTION = "weights: 0 (purple) to 1 (yellow)"


class Exports:
    """``to_html``, ``plot`` and ``save_figure`` of :class:`~attnwidget.AttentionWidget`."""

    def to_html(self, path: str | pathlib.Path | None = None, *, title: str | None = None) -> str:
        """Export as one self-contained HTML page that stays interactive offline.

        Parameters
        ----------
        path : str or Path, optional
            Where to write the page; nothing is written when None.
        title : str, optional
            Page title and heading (rendered as text).

        Returns
        -------
        str
            The page's HTML. See :func:`attnwidget.export.to_html`.
        """
        return export.to_html(self, path, title=title)

    def plot(self, ax: Any = None, *, compare: bool = False) -> Any:
        """A matplotlib figure: weights heatmap with tokens, the selected query's three steps.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Draw only the heatmap (or, with ``compare``, the comparison) into it.
        compare : bool
            Draw instead the selected query's weights under every score function
            (:meth:`compare`), one row each on one 0-1 scale, the current score marked.

        Returns
        -------
        matplotlib.figure.Figure
        """
        if compare:
            return compare_figure.plot_compare(self, ax)
        return figures.plot(self, ax)

    def save_figure(
        self, path: str | pathlib.Path, *, dpi: int = 150, compare: bool = False
    ) -> None:
        """Save :meth:`plot` (with ``compare``: the comparison) as PNG, SVG, PDF, ..."""
        draw = compare_figure.plot_compare if compare else figures.plot
        figures.save_figure(self, path, dpi=dpi, draw=draw)

    def _fallback_png(self) -> bytes:
        w: Any = self
        t = w.temperature
        title = fallback.TITLES[w.score] + ("" if t == 1.0 else f"   (temperature {t:g})")
        return fallback.heatmap_png(
            w.weights, w.query_tokens, w.key_tokens, title, caption=_FALLBACK_CAPTION
        )
