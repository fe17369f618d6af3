"""Attention weights as models return them, read into one (layers, heads, M, N) array.

Accepted layouts (numpy arrays, torch tensors or anything with ``__array__``):

==========================================  ====================================  ===========
weights                                     read as                               ``batch``
==========================================  ====================================  ===========
(M, N), (heads, M, N), (layers, heads, M, N)  as given                            not allowed
(layers, batch, heads, M, N)                ``weights[:, batch]``                 default 0
a tuple/list of per-layer (batch, heads,    ``stack([w[batch] for w in weights])`` default 0
M, N) (``outputs.attentions``)
a tuple/list of per-layer (heads, M, N)     ``stack(weights)``                    not allowed
(layers, heads, M, N) with ``batch=b``      one layer of a batch: ``weights[b]``  required
==========================================  ====================================  ===========

A 4-D torch tensor whose first axis is > 1 is refused unless ``batch`` is given: a model
returns each layer as (batch, heads, M, N), which would otherwise be read as layers. Stacked
layers ``(layers, heads, M, N)`` of torch go in as ``list(weights)``.

Float16 and float32 stay float32 (no float64 copy); bfloat16 (which numpy lacks) is converted
with the tensor's own ``.float()``, without importing torch here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .checks import to_numpy

__all__ = ["model_weights", "weights_size"]

_HOW = (
    "pass outputs.attentions (a tuple of per-layer (batch, heads, M, N) tensors; batch=0 "
    "picks the example), a (layers, batch, heads, M, N) array, or (layers, heads, M, N)"
)


def _is_torch(value: Any) -> bool:
    return type(value).__module__.split(".")[0] == "torch"


def _is_sequence_of_arrays(value: Any) -> bool:
    return (
        isinstance(value, (list, tuple))
        and len(value) > 0
        and all(hasattr(item, "shape") and hasattr(item, "dtype") for item in value)
    )


def weights_size(weights: Any, batch: int | None) -> int:
    """How many values :func:`model_weights` would return (read from shapes only)."""
    if _is_sequence_of_arrays(weights):
        shape = tuple(weights[0].shape)
        return len(weights) * math.prod(shape[1:] if len(shape) == 4 else shape)
    shape = tuple(getattr(weights, "shape", None) or np.shape(weights))
    if len(shape) == 5:  # (layers, batch, heads, M, N): one example
        return math.prod(shape) // max(1, shape[1])
    if len(shape) == 4 and batch is not None:  # one layer's (batch, heads, M, N): one example
        return math.prod(shape) // max(1, shape[0])
    return math.prod(shape)


def model_weights(weights: Any, batch: int | None = None) -> tuple[np.ndarray, bool]:
    """``weights`` in any layout of the module's table, as (layers, heads, M, N) or fewer axes.

    Returns
    -------
    array : ndarray
        Of the input's dtype (bfloat16 as float32); when layers were stacked, float16 if
        they all were, else float32 for 16/32-bit floats.
    fresh : bool
        True when ``array`` is new memory (stacked or converted), False when it may be the
        input's own memory (or a view of it).

    Raises
    ------
    ValueError
        Saying what was received and how to pass it.
    """
    if batch is not None and (
        isinstance(batch, (bool, np.bool_)) or not isinstance(batch, (int, np.integer))
    ):
        raise ValueError(f"batch must be an integer index, got {type(batch).__name__} {batch!r}")
    if isinstance(weights, (list, tuple)) and all(item is None for item in weights):
        what = f"a {type(weights).__name__} of None" if weights else "empty"
        raise ValueError(
            f"weights is {what}: no attention weights were recorded. transformers returns this for "
            "output_attentions=True when the model runs an attention implementation that does "
            "not compute them (sdpa, flash attention); load the model with "
            'attn_implementation="eager" (e.g. AutoModel.from_pretrained(name, '
            'attn_implementation="eager")), or use attnwidget.capture(model, **inputs)'
        )
    if _is_sequence_of_arrays(weights):
        return _stack_layers(weights, batch), True
    arr = to_numpy(weights, "weights")
    fresh = _is_torch(weights) and str(getattr(weights, "dtype", "")) == "torch.bfloat16"
    _check_dtype(arr, "weights")
    if arr.ndim == 5:
        b = _checked_batch(arr, 1, 0 if batch is None else batch, "(layers, batch, heads, M, N)")
        return arr[:, b], fresh
    if arr.ndim == 4 and batch is not None:
        return arr[_checked_batch(arr, 0, batch, "one layer's (batch, heads, M, N)")][None], fresh
    if batch is not None:
        raise ValueError(
            f"batch={batch} was given but weights of shape {arr.shape} have no batch axis; {_HOW}"
        )
    if arr.ndim == 4 and arr.shape[0] > 1 and _is_torch(weights):
        raise ValueError(
            f"weights is a 4-D torch tensor of shape {tuple(arr.shape)}: a model returns one "
            "layer as (batch, heads, M, N), so its first axis may be a batch, not layers. "
            "Pass batch=0 for one layer of a batch (e.g. outputs.attentions[-1]), the whole "
            "tuple outputs.attentions for every layer, or list(weights) if the axes are "
            "(layers, heads, M, N)"
        )
    return arr, fresh


def _stack_layers(layers: Any, batch: int | None) -> np.ndarray:
    shapes = [tuple(item.shape) for item in layers]
    if len(set(shapes)) > 1:
        raise ValueError(
            f"weights: every layer must have the same shape, got {sorted(set(shapes))}"
        )
    shape = shapes[0]
    if len(shape) == 4:
        b = 0 if batch is None else batch
        if not -shape[0] <= b < shape[0]:
            raise ValueError(
                f"batch must be in [0, {shape[0] - 1}]: weights has {len(layers)} layers of "
                f"(batch, heads, M, N) = {shape}, got batch={b}"
            )
        picked = [to_numpy(item[b], "weights") for item in layers]
    elif len(shape) == 3:
        if batch is not None:
            raise ValueError(
                f"batch={batch} was given but weights has {len(layers)} layers of "
                f"(heads, M, N) = {shape}, with no batch axis"
            )
        picked = [to_numpy(item, "weights") for item in layers]
    else:
        raise ValueError(
            f"weights: a tuple/list of layers needs each layer as (batch, heads, M, N) or "
            f"(heads, M, N), got {len(layers)} layers of shape {shape}; {_HOW}"
        )
    for i, p in enumerate(picked):
        _check_dtype(p, f"weights[{i}]")
    dtype = np.result_type(*[_float_dtype(p) for p in picked])
    out = np.empty((len(picked), *picked[0].shape), dtype=dtype)
    for i, p in enumerate(picked):
        out[i] = p
    return out


def _checked_batch(arr: np.ndarray, axis: int, b: int, what: str) -> int:
    size = arr.shape[axis]
    if not -size <= b < size:
        raise ValueError(
            f"batch must be in [0, {size - 1}]: weights of shape {arr.shape} read as {what}, "
            f"got batch={b}"
        )
    return b


def _float_dtype(arr: np.ndarray) -> np.dtype:
    if arr.dtype in (np.float16, np.float32):
        return arr.dtype  # (float16 stays float16: half the memory of float32)
    return np.dtype(np.float32) if arr.dtype.kind == "f" and arr.itemsize <= 4 else np.float64


def _check_dtype(arr: np.ndarray, name: str) -> None:
    if arr.dtype.kind in "iu" and arr.ndim >= 1 and arr.size and arr.max() > 1:
        raise ValueError(
            f"{name} holds integers up to {arr.max()} (token ids?); weights are attention "
            "weights in [0, 1], e.g. outputs.attentions of a model run with "
            "output_attentions=True"
        )
