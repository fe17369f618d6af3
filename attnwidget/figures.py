"""Matplotlib figures of a widget: for papers, PDFs and readers without JavaScript.

Every figure does bounded work, whatever the size of the widget: beyond :data:`MAX_CELLS`
queries or keys the heatmap shows max-pooled blocks, beyond :data:`MAX_LABELS` keys the bars
show the :data:`TOP_KEYS` keys of most weight, beyond :data:`MAX_HEADS` heads the small
multiples show a window around the selected head; each time a caption says what is shown.
Tokens are drawn as literal, visible text (:func:`attnwidget._text.display_text`): never as
mathtext, control characters escaped.
"""

from __future__ import annotations

import io
import pathlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .core.text import display_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.image import AxesImage
    from matplotlib.text import Text

    from .widgets.attention import AttentionWidget
    from .widgets.heads import AttentionHeads

__all__ = [
    "FORMULAS",
    "MAX_CELLS",
    "MAX_HEAD_CELLS",
    "MAX_HEADS",
    "MAX_LABELS",
    "TOP_KEYS",
    "max_pool",
    "plot",
    "plot_heads",
    "save_figure",
    "png_bytes",
]

FORMULAS: dict[str, str] = {
    "dot": r"$\mathrm{score}(q, k_i) = q^\top k_i$",
    "general": r"$\mathrm{score}(q, k_i) = q^\top W k_i$",
    "scaled_dot": r"$\mathrm{score}(q, k_i) = q^\top k_i / \sqrt{d_k}$",
    "concat": r"$\mathrm{score}(q, k_i) = v^\top \tanh(W[q; k_i])$",
    "additive": r"$\mathrm{score}(q, k_i) = v^\top \tanh(Wq + Uk_i)$",
}
"""Each score function's formula, in matplotlib mathtext."""

MAX_LABELS = 40
"""Most token labels on an axis (all of them up to this many tokens)."""
TOP_KEYS = 20
"""Beyond MAX_LABELS keys, the bars show this many: the keys of most weight, labelled."""
MAX_CELLS = 400
"""Most heatmap cells (and output bars) per axis: beyond, max-pooled blocks (or min-max bins)."""
MAX_HEAD_CELLS = 128
"""Most cells per axis of one head in :func:`plot_heads` (max-pooled beyond)."""
MAX_HEADS = 12
"""Most heads :func:`plot_heads` draws: a window around the selected head beyond."""

_LABEL_MAX = 24
_CAPTION_SIZE = 8


def _label(token: str) -> str:
    text = display_text(token)
    return text if len(text) <= _LABEL_MAX else text[: _LABEL_MAX - 1] + "…"


def _literal(text: Text) -> Text:
    """Drawn as typed: never parsed as mathtext or TeX (``$`` in a token stays ``$``)."""
    text.set_parse_math(False)
    text.set_usetex(False)
    return text


def _literal_labels(ax: Axes, axis: str, ticks: Sequence[float], labels: Sequence[str]) -> None:
    """Token tick labels, visible and literal (labels are passed through :func:`_label`)."""
    getattr(ax, f"set_{axis}ticks")(list(ticks), labels=[_label(t) for t in labels])
    for text in getattr(ax, f"get_{axis}ticklabels")():
        _literal(text)


