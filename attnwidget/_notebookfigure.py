"""The class of the figures attnwidget draws: a matplotlib Figure that Jupyter shows as an image.

A bare ``matplotlib.figure.Figure`` returned to a notebook shows as ``<Figure size ...>``
unless pyplot's inline backend was loaded. This one gives IPython a PNG itself. It is made
without pyplot, so no open figure is left behind; under the inline backend IPython's own figure
formatter (registered for every Figure) draws it as any other figure. (A module of its own:
:mod:`attnwidget.figures` imports matplotlib only when a figure is drawn.)
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

__all__ = ["NotebookFigure"]


class NotebookFigure(Figure):
    """A matplotlib Figure with a PNG for IPython's display (at the figure's own dpi)."""

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=self.dpi)
        return buf.getvalue()
