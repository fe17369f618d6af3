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

import numpy as np
from traitlets import Int, List, Unicode, observe, validate

from .. import export, fallback, figures
from ..wire.codec import quantised_serialization
from ..wire.protocol import HEADS
from ..wire.traits import AttentionInputError, Index, Tokens, Weights, check_weights, validate_as
from .base import WidgetBase, check_options

__all__ = ["AttentionHeads"]


_CHECKED = ("weights", "query_tokens", "key_tokens", "layer", "head")


class AttentionHeads(WidgetBase):
    """Precomputed attention weights of a model: pick a layer and a head, compare heads.

    Parameters
    ----------
    weights : array_like or tuple of array_like
        Attention weights (rows are softmax outputs, so in [0, 1]): (layers, heads, M, N),
        (heads, M, N) or (M, N); or as a model returns them, ``outputs.attentions`` (a tuple
        of per-layer (batch, heads, M, N)) or (layers, batch, heads, M, N). Torch tensors of
        any float dtype (bfloat16 too) are read without importing torch. The layouts:
        :mod:`attnwidget.core.layouts`.
    tokens : sequence of str
        Key tokens (length N); also the query tokens when ``query_tokens`` is None and M == N.
    query_tokens : sequence of str, optional
        Query tokens (length M).
    layer, head : int
        Selected at first.
    batch : int, optional
        The example to show when ``weights`` has a batch axis (default 0). With a 4-D
        ``weights``, ``batch`` says it is one layer's (batch, heads, M, N).

    Raises
    ------
    ValueError
        (an :class:`~attnwidget.AttentionInputError`) naming the argument.
    """

    protocol = HEADS
    _kind = Unicode("heads").tag(sync=True)

    weights = Weights().tag(sync=True, **quantised_serialization)
    query_tokens = Tokens().tag(sync=True)
    key_tokens = Tokens().tag(sync=True)
    layer = Index().tag(sync=True)
    head = Index().tag(sync=True)
    shape = List(Int()).tag(sync=True)

    def __init__(
        self,
        weights: Any,
        tokens: Sequence[str],
        *,
        query_tokens: Sequence[str] | None = None,
        layer: int = 0,
        head: int = 0,
        batch: int | None = None,
        **kwargs: Any,
    ) -> None:
        check_options("AttentionHeads", kwargs)
        w = check_weights(weights, batch)
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

    @observe("weights")
    def _on_weights(self, change: Any) -> None:
        self.shape = list(change["new"].shape)

    @property
    def selected(self) -> np.ndarray:
        """The weights of the selected layer and head, shape (M, N)."""
        return self.weights[self.layer, self.head]

    def plot(self) -> Any:
        """Small multiples of the selected layer's heads (a matplotlib Figure)."""
        return figures.plot_heads(self)

    def _fallback_png(self) -> bytes:
        layer, head = self.layer, self.head
        return fallback.heatmap_png(
            self.weights[layer, head],
            self.query_tokens,
            self.key_tokens,
            f"layer {layer}, head {head} of {self.weights.shape[1]}",
            caption="weights: 0 (purple) to 1 (yellow)",
        )

    def to_html(self, path: str | pathlib.Path | None = None, *, title: str | None = None) -> str:
        """Export as one self-contained, offline HTML page (see :mod:`attnwidget.export`)."""
        return export.to_html(self, path, title=title)


def _check_tokens(tokens: Any, count: int, name: str, what: str) -> list[str]:
    items = validate_as(Tokens(), name, tokens)
    if len(items) != count:
        raise AttentionInputError(
            f"{name} must have one token per {what}: expected {count}, got {len(items)}"
        )
    return items