def max_pool(a: np.ndarray, rows: int, cols: int) -> tuple[np.ndarray, tuple[int, int]]:
    """The maximum of each block of ``a``, with blocks so large that at most rows x cols remain.

    Parameters
    ----------
    a : ndarray, shape (M, N)
    rows, cols : int
        The most blocks along each axis.

    Returns
    -------
    pooled : ndarray, shape (ceil(M / bm), ceil(N / bn))
        ``a`` itself when it already fits (no copy); the last block of an axis may be shorter.
    block : (int, int)
        The block size ``(bm, bn) = (ceil(M / rows), ceil(N / cols))``.
    """
    m, n = a.shape
    bm, bn = -(-m // rows), -(-n // cols)
    if bn > 1:  # (along each row first: one contiguous pass over a)
        a = np.maximum.reduceat(a, np.arange(0, n, bn), axis=1)
    if bm > 1:
        a = np.maximum.reduceat(a, np.arange(0, m, bm), axis=0)
    return a, (bm, bn)


def _show_pooled(ax: Axes, w: np.ndarray, cells: int, **kwargs: Any) -> tuple[AxesImage, str]:
    """``imshow`` of ``w`` max-pooled to at most ``cells`` blocks per axis, in the coordinates
    of w's own indices. Returns the image and a caption ("" when nothing was pooled)."""
    m, n = w.shape
    shown, (bm, bn) = max_pool(w, cells, cells)
    if (bm, bn) == (1, 1):
        return ax.imshow(w, **kwargs), ""
    r, c = shown.shape
    extent = (-0.5, c * bn - 0.5, r * bm - 0.5, -0.5)
    image = ax.imshow(shown, extent=extent, interpolation="nearest", **kwargs)
    ax.set_xlim(-0.5, n - 0.5)  # (the last blocks may be shorter)
    ax.set_ylim(m - 0.5, -0.5)
    return image, f"showing {r:,} × {c:,} blocks of {m:,} × {n:,} (max of each {bm:,} × {bn:,})"


def _bars(
    ax: Axes, x: np.ndarray, top: np.ndarray, bottom: Any = 0.0, *, width: float = 0.8, **kw: Any
) -> None:
    """Bars as ONE artist (``ax.bar`` makes a Rectangle per bar): the same look, less work."""
    x = np.asarray(x, dtype=np.float64)
    top = np.asarray(top, dtype=np.float64)
    low = np.broadcast_to(np.asarray(bottom, dtype=np.float64), top.shape)
    left, right = x - width / 2, x + width / 2
    corners = [(left, low), (left, top), (right, top), (right, low)]
    verts = np.stack([np.stack(c, axis=-1) for c in corners], axis=1)
    from matplotlib.collections import PolyCollection

    bars = PolyCollection(verts, edgecolors="none", **kw)
    bars.sticky_edges.y.append(0.0)
    ax.add_collection(bars)
    ax.update_datalim(np.concatenate([verts.reshape(-1, 2), [[left[0], 0.0]]]))
    ax.autoscale_view()


def heatmap(widget: AttentionWidget, ax: Axes) -> Axes:
    """Draw the weights heatmap (queries x keys) with tokens and the formula as title.

    Beyond :data:`MAX_CELLS` queries or keys the weights are max-pooled into blocks (so a
    sharp peak stays visible) and the x label says so.
    """
    w = widget.weights
    top = float(w.max())
    image, caption = _show_pooled(
        ax, w, MAX_CELLS, cmap="viridis", vmin=0.0, vmax=max(top, 1e-12), aspect="auto"
    )
    m, n = w.shape
    if n <= MAX_LABELS:
        _literal_labels(ax, "x", range(n), widget.key_tokens)
        ax.tick_params(axis="x", labelrotation=45)
    if m <= MAX_LABELS:
        _literal_labels(ax, "y", range(m), widget.query_tokens)
    if m * n <= 144:
        for i in range(m):
            for j in range(n):
                colour = "black" if w[i, j] > 0.6 * top else "white"
                ax.text(j, i, f"{w[i, j]:.2f}", ha="center", va="center", fontsize=8, color=colour)
    ax.set_xlabel(f"keys\n{caption}" if caption else "keys")
    ax.set_ylabel("queries")
    t = widget.temperature
    suffix = "" if t == 1.0 else f"   (temperature {t:g})"
    ax.set_title(FORMULAS[widget.score] + suffix, fontsize=11)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="weight")
    return ax


