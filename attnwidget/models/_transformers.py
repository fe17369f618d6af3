"""Running a transformers model once and recording what each attention layer really used.

transformers (>= 5) lets a model's attention layers call a registered function
(``AttentionInterface``): it receives each layer's queries and keys after the position
embeddings (rotary included), the keys and values before grouped-query heads are repeated,
the mask the model built, and the scaling, right before the softmax. attnwidget registers one
such function (and, for its masks, transformers' own eager masks), switches the model to it for
one forward pass, and records every call. The function computes exactly what transformers'
eager attention computes, so the model's outputs are unchanged.

torch and transformers are imported here only, when a capture runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["IMPLEMENTATION", "LayerRecord", "run"]

IMPLEMENTATION = "attnwidget_capture"
"""The name of attnwidget's attention implementation in transformers' registries."""

# kwargs of the attention interface that change the scores in ways Q, K and a mask cannot show
_UNSUPPORTED = {
    "softcap": "caps the scores with tanh (logit soft-capping)",
    "s_aux": "adds attention sinks to the softmax",
    "sinks": "adds attention sinks to the softmax",
    "position_bias": "adds a position bias to the scores",
    "alibi": "adds an ALiBi bias to the scores",
}


@dataclass
class LayerRecord:
    """What one attention layer used, for the whole batch (numpy, float32 or float64)."""

    module: str
    queries: np.ndarray  # (batch, heads, M, d)
    keys: np.ndarray  # (batch, kv_heads, N, d)
    values: np.ndarray  # (batch, kv_heads, N, d_v)
    mask: np.ndarray | None  # bool (batch, 1 or heads, M, N), True = may attend
    scaling: float
    weights: np.ndarray  # (batch, heads, M, N), as the model computed them


class _Recorder:
    def __init__(self, model_name: str) -> None:
        self.model_name = model_name
        self.layers: list[LayerRecord] = []
        self.seen: set[int] = set()


_ACTIVE: list[_Recorder] = []


def _numpy(t: Any) -> np.ndarray:
    import torch

    t = t.detach().cpu()
    if t.dtype in (torch.bfloat16, torch.float16):
        t = t.float()
    return t.numpy().copy()


def _bool_mask(mask: Any, recorder: _Recorder | None) -> Any:
    """The model's mask as booleans (True = may attend), or an error for a float bias."""
    import torch

    if mask is None or mask.dtype == torch.bool:
        return mask
    blocked = mask <= torch.finfo(mask.dtype).min / 2
    if not bool(((mask == 0) | blocked).all()):
        name = recorder.model_name if recorder else "this model"
        raise ValueError(
            f"attnwidget.capture cannot read {name}: its attention mask adds a bias to the "
            "scores (values other than 0 and -inf), which Q, K and a boolean mask cannot show"
        )
    return ~blocked


