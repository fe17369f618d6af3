"""Matplotlib figures of a widget: for papers, PDFs and readers without JavaScript."""

from __future__ import annotations

import io
import pathlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .heads import AttentionHeads
    from .widget import AttentionWidget

__all__ = ["FORMULAS", "plot", "plot_heads", "save_figure", "png_bytes"]

FORMULAS: dict[str, str] = {
    "dot": r"$\mathrm{score}(q, k_i) = q^\top k_i$",
    "general": r"$\mathrm{score}(q, k_i) = q^\top W k_i$",
    "scaled_dot": r"$\mathrm{score}(q, k_i) = q^\top k_i / \sqrt{d_k}$",
    "concat": r"$\mathrm{score}(q, k_i) = v^\top \tanh(W[q; k_i])$",
    "additive": r"$\mathrm{score}(q, k_i) = v^\top \tanh(Wq + Uk_i)$",
}
"""Each score function's formula, in matplotlib mathtext."""

_LABEL_MAX = 24


def _label(token: str) -> str:
    return token if len(token) <= _LABEL_MAX else token[: _LABEL_MAX - 1] + "…"


def _literal_labels(ax: Axes, axis: str, ticks: Sequence[float], labels: Sequence[str]) -> None:
    """Tick labels shown as typed: never parsed as mathtext (``$`` in a token stays ``$``)."""
    getattr(ax, f"set_{axis}ticks")(list(ticks), labels=[_label(t) for t in labels])
    for text in getattr(ax, f"get_{axis}ticklabels")():
        text.set_parse_math(False)


def heatmap(widget: AttentionWidget, ax: Axes) -> Axes:
    """Draw the weights heatmap (queries x keys) with tokens and the formula as title."""
    w = widget.weights
    image = ax.imshow(w, cmap="viridis", vmin=0.0, vmax=max(float(w.max()), 1e-12), aspect="auto")
    m, n = w.shape
    if n <= 40:
        _literal_labels(ax, "x", range(n), widget.key_tokens)
        ax.tick_params(axis="x", labelrotation=45)
    if m <= 40:
        _literal_labels(ax, "y", range(m), widget.query_tokens)
    if m * n <= 144:
        for i in range(m):
            for j in range(n):
                colour = "black" if w[i, j] > 0.6 * w.max() else "white"
                ax.text(j, i, f"{w[i, j]:.2f}", ha="center", va="center", fontsize=8, color=colour)
    ax.set_xlabel("keys")
    ax.set_ylabel("queries")
    t = widget.temperature
    suffix = "" if t == 1.0 else f"   (temperature {t:g})"
    ax.set_title(FORMULAS[widget.score] + suffix, fontsize=11)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="weight")
    return ax


def steps(widget: AttentionWidget, axes: Sequence[Axes]) -> None:
    """The selected query's three steps: scores, softmax weights, weighted sum."""
    i = widget.selected_query
    keys = widget.key_tokens
    x = np.arange(len(keys))
    s_ax, w_ax, o_ax = axes
    s_ax.bar(x, widget.scores[i], color="#6c8ebf")
    s_ax.axhline(0, color="grey", lw=0.8)
    s_ax.set_title("1  score", loc="left", fontsize=10)
    w_ax.bar(x, widget.weights[i], color="#3b7a57")
    w_ax.set_ylim(0, 1)
    w_ax.set_title("2  softmax weights", loc="left", fontsize=10)
    for ax in (s_ax, w_ax):
        if len(keys) <= 40:
            _literal_labels(ax, "x", x, keys)
            ax.tick_params(axis="x", labelrotation=45, labelsize=8)
        else:
            ax.set_xticks([])
    out = widget.output[i]
    o_ax.bar(np.arange(len(out)), out, color="#b5651d")
    o_ax.axhline(0, color="grey", lw=0.8)
    o_ax.set_xticks(np.arange(len(out)) if len(out) <= 32 else [])
    o_ax.set_xlabel("output dimension", fontsize=8)
    title = o_ax.set_title(
        f"3  weighted sum: output of {_label(widget.query_tokens[i])}", loc="left", fontsize=10
    )
    title.set_parse_math(False)


def plot(widget: AttentionWidget, ax: Axes | None = None) -> Figure:
    """A figure of the widget's current state.

    Parameters
    ----------
    widget : AttentionWidget
    ax : matplotlib Axes, optional
        Draw only the weights heatmap into this Axes. By default a new figure shows the
        heatmap and, beside it, the selected query's three steps.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn into.
    """
    if ax is not None:
        heatmap(widget, ax)
        return ax.figure
    from matplotlib.figure import Figure

    m, n = widget.weights.shape
    fig = Figure(figsize=(11, max(3.8, min(8.0, 1.2 + 0.35 * m))), layout="constrained")
    grid = fig.add_gridspec(3, 2, width_ratios=[1.25, 1])
    heatmap(widget, fig.add_subplot(grid[:, 0]))
    steps(widget, [fig.add_subplot(grid[r, 1]) for r in range(3)])
    return fig


def plot_heads(heads: AttentionHeads) -> Figure:
    """Small multiples of every head of the selected layer; the selected head is framed.

    Parameters
    ----------
    heads : AttentionHeads

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    layer = heads.weights[heads.layer]
    count = layer.shape[0]
    cols = min(count, 6)
    rows = -(-count // cols)
    fig = Figure(figsize=(2.2 * cols + 0.6, 2.3 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    n = layer.shape[-1]
    for h, ax in enumerate(axes.flat):
        if h >= count:
            ax.set_axis_off()
            continue
        ax.imshow(layer[h], cmap="viridis", vmin=0.0, vmax=1.0)
        ax.set_title(f"head {h}", fontsize=9, fontweight="bold" if h == heads.head else None)
        if h == heads.head:
            for spine in ax.spines.values():
                spine.set(color="#d62728", linewidth=2.5)
        if n <= 16 and h % cols == 0:
            _literal_labels(ax, "y", range(layer.shape[1]), heads.query_tokens)
            ax.tick_params(labelsize=7)
        else:
            ax.set_yticks([])
        if n <= 16 and h >= count - cols:
            _literal_labels(ax, "x", range(n), heads.key_tokens)
            ax.tick_params(axis="x", labelrotation=90, labelsize=7)
        else:
            ax.set_xticks([])
    fig.suptitle(f"layer {heads.layer}: attention weights of every head", fontsize=11)
    return fig


def save_figure(widget: AttentionWidget, path: str | pathlib.Path, *, dpi: int = 150) -> None:
    """Save :func:`plot` to ``path``; the format follows the suffix (png, svg, pdf, ...)."""
    path = pathlib.Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if not fmt:
        raise ValueError(f"path must end in a format suffix such as .png, .svg or .pdf: {path}")
    plot(widget).savefig(path, format=fmt, dpi=dpi)


def png_bytes(widget: AttentionWidget | AttentionHeads, *, dpi: int = 72) -> bytes:
    """The widget's figure as a small PNG (the mimebundle's fallback image)."""
    from .heads import AttentionHeads

    fig = plot_heads(widget) if isinstance(widget, AttentionHeads) else plot(widget)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