def steps(widget: AttentionWidget, axes: Sequence[Axes]) -> None:
    """The selected query's three steps: scores, softmax weights, weighted sum.

    Beyond :data:`MAX_LABELS` keys, the scores and weights of the :data:`TOP_KEYS` keys of
    most weight are shown (in key order) and a caption says how many keys were left out and
    the weight they hold.
    """
    i = widget.selected_query
    keys = widget.key_tokens
    n = len(keys)
    s_ax, w_ax, o_ax = axes
    scores, weights = widget.scores[i], widget.weights[i]
    if n <= MAX_LABELS:
        x = np.arange(n)
        s_ax.bar(x, scores, color="#6c8ebf")
        w_ax.bar(x, weights, color="#3b7a57")
    else:
        shown = np.sort(np.argpartition(weights, n - TOP_KEYS)[n - TOP_KEYS :])
        x = np.arange(len(shown))
        _bars(s_ax, x, scores[shown], facecolors="#6c8ebf")
        _bars(w_ax, x, weights[shown], facecolors="#3b7a57")
        rest = max(float(weights.sum() - weights[shown].sum()), 0.0)
        w_ax.set_xlabel(
            f"the top {len(shown)} of {n:,} keys by weight, in key order (index: token);\n"
            f"the other {n - len(shown):,} keys hold {rest:.3g} of the weight",
            fontsize=_CAPTION_SIZE,
        )
    s_ax.axhline(0, color="grey", lw=0.8)
    s_ax.set_title("1  score", loc="left", fontsize=10)
    if n <= MAX_LABELS:
        w_ax.set_ylim(0, 1)
    else:  # (so that weights of 1e-5 stay visible: the scale starts at 0 all the same)
        w_ax.set_ylim(0, max(float(weights[shown].max()) * 1.05, 1e-12))
    w_ax.set_title("2  softmax weights", loc="left", fontsize=10)
    if n <= MAX_LABELS:
        for ax in (s_ax, w_ax):
            _literal_labels(ax, "x", x, keys)
            ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    else:  # the labels once, under the weights (the scores' bars are the same keys)
        _literal_labels(w_ax, "x", x, [f"{j}: {keys[j]}" for j in shown])
        w_ax.tick_params(axis="x", labelrotation=45, labelsize=7)
        for text in w_ax.get_xticklabels():
            text.set(ha="right", rotation_mode="anchor")
        s_ax.set_xticks(x)
        s_ax.tick_params(axis="x", labelbottom=False)
        s_ax.set_xlim(w_ax.get_xlim())
    _output_bars(o_ax, widget.output[i])
    title = o_ax.set_title(
        f"3  weighted sum: output of {_label(widget.query_tokens[i])}", loc="left", fontsize=10
    )
    _literal(title)


