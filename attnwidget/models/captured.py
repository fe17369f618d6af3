"""CapturedAttention: what every head of a model used, and widgets that reproduce each head."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..widgets.attention import AttentionWidget
from ..widgets.heads import AttentionHeads

__all__ = ["CapturedAttention"]


class CapturedAttention:
    """Per layer, what each attention head of a model used in one forward pass.

    Made by :func:`attnwidget.capture`. The arrays keep the batch axis of the model's input.

    Attributes
    ----------
    attentions : ndarray, shape (layers, batch, heads, M, N)
        The weights the model computed (as ``torch.stack(outputs.attentions)`` with
        ``output_attentions=True``).
    queries : list of ndarray, each (batch, heads, M, d)
        Each layer's queries, after position embeddings (rotary included).
    keys, values : list of ndarray, each (batch, kv_heads, N, d)
        Each layer's keys (after position embeddings) and values, one per key/value head.
    kv_heads : list of ndarray of int, each (heads,)
        The key/value head each query head reads (grouped-query attention: several query
        heads share one).
    masks : list of (ndarray of bool, shape (batch, 1 or heads, M, N)) or None
        The mask the model applied (causal, padding, sliding window...): True = may attend.
    scaling : list of float
        The factor the scores were multiplied by (usually ``d ** -0.5``).
    tokens : list of list of str, or None
        Each example's tokens, when ``tokens`` or ``tokenizer`` was given.
    modules : list of str
        The class of each attention layer.
    outputs
        The model's own outputs.
    """

    def __init__(
        self,
        layers: Sequence[Any],
        tokens: list[list[str]] | None,
        outputs: Any = None,
    ) -> None:
        self.attentions = np.stack([r.weights for r in layers])
        self.queries = [r.queries for r in layers]
        self.keys = [r.keys for r in layers]
        self.values = [r.values for r in layers]
        self.masks = [r.mask for r in layers]
        self.scaling = [r.scaling for r in layers]
        self.modules = [r.module for r in layers]
        self.kv_heads = [
            np.arange(q.shape[1]) // (q.shape[1] // k.shape[1])
            for q, k in zip(self.queries, self.keys, strict=True)
        ]
        self.tokens = tokens
        self.outputs = outputs

    def __repr__(self) -> str:
        layers, batch, heads, m, n = self.attentions.shape
        return (
            f"<CapturedAttention of {layers} layers x {heads} heads, batch {batch}, "
            f"{m} queries x {n} keys ({', '.join(sorted(set(self.modules)))})>"
        )

    def head(self, layer: int, head: int, batch: int = 0) -> dict[str, Any]:
        """One head's inputs, as the engine takes them.

        Returns
        -------
        dict
            ``Q`` (M, d), ``K`` (N, d), ``V`` (N, d_v) (float64), ``mask`` (bool (M, N) or
            None), ``score`` and ``temperature``: ``attention(Q, K, V, score=..., mask=...,
            temperature=...)`` gives the head's weights. The model's scaling s is
            ``scaled_dot`` (1 / sqrt(d)) when s = 1 / sqrt(d), ``dot`` when s = 1, and
            otherwise ``scaled_dot`` with temperature ``1 / (s sqrt(d))``.
        """
        layers, batches, heads = self.attentions.shape[:3]
        for what, value, count in (
            ("layer", layer, layers),
            ("head", head, heads),
            ("batch", batch, batches),
        ):
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, np.integer))
                or not (0 <= value < count)
            ):
                raise ValueError(f"{what} must be an integer in [0, {count - 1}], got {value!r}")
        kv = int(self.kv_heads[layer][head])
        q = self.queries[layer][batch, head].astype(np.float64)
        mask = self.masks[layer]
        if mask is not None:
            mask = mask[batch, head if mask.shape[1] > 1 else 0]
        s, d = self.scaling[layer], q.shape[-1]
        if s == 1.0:
            score, temperature = "dot", 1.0
        elif math.isclose(s * math.sqrt(d), 1.0, rel_tol=1e-9):
            score, temperature = "scaled_dot", 1.0
        else:
            score, temperature = "scaled_dot", 1.0 / (s * math.sqrt(d))
        return {
            "Q": q,
            "K": self.keys[layer][batch, kv].astype(np.float64),
            "V": self.values[layer][batch, kv].astype(np.float64),
            "mask": mask,
            "score": score,
            "temperature": temperature,
        }

    def widget(self, layer: int, head: int, batch: int = 0) -> AttentionWidget:
        """An editable :class:`~attnwidget.AttentionWidget` of one head.

        Its Q, K, V, mask, score and temperature are the head's (see :meth:`head`), so its
        weights equal the model's (to float32 precision); edit a query (``w.Q = ...`` or drag
        it in the view) to see what this head would attend to.

        Rows of queries the model masks entirely (e.g. left padding) are zeros here, where
        the model's softmax gives meaningless uniform weights.
        """
        inputs = self.head(layer, head, batch)
        tokens = self._tokens(batch)
        m, n = inputs["Q"].shape[0], inputs["K"].shape[0]
        key_tokens = tokens[-n:] if tokens is not None and len(tokens) >= n else None
        query_tokens = key_tokens[-m:] if key_tokens is not None else None
        return AttentionWidget(
            inputs["Q"],
            inputs["K"],
            inputs["V"],
            query_tokens=query_tokens,
            key_tokens=key_tokens,
            score=inputs["score"],
            mask=inputs["mask"],
            temperature=inputs["temperature"],
        )

    def heads(self, batch: int = 0, **kwargs: Any) -> AttentionHeads:
        """Every layer and head of one example, as an :class:`~attnwidget.AttentionHeads`.

        Parameters
        ----------
        batch : int
            The example.
        **kwargs
            ``layer``, ``head``: selected at first.
        """
        weights = self.attentions[:, batch]
        m, n = weights.shape[-2:]
        tokens = self._tokens(batch)
        if tokens is None or len(tokens) < n:
            tokens = [f"t{i}" for i in range(n)]
        return AttentionHeads(weights, tokens[-n:], query_tokens=tokens[-m:], **kwargs)

    def _tokens(self, batch: int) -> list[str] | None:
        return None if self.tokens is None else self.tokens[batch]
