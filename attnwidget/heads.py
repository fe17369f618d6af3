"""AttentionHeads: precomputed attention weights (layers, heads, M, N), as models give them.

For researchers looking at attention in their own models: the weights a transformer returns
(``output_attentions=True`` in most libraries), with a layer and a head selector and small
multiples of every head of a layer. The weights cross the wire quantised row by row to 8 bits
(each row scaled by its maximum: error at most ``row max / 510``), which keeps a
12-layer, 12-head, 128-token tensor at 2.4 MB instead of 19 MB of float64.
"""

from __future__ import annotations

import pathlib
from collections.abc import Sequence
from typing import Any

import anywidget
import numpy as np
from traitlets import Int, List, TraitType, Unicode, observe, validate

from ._checks import as_float_array, freeze, is_frozen, raise_if_non_finite
from .traits import AttentionInputError, Index, Tokens, validate_as

__all__ = ["AttentionHeads", "quantise_rows", "dequantise_rows"]

_STATIC = pathlib.Path(__file__).parent / "static"

MAX_WEIGHTS = 32 * 2**20
"""Most weights an AttentionHeads widget shows (1 byte each on the wire)."""


def quantise_rows(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Quantise each row (last axis) to uint8, scaled by the row's maximum.

    Parameters
    ----------
    weights : ndarray, shape (..., N)
        Non-negative values.

    Returns
    -------
    codes : ndarray of uint8, shape (..., N)
        ``round(w / row_max * 255)``.
    scale : ndarray of float32, shape (...)
        ``row_max / 255`` (0 for an all-zero row); ``codes * scale`` recovers the weights to
        within ``row_max / 510``.
    """
    w = np.asarray(weights, dtype=np.float64)
    top = w.max(axis=-1)
    safe = np.where(top > 0, top, 1.0)
    codes = np.rint(w / safe[..., None] * 255.0).astype(np.uint8)
    return codes, (top / 255.0).astype(np.float32)


def dequantise_rows(codes: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Inverse of :func:`quantise_rows` (float64)."""
    return codes.astype(np.float64) * scale.astype(np.float64)[..., None]


def _quantised_to_json(value: np.ndarray | None, widget: Any = None) -> dict | None:
    if value is None:
        return None
    codes, scale = quantise_rows(value)
    return {
        "dtype": "uint8-rows",
        "shape": list(codes.shape),
        "buffer": memoryview(np.ascontiguousarray(codes)).cast("B"),
        "scale": memoryview(np.ascontiguousarray(scale, dtype="<f4")).cast("B"),
    }


def _refuse(value: Any, widget: Any = None) -> Any:
    raise AttentionInputError("weights are set from Python only")


class _Weights(TraitType):
    """Attention weights (layers, heads, M, N) in [0, 1]; fewer leading axes are added."""

    info_text = "attention weights of shape (layers, heads, M, N)"

    def validate(self, obj: Any, value: Any) -> np.ndarray:
        if is_frozen(value) and value.ndim == 4:
            return value  # checked already (traitlets validates again when it stores)
        return _check_weights(value)


_CHECKED = ("weights", "query_tokens", "key_tokens", "layer", "head")
_VIEW_EDITS = frozenset({"layer", "head", "layout", "tabbable", "tooltip"})


class AttentionHeads(anywidget.AnyWidget):
    """Precomputed attention weights of a model: pick a layer and a head, compare heads.

    Parameters
    ----------
    weights : array_like, shape (layers, heads, M, N), (heads, M, N) or (M, N)
        Attention weights (rows are softmax outputs, so in [0, 1]). Torch tensors are
        accepted (detached) without importing torch.
    tokens : sequence of str
        Key tokens (length N); also the query tokens when ``query_tokens`` is None and M == N.
    query_tokens : sequence of str, optional
        Query tokens (length M).
    layer, head : int
        Selected at first.

    Raises
    ------
    ValueError
        (an :class:`~attnwidget.AttentionInputError`) naming the argument.
    """

    _esm = _STATIC / "widget.js"
    _css = _STATIC / "widget.css"
    _kind = Unicode("heads").tag(sync=True)

    weights = _Weights().tag(sync=True, to_json=_quantised_to_json, from_json=_refuse)
    query_tokens = Tokens().tag(sync=True)
    key_tokens = Tokens().tag(sync=True)
    layer = Index().tag(sync=True)
    head = Index().tag(sync=True)
    shape = List(Int()).tag(sync=True)
    error = Unicode("").tag(sync=True)

    def __init__(
        self,
        weights: Any,
        tokens: Sequence[str],
        *,
        query_tokens: Sequence[str] | None = None,
        layer: int = 0,
        head: int = 0,
        **kwargs: Any,
    ) -> None:
        unknown = sorted(k for k in kwargs if k not in ("layout",))
        if unknown:
            raise TypeError(
                f"AttentionHeads() got unexpected keyword argument(s): {', '.join(unknown)}"
            )
        w = _check_weights(weights)
        layers, heads, m, n = w.shape
        kt = _check_tokens(tokens, n, "tokens", "keys (the last axis of weights)")
        if query_tokens is None:
            if m != n:
                raise AttentionInputError(
                    f"query_tokens are required when weights have M={m} queries and N={n} keys"
                )
            qt = kt
        else:
            qt = _check_tokens(query_tokens, m, "query_tokens", "queries (axis -2 of weights)")
        super().__init__(
            weights=w,
            query_tokens=qt,
            key_tokens=kt,
            shape=[layers, heads, m, n],
            layer=layer,
            head=head,
            **kwargs,
        )

    def update(self, **changes: Any) -> None:
        """Change several traits at once (e.g. ``weights`` with new ``key_tokens``).

        Parameters
        ----------
        **changes
            Any of ``weights``, ``query_tokens``, ``key_tokens``, ``layer``, ``head``.

        Raises
        ------
        TypeError
            For another name.
        AttentionInputError
            If the values do not fit together; then no trait changes.
        """
        unknown = sorted(set(changes) - set(_CHECKED))
        if unknown:
            raise TypeError(f"update() got unexpected trait name(s): {', '.join(unknown)}")
        with self.hold_trait_notifications():
            for name, value in changes.items():
                setattr(self, name, value)

    @validate(*_CHECKED)
    def _check_fit(self, proposal: Any) -> Any:
        """Every change must fit the others: tokens the weights' axes, layer and head in range.

        Inside ``hold_trait_notifications()`` (``update()``, a view's edit) traitlets runs this
        on the final values, so changes that only fit together are accepted together.
        """
        value = proposal["value"]
        name = proposal["trait"].name
        current = {n: value if n == name else getattr(self, n) for n in _CHECKED}
        layers, heads, m, n = current["weights"].shape
        for what, count, axis in (("key_tokens", n, "N"), ("query_tokens", m, "M")):
            got = len(current[what])
            if got != count:
                raise AttentionInputError(
                    f"{what} must have one token per {'key' if axis == 'N' else 'query'}: "
                    f"weights have {axis}={count}, {what} has {got} (change both with "
                    "update(weights=..., key_tokens=..., query_tokens=...))"
                )
        for what, count in (("layer", layers), ("head", heads)):
            if not 0 <= current[what] < count:
                raise AttentionInputError(
                    f"{what} must be in [0, {count - 1}], got {current[what]}"
                )
        return value

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Apply a view's selection; anything else a view sends is refused with :attr:`error`."""
        try:
            not_editable = sorted(k for k in sync_data if k not in _VIEW_EDITS)
            if not_editable:
                raise AttentionInputError(
                    f"a view cannot set {', '.join(not_editable)}: only the kernel does"
                )
            super().set_state(sync_data)
        except Exception as exc:
            self.error = str(exc)
            self.send_state([k for k in sync_data if k in self.keys])
        else:
            self.error = ""

    @observe("weights")
    def _on_weights(self, change: Any) -> None:
        self.shape = list(change["new"].shape)

    @property
    def selected(self) -> np.ndarray:
        """The weights of the selected layer and head, shape (M, N)."""
        return self.weights[self.layer, self.head]

    def plot(self) -> Any:
        """Small multiples of the selected layer's heads (a matplotlib Figure)."""
        from .figures import plot_heads

        return plot_heads(self)

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        """The widget view, plus a PNG for places that cannot run widgets."""
        from .widget import with_png_fallback

        return with_png_fallback(self, super()._repr_mimebundle_(**kwargs))

    def to_html(self, path: str | pathlib.Path | None = None, *, title: str | None = None) -> str:
        """Export as one self-contained, offline HTML page (see :mod:`attnwidget.export`)."""
        from .export import to_html

        return to_html(self, path, title=title)


def _check_weights(weights: Any) -> np.ndarray:
    # no copy and no scan before the size is known to be acceptable (np.clip copies, below)
    raw = as_float_array(weights, "weights", min_ndim=2, copy=False, check_finite=False)
    w = raw
    if w.ndim > 4:
        raise AttentionInputError(
            f"weights must be (layers, heads, M, N), (heads, M, N) or (M, N), got shape {w.shape}"
        )
    while w.ndim < 4:
        w = w[None]
    if 0 in w.shape:
        raise AttentionInputError(f"weights must not be empty, got shape {w.shape}")
    if w.size > MAX_WEIGHTS:
        raise AttentionInputError(
            f"weights are too large to show: shape {w.shape} has {w.size:,} values, at most "
            f"{MAX_WEIGHTS:,} (e.g. 12 layers x 12 heads x 256 x 256 is 9.4M); pass fewer "
            "layers or heads, or a window of tokens"
        )
    raise_if_non_finite(raw, "weights")  # (indices as given, before the padding)
    if (w < 0).any() or (w > 1 + 1e-6).any():
        bad = np.argwhere((w < 0) | (w > 1 + 1e-6))[0]
        raise AttentionInputError(
            f"weights must be attention weights in [0, 1], found {float(w[tuple(bad)])!r} at "
            f"index {tuple(int(i) for i in bad)}"
        )
    return freeze(np.clip(w, 0.0, 1.0))


def _check_tokens(tokens: Any, count: int, name: str, what: str) -> list[str]:
    items = validate_as(Tokens(), name, tokens)
    if len(items) != count:
        raise AttentionInputError(
            f"{name} must have one token per {what}: expected {count}, got {len(items)}"
        )
    return items