def _output_bars(ax: Axes, out: np.ndarray) -> None:
    """The weighted sum, a bar per dimension; beyond MAX_CELLS, a bar per bin (min to max)."""
    d = len(out)
    label = "output dimension"
    if d <= MAX_LABELS:
        ax.bar(np.arange(d), out, color="#b5651d")
    elif d <= MAX_CELLS:
        _bars(ax, np.arange(d), out, facecolors="#b5651d")
    else:
        size = -(-d // MAX_CELLS)
        starts = np.arange(0, d, size)
        low = np.minimum(np.minimum.reduceat(out, starts), 0.0)
        high = np.maximum(np.maximum.reduceat(out, starts), 0.0)
        centres = (starts + np.minimum(starts + size, d) - 1) / 2
        _bars(ax, centres, high, low, width=0.8 * size, facecolors="#b5651d")
        label += (
            f"\nshowing {len(starts):,} bars of {d:,} dimensions\n"
            f"(each from the min to the max of {size:,})"
        )
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xticks(np.arange(d) if d <= 32 else [])
    ax.set_xlabel(label, fontsize=8)


def plot(widget: AttentionWidget, ax: Axes | None = None) -> Figure:
    """A figure of the widget's current state.

    The work is bounded at every size the widget accepts: large weights are max-pooled, the
    bars show the top keys by weight, and a caption says so (see the module's docstring).

    Parameters
    ----------
    widget : AttentionWidget
    ax : matplotlib Axes, optional
        Draw only the weights heatmap into this Axes. By default a new figure shows the
        heatmap and, beside it, the selected query's three steps.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn into: by default a new one that a notebook shows as an image
        (not registered with pyplot: no open figure is left behind).
    """
    if ax is not None:
        heatmap(widget, ax)
        return ax.figure
    from ._notebookfigure import NotebookFigure

    m, n = widget.weights.shape
    height = max(3.8, min(8.0, 1.2 + 0.35 * m))
    if n > MAX_LABELS:  # room for the top keys' labels and the captions
        height = max(height, 5.5)
    fig = NotebookFigure(figsize=(11, height), layout="constrained")
    grid = fig.add_gridspec(3, 2, width_ratios=[1.25, 1])
    heatmap(widget, fig.add_subplot(grid[:, 0]))
    steps(widget, [fig.add_subplot(grid[r, 1]) for r in range(3)])
    return fig


def _head_window(count: int, selected: int) -> range:
    """At most MAX_HEADS heads, the selected one among them (centred where it can be)."""
    if count <= MAX_HEADS:
        return range(count)
    start = min(max(selected - MAX_HEADS // 2, 0), count - MAX_HEADS)
    return range(start, start + MAX_HEADS)


def plot_heads(heads: AttentionHeads) -> Figure:
    """Small multiples of the heads of the selected layer; the selected head is framed.

    At most :data:`MAX_HEADS` heads (a window around the selected one) of at most
    :data:`MAX_HEAD_CELLS` max-pooled blocks per axis; the figure's x label says when so.

    Parameters
    ----------
    heads : AttentionHeads

    Returns
    -------
    matplotlib.figure.Figure
        A new one that a notebook shows as an image (not registered with pyplot).
    """
    from ._notebookfigure import NotebookFigure

    layer = heads.weights[heads.layer]
    count, m, n = layer.shape
    window = _head_window(count, heads.head)
    cols = min(len(window), 6)
    rows = -(-len(window) // cols)
    fig = NotebookFigure(figsize=(2.2 * cols + 0.6, 2.3 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    caption = ""
    for k, ax in enumerate(axes.flat):
        if k >= len(window):
            ax.set_axis_off()
            continue
        h = window[k]
        _, caption = _show_pooled(ax, layer[h], MAX_HEAD_CELLS, cmap="viridis", vmin=0, vmax=1)
        ax.set_title(f"head {h}", fontsize=9, fontweight="bold" if h == heads.head else None)
        if h == heads.head:
            for spine in ax.spines.values():
                spine.set(color="#d62728", linewidth=2.5)
        if n <= 16 and k % cols == 0:
            _literal_labels(ax, "y", range(m), heads.query_tokens)
            ax.tick_params(labelsize=7)
        else:
            ax.set_yticks([])
        if n <= 16 and k >= len(window) - cols:
            _literal_labels(ax, "x", range(n), heads.key_tokens)
            ax.tick_params(axis="x", labelrotation=90, labelsize=7)
        else:
            ax.set_xticks([])
    fig.suptitle(f"layer {heads.layer}: attention weights of every head", fontsize=11)
    notes = []
    if len(window) < count:
        notes.append(
            f"heads {window.start}–{window.stop - 1} of {count:,} (around the selected head)"
        )
    if caption:
        notes.append(f"each head: {caption}")
    if notes:
        fig.supxlabel("; ".join(notes), fontsize=_CAPTION_SIZE)
    return fig


def save_figure(
    widget: AttentionWidget,
    path: str | pathlib.Path,
    *,
    dpi: int = 150,
    draw: Callable[[AttentionWidget], Figure] | None = None,
) -> None:
    """Save :func:`plot` (or ``draw(widget)``) to ``path``; the format follows the suffix."""
    path = pathlib.Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if not fmt:
        raise ValueError(f"path must end in a format suffix such as .png, .svg or .pdf: {path}")
    (draw or plot)(widget).savefig(path, format=fmt, dpi=dpi)


def png_bytes(fig: Figure, *, dpi: int = 72) -> bytes:
    """A figure as a small PNG (the mimebundle's fallback image)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