def _attend(
    module: Any,
    query: Any,
    key: Any,
    value: Any,
    attention_mask: Any,
    scaling: float | None = None,
    dropout: float = 0.0,
    **kwargs: Any,
) -> tuple[Any, Any]:
    """transformers' eager attention, recording its inputs when a capture is running."""
    import torch

    recorder = _ACTIVE[-1] if _ACTIVE else None
    name = recorder.model_name if recorder else type(module).__name__
    for arg, what in _UNSUPPORTED.items():
        if kwargs.get(arg) is not None:
            raise ValueError(
                f"attnwidget.capture cannot read {name}: its attention ({type(module).__name__}) "
                f"{what} ({arg}=...), which the engine's softmax(Q K^T * scaling) does not"
            )
    if scaling is None:
        scaling = query.shape[-1] ** -0.5
    allowed = _bool_mask(attention_mask, recorder)
    heads, kv_heads = query.shape[1], key.shape[1]
    if heads % kv_heads:
        raise ValueError(
            f"attnwidget.capture cannot read {name}: {heads} query heads over {kv_heads} "
            "key/value heads"
        )
    rep = heads // kv_heads
    k = key.repeat_interleave(rep, dim=1) if rep > 1 else key
    v = value.repeat_interleave(rep, dim=1) if rep > 1 else value
    scores = torch.matmul(query, k.transpose(2, 3)) * scaling
    if attention_mask is not None:
        scores = (
            scores + attention_mask
            if attention_mask.dtype != torch.bool
            else (scores.masked_fill(~attention_mask, torch.finfo(scores.dtype).min))
        )
    weights = torch.softmax(scores, dim=-1, dtype=torch.float32).to(query.dtype)
    weights = torch.nn.functional.dropout(weights, p=dropout, training=module.training)
    output = torch.matmul(weights, v).transpose(1, 2).contiguous()
    if recorder is not None:
        if id(module) in recorder.seen:
            raise ValueError(
                f"attnwidget.capture cannot read {name}: its attention layer "
                f"{type(module).__name__} ran twice in one forward pass"
            )
        recorder.seen.add(id(module))
        recorder.layers.append(
            LayerRecord(
                module=type(module).__name__,
                queries=_numpy(query),
                keys=_numpy(key),
                values=_numpy(value),
                mask=None if allowed is None else allowed.detach().cpu().numpy().copy(),
                scaling=float(scaling),
                weights=_numpy(weights),
            )
        )
    return output, weights


def _register() -> None:
    from transformers import AttentionInterface

    try:
        from transformers.masking_utils import AttentionMaskInterface, eager_mask
    except ImportError as exc:  # pragma: no cover - transformers < 4.53
        raise ImportError(
            "attnwidget.capture needs transformers >= 5 (its AttentionMaskInterface)"
        ) from exc
    AttentionInterface.register(IMPLEMENTATION, _attend)
    AttentionMaskInterface.register(IMPLEMENTATION, eager_mask)


def _check_model(model: Any) -> str:
    name = type(model).__name__
    if not callable(getattr(model, "set_attn_implementation", None)) or not hasattr(
        model, "config"
    ):
        raise TypeError(
            f"attnwidget.capture reads transformers models (a PreTrainedModel), got {name}"
        )
    if getattr(model.config, "is_encoder_decoder", False):
        raise ValueError(
            f"attnwidget.capture cannot read {name}: an encoder-decoder model (its "
            "cross-attention is not captured); capture its encoder or decoder alone"
        )
    can_set = getattr(model, "_can_set_attn_implementation", None)
    if callable(can_set) and not can_set():
        raise ValueError(
            f"attnwidget.capture cannot read {name}: it does not use transformers' "
            "AttentionInterface (its attention implementation cannot be set)"
        )
    return name


@contextlib.contextmanager
def _switched(model: Any) -> Iterator[None]:
    """The model in eval mode on attnwidget's attention implementation, restored after."""
    previous = model.config._attn_implementation
    training = model.training
    model.set_attn_implementation(IMPLEMENTATION)
    model.eval()
    try:
        yield
    finally:
        model.set_attn_implementation(previous)
        model.train(training)


def run(model: Any, inputs: dict[str, Any]) -> tuple[list[LayerRecord], Any]:
    """Run ``model(**inputs)`` once (no grad, eval mode) and record every attention layer.

    Returns
    -------
    layers : list of LayerRecord
        In the order the layers ran.
    outputs
        The model's outputs.
    """
    try:
        import torch
    except ImportError as exc:
        raise ImportError(
            "attnwidget.capture needs torch and transformers: pip install 'attnwidget[torch]'"
        ) from exc
    name = _check_model(model)
    _register()
    recorder = _Recorder(name)
    _ACTIVE.append(recorder)
    try:
        with _switched(model), torch.no_grad():
            outputs = model(**inputs)
    finally:
        _ACTIVE.remove(recorder)
    if not recorder.layers:
        raise ValueError(
            f"attnwidget.capture cannot read {name}: no attention layer called transformers' "
            "AttentionInterface during the forward pass"
        )
    return recorder.layers, outputs
