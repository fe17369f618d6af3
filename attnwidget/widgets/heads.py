"""AttentionHeads: precomputed attention weights (layers, heads, M, N), as models give them.

For researchers looking at attention in their own models: the weights a transformer returns
(``output_attentions=True`` in most libraries), with a layer and a head selector and small
thumbnails of every head to pick from (a model view). The kernel keeps the whole tensor (in its
own float16/32 dtype); a live view receives the selected head only, quantised row by row to 8
bits (each row scaled by its maximum: error at most ``row max / 510``), plus every head
max-pooled to a 32 x 32 thumbnail; picking another head asks the kernel for it. A page
(``to_html``) has no kernel to ask: it carries every head up to
:data:`~attnwidget.wire.protocol.MAX_WEIGHTS` weights, else the chosen layers and heads.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any

import numpy as np
from traitlets import Instance, Int, List, Unicode, observe, validate

from .. import export, fallback, figures
from ..core.pooling import pool_heads, remembered_thumbnails
from ..wire.codec import _refuse, heads_to_json, quantised_serialization
from ..wire.protocol import HEADS, MAX_THUMBNAILS, MAX_WEIGHTS, THUMBNAIL_SIDE
from ..wire.traits import (
    UNIT_BITS,
    AttentionInputError,
    Index,
    Tokens,
    Weights,
    check_weights_deferred,
    validate_as,
)
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

    Notes
    -----
    For 64 MiB and more of float16/32 weights, the kernel's own copy is made in a background
    thread while the first head is shown from the caller's array: do not change that array
    in place until the copy is made.
    """

    protocol = HEADS
    _kind = Unicode("heads").tag(sync=True)

    weights = Weights().tag(sync=True, to_json=lambda v, w: w._carried_json(v), from_json=_refuse)
    thumbnails = Instance(np.ndarray, allow_none=True).tag(sync=True, **quantised_serialization)
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
        w, copying = check_weights_deferred(weights, batch)
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
        self._copying = copying
        if copying is not None:
            copying.add_done_callback(lambda done: self._take_copy(w, done))

    _copying: Future[np.ndarray] | None = None

    def _take_copy(self, shown: np.ndarray, done: Future[np.ndarray]) -> None:
        """The background copy is made: keep it instead of the view of the caller's array
        (the same values: nothing to send or notify), unless the weights were replaced since."""
        if done.exception() is None and self._trait_values.get("weights") is shown:
            self._trait_values["weights"] = done.result()

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
        new = change["new"]
        known = remembered_thumbnails(new)
        self.thumbnails = known if known is not None else thumbnails(new)

    @observe("layer", "head")
    def _on_selection(self, change: Any) -> None:
        """A live view has the selected head only: send it the newly selected one."""
        # (a view's edit of both: traitlets notifies each once both are set, so send once)
        sent = (self.layer, self.head, id(self.weights))
        if self._carry is None and sent != self._sent:
            self._sent = sent
            self.send_state("weights")

    _sent: tuple[int, int, int] | None = None

    _carry: tuple[list[int], list[int]] | None = None

    def _carried_json(self, value: np.ndarray) -> dict[str, Any]:
        layers, heads = self._carry or ([self.layer], [self.head])
        return heads_to_json(value, layers, heads)

    def page_heads(
        self, layers: Sequence[int] | None = None, heads: Sequence[int] | None = None
    ) -> tuple[list[int], list[int]]:
        """The layers and heads a page (``to_html``) carries at full size.

        Parameters
        ----------
        layers, heads : sequence of int, optional
            The ones to carry. By default every layer and head while they hold at most
            :data:`~attnwidget.wire.protocol.MAX_WEIGHTS` weights, else the selected layer's
            heads if they fit, else the selected head; the page shows the others as their
            thumbnails only.

        Raises
        ------
        AttentionInputError
            For an index out of range, or a choice of more than ``MAX_WEIGHTS`` weights.
        """
        n_layers, n_heads, m, n = self.weights.shape
        chosen = []
        for name, given, count in (("layers", layers, n_layers), ("heads", heads, n_heads)):
            if given is None:
                chosen.append(list(range(count)))
                continue
            items = [given] if isinstance(given, (int, np.integer)) else list(given)
            bad = [i for i in items if not isinstance(i, (int, np.integer)) or not 0 <= i < count]
            if not items or bad:
                raise AttentionInputError(
                    f"{name} must be indices in [0, {count - 1}], got {given!r}"
                )
            chosen.append(sorted({int(i) for i in items}))
        if layers is None and heads is None:
            if n_layers * n_heads * m * n > MAX_WEIGHTS:
                chosen = [
                    [self.layer],
                    chosen[1] if n_heads * m * n <= MAX_WEIGHTS else [self.head],
                ]
        elif len(chosen[0]) * len(chosen[1]) * m * n > MAX_WEIGHTS:
            raise AttentionInputError(
                f"layers x heads chosen hold {len(chosen[0]) * len(chosen[1]) * m * n:,} weights, "
                f"a page carries at most {MAX_WEIGHTS:,}; choose fewer layers or heads"
            )
        return chosen[0], chosen[1]

    @contextmanager
    def carrying(
        self, layers: Sequence[int] | None = None, heads: Sequence[int] | None = None
    ) -> Iterator[None]:
        """While inside, the state (``get_state``) carries :meth:`page_heads` (for a page)."""
        self._carry = self.page_heads(layers, heads)
        try:
            yield
        finally:
            self._carry = None

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

    def to_html(
        self,
        path: str | pathlib.Path | None = None,
        *,
        title: str | None = None,
        layers: Sequence[int] | None = None,
        heads: Sequence[int] | None = None,
    ) -> str:
        """Export as one self-contained, offline HTML page (see :mod:`attnwidget.export`).

        The page carries the heads of :meth:`page_heads` (``layers``, ``heads``) at full size
        and every head as a thumbnail.
        """
        return export.to_html(self, path, title=title, layers=layers, heads=heads)


def _check_tokens(tokens: Any, count: int, name: str, what: str) -> list[str]:
    items = validate_as(Tokens(), name, tokens)
    if len(items) != count:
        raise AttentionInputError(
            f"{name} must have one token per {what}: expected {count}, got {len(items)}"
        )
    return items


def thumbnails(weights: np.ndarray, side: int = THUMBNAIL_SIDE) -> np.ndarray | None:
    """Every head max-pooled to at most ``side`` x ``side`` (float32, (layers, heads, T, T')),
    or None beyond :data:`~attnwidget.wire.protocol.MAX_THUMBNAILS` heads
    (:func:`~attnwidget.core.pooling.pool_heads`: rows first, one layer at a time).
    """
    n_layers, n_heads, _, _ = weights.shape
    if n_layers * n_heads > MAX_THUMBNAILS:
        return None
    # checked float16/32 weights are in [0, 1] without -0.0: their bits, as unsigned integers,
    # order as the values (and pool much faster than float16 arithmetic)
    ints = UNIT_BITS.get(weights.dtype, (None,))[0]
    pooled = pool_heads(weights if ints is None else weights.view(ints), side)
    return (pooled if ints is None else pooled.view(weights.dtype)).astype(np.float32, copy=False)
