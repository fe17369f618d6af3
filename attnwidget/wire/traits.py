"""Trait types of the widget: each validates its own value and names itself in errors."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Any

import numpy as np
from traitlets import List, TraitError, TraitType, Unicode

from ..core.checks import (
    as_float_array,
    check_temperature,
    freeze,
    is_frozen,
    raise_if_non_finite_by_block,
)
from ..core.layouts import model_weights, weights_size
from ..core.masks import as_mask
from ..core.pooling import pool_heads, remember_thumbnails
from ..core.text import check_text
from .protocol import MAX_KERNEL_WEIGHTS, MAX_THUMBNAILS, MAX_WEIGHTS, THUMBNAIL_SIDE

__all__ = [
    "AttentionInputError",
    "Matrix",
    "BoolMatrix",
    "Tokens",
    "Temperature",
    "Index",
    "Weights",
    "check_weights",
    "check_weights_deferred",
    "validate_as",
]


class AttentionInputError(TraitError, ValueError):
    """A value the widget refused. Both a ``TraitError`` and a ``ValueError``.

    Being a ``TraitError`` makes traitlets roll back every trait changed in the same
    ``hold_trait_notifications()`` block, so nothing is lost.
    """


class Matrix(TraitType):
    """A finite float64 matrix (2-D) with at least one row and one column.

    Lists, ints, float32 and ``__array__`` are converted. The stored array is a read-only copy
    the widget owns, so no one else can change it behind the widget's back.
    """

    info_text = "a 2-D array of finite numbers"

    def validate(self, obj: Any, value: Any) -> np.ndarray | None:
        if value is None:
            if self.allow_none:
                return None
            raise AttentionInputError(f"{self.name} is required, got None")
        if is_frozen(value) and value.dtype == np.float64 and value.ndim == 2:
            return value  # already validated (traitlets validates again when it stores)
        try:
            arr = as_float_array(value, self.name, min_ndim=2)
        except Exception as exc:
            raise AttentionInputError(_message(self.name, exc)) from None
        if arr.ndim != 2:
            raise AttentionInputError(
                f"{self.name} must be 2-D (rows, width), got shape {arr.shape}"
            )
        if arr.shape[0] == 0:
            raise AttentionInputError(
                f"{self.name} must have at least one row, got shape {arr.shape}"
            )
        return freeze(arr)  # edit by assigning a new array, so the widget sees it


class BoolMatrix(TraitType):
    """A 2-D boolean mask (True = may attend) or None (a read-only copy the widget owns).

    Float masks and torch's causal mask written as True = blocked are refused
    (:func:`attnwidget.core.masks.as_mask`)."""

    info_text = "a 2-D array of booleans or None"

    def validate(self, obj: Any, value: Any) -> np.ndarray | None:
        if value is None:
            return None
        if is_frozen(value) and value.dtype == np.bool_ and value.ndim == 2:
            return value
        try:
            arr = as_mask(value, self.name)
        except Exception as exc:
            raise AttentionInputError(_message(self.name, exc)) from None
        if arr.ndim != 2:
            raise AttentionInputError(
                f"{self.name} must be 2-D (queries, keys), got shape {arr.shape}"
            )
        return freeze(np.array(arr, dtype=bool))


class Tokens(List):
    """A list of labels (strings). Tuples and other sequences of str are accepted."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(trait=Unicode(), **kwargs)

    def set(self, obj: Any, value: Any) -> None:
        # traitlets' List.set wraps a lone string into a list; a string is refused here instead.
        TraitType.set(self, obj, value)

    def validate(self, obj: Any, value: Any) -> list[str]:
        if isinstance(value, str) or not hasattr(value, "__iter__"):
            raise AttentionInputError(
                f"{self.name} must be a list of strings, got {type(value).__name__}"
            )
        try:
            items = list(value)
        except Exception as exc:  # a broken iterable: still this argument's error
            raise AttentionInputError(f"{self.name} could not be read as a list: {exc}") from None
        if items and all(_is_integer(item) for item in items):
            raise AttentionInputError(
                f"{self.name}[0] must be a string, got {type(items[0]).__name__}: {self.name} "
                "holds integers (token ids?); use tokenizer.convert_ids_to_tokens(ids)"
            )
        try:
            if not all(isinstance(item, str) for item in items) or not _utf8("".join(items)):
                for i, item in enumerate(items):  # (only when one is bad: name it)
                    check_text(item, f"{self.name}[{i}]")
        except ValueError as exc:
            raise AttentionInputError(str(exc)) from None
        return [str(item) for item in items]  # (np.str_ and other subclasses as plain str)


class Temperature(TraitType):
    """A positive, finite float."""

    default_value = 1.0
    info_text = "a positive finite number"

    def validate(self, obj: Any, value: Any) -> float:
        try:
            return check_temperature(value)
        except Exception as exc:
            raise AttentionInputError(_message(self.name, exc)) from None


class Index(TraitType):
    """A non-negative integer index (numpy integers accepted; bool and floats refused).

    The range is checked by the widget's own validator, which knows the sizes.
    """

    default_value = 0
    info_text = "a non-negative integer"

    def validate(self, obj: Any, value: Any) -> int:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise AttentionInputError(
                f"{self.name} must be an integer, got {type(value).__name__} {value!r:.80}"
            )
        if value < 0:
            raise AttentionInputError(f"{self.name} must be >= 0, got {value}")
        return int(value)


class Weights(TraitType):
    """Attention weights (layers, heads, M, N) in [0, 1]; fewer leading axes are added."""

    info_text = "attention weights of shape (layers, heads, M, N)"

    def validate(self, obj: Any, value: Any) -> np.ndarray:
        if is_frozen(value) and value.ndim == 4:
            return value  # checked already (traitlets validates again when it stores)
        return check_weights(value)

    def set(self, obj: Any, value: Any) -> None:
        """Store and notify unless it is the very same array: traitlets' own ``old == new``
        compares two large tensors value by value (seconds at 37.7M weights)."""
        new = self._validate(obj, value)
        old = obj._trait_values.get(self.name, self.default_value)
        obj._trait_values[self.name] = new
        if old is not new:
            obj._notify_trait(self.name, old, new)


def check_weights(weights: Any, batch: int | None = None) -> np.ndarray:
    """:func:`check_weights_deferred` with the widget's own copy made now."""
    return check_weights_deferred(weights, batch, defer_copy=False)[0]


# Inputs of at least this many bytes are first shown from the caller's memory (see below).
DEFER_COPY_BYTES = 64 * 2**20


def check_weights_deferred(
    weights: Any, batch: int | None = None, defer_copy: bool = True
) -> tuple[np.ndarray, Future[np.ndarray] | None]:
    """Attention weights as a read-only (layers, heads, M, N) array the widget owns, checked:
    finite, in [0, 1], not empty, at most :data:`~attnwidget.wire.protocol.MAX_KERNEL_WEIGHTS`
    values, one head at most :data:`~attnwidget.wire.protocol.MAX_WEIGHTS` (it crosses the wire).

    Every layout of :mod:`attnwidget.core.layouts` is read (``outputs.attentions`` too, with
    ``batch`` choosing the example). Float16 and float32 input keeps its dtype, bfloat16
    becomes float32, anything else float64: one copy, the widget's own, and no other
    temporary of the tensor's size (the finiteness check goes block by block).

    Float16/32 weights are checked on their bits while every head is pooled to its thumbnail
    (one pass; the thumbnails are remembered for the widget, see
    :func:`~attnwidget.core.pooling.remembered_thumbnails`). With ``defer_copy``, a float16/32
    input of at least ``DEFER_COPY_BYTES`` in the caller's memory is returned as a read-only
    view of it, and the copy is made by a background thread: the returned future gives it (the
    caller then swaps it in). Until then the caller must not change its array.
    """
    try:
        size = weights_size(weights, batch)
    except Exception:  # a ragged list: model_weights names the problem
        size = 0
    if size > MAX_KERNEL_WEIGHTS:  # before any conversion or copy
        raise AttentionInputError(
            f"weights are too large to show: {size:,} values, at most {MAX_KERNEL_WEIGHTS:,} "
            "(e.g. 32 layers x 32 heads x 1024 x 1024 is 1.07G); pass fewer layers or heads, "
            "or a window of tokens"
        )
    try:
        picked, fresh = model_weights(weights, batch)
        if picked.dtype in (np.float16, np.float32):
            raw = picked  # (kept in its own dtype: float16 is not doubled to float32)
        elif picked.dtype.kind == "f" and picked.itemsize <= 4:
            raw = picked.astype(np.float32)
            fresh = True
        else:
            raw = as_float_array(picked, "weights", min_ndim=2, copy=False, check_finite=False)
            fresh = fresh or raw is not picked
    except AttentionInputError:
        raise
    except ValueError as exc:
        raise AttentionInputError(str(exc)) from None
    w = raw
    if w.ndim > 4:
        raise AttentionInputError(
            f"weights must be (layers, heads, M, N), (heads, M, N) or (M, N), or a model's "
            f"(layers, batch, heads, M, N) or outputs.attentions; got shape {w.shape}"
        )
    while w.ndim < 4:
        w = w[None]
    if 0 in w.shape:
        raise AttentionInputError(f"weights must not be empty, got shape {w.shape}")
    if w.size > MAX_KERNEL_WEIGHTS:  # (a nested list, whose size is known only now)
        raise AttentionInputError(
            f"weights are too large to show: shape {w.shape} has {w.size:,} values, at most "
            f"{MAX_KERNEL_WEIGHTS:,}; pass fewer layers or heads, or a window of tokens"
        )
    if w.shape[-2] * w.shape[-1] > MAX_WEIGHTS:
        raise AttentionInputError(
            f"weights are too large to show: one head of {w.shape[-2]} x {w.shape[-1]} has "
            f"{w.shape[-2] * w.shape[-1]:,} values, at most {MAX_WEIGHTS:,}; pass a window of "
            "tokens"
        )
    fast, thumbs = _check_and_pool(w)
    if not fast:
        raise_if_non_finite_by_block(raw, "weights")  # (indices as given, before the padding)
        low, high = w.min(), w.max()
        if low < 0 or high > 1 + 1e-6:
            bad = np.argwhere((w < 0) | (w > 1 + 1e-6))[0]
            raise AttentionInputError(
                f"weights must be attention weights in [0, 1], found {float(w[tuple(bad)])!r} "
                f"at index {tuple(int(i) for i in bad)}"
            )
    if fast and defer_copy and not fresh and w.nbytes >= DEFER_COPY_BYTES:
        shown = freeze(w.view())  # (read-only for the widget; the caller's array is unchanged)
        if thumbs is not None:
            remember_thumbnails(shown, thumbs)
        return shown, _copy_in_background(w)
    owned = w if fresh and w.flags.writeable else np.array(w)  # the widget's own copy, once
    if not fast:
        np.minimum(owned, 1.0, out=owned)
        np.add(owned, 0.0, out=owned)  # (-0.0 + 0.0 is 0.0: now the bits order as the values)
    elif thumbs is not None:
        remember_thumbnails(owned, thumbs)
    return freeze(owned), None


def _copy_in_background(w: np.ndarray) -> Future[np.ndarray]:
    """A read-only copy of ``w``, made by a daemon thread (numpy's copy releases the GIL)."""
    done: Future[np.ndarray] = Future()

    def run() -> None:
        try:
            done.set_result(freeze(np.array(w)))
        except BaseException as exc:  # (e.g. MemoryError: the caller keeps the view)
            done.set_exception(exc)

    threading.Thread(target=run, name="attnwidget-weights-copy", daemon=True).start()
    return done


def _check_and_pool(w: np.ndarray) -> tuple[bool, np.ndarray | None]:
    """(Whether float16/32 ``w`` is all in [0, 1] by its bits, its float32 thumbnails if so and
    there are at most ``MAX_THUMBNAILS`` heads). (False, None): check it the slow way."""
    bits = UNIT_BITS.get(w.dtype)
    if bits is None:
        return False, None
    ints = w.view(bits[0])
    if w.shape[0] * w.shape[1] > MAX_THUMBNAILS:
        return int(ints.max()) <= bits[1], None
    pooled = pool_heads(ints, THUMBNAIL_SIDE)
    if int(pooled.max()) > bits[1]:
        return False, None
    return True, pooled.view(w.dtype).astype(np.float32)


# float16/32 in [0, 1] (no sign bit) have bit patterns that order as their values, up to 1.0's
UNIT_BITS = {
    np.dtype(np.float16): (np.uint16, 0x3C00),
    np.dtype(np.float32): (np.uint32, 0x3F800000),
}


def _is_integer(item: Any) -> bool:
    """An int, a numpy integer or a 0-d integer tensor (not a bool)."""
    if isinstance(item, (bool, np.bool_, str)):
        return False
    if isinstance(item, (int, np.integer)):
        return True
    dtype = str(getattr(item, "dtype", ""))
    return getattr(item, "ndim", None) == 0 and "int" in dtype


def _utf8(text: str) -> bool:
    """Whether ``text`` can be written as UTF-8 (it holds no lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _message(name: str, exc: Exception) -> str:
    """The checks' ValueErrors name the argument already; anything else gets its name."""
    if isinstance(exc, ValueError):
        return str(exc)
    return f"{name} could not be read: {type(exc).__name__}: {exc}"


def validate_as(trait: TraitType, name: str, value: Any) -> Any:
    """Validate a value (e.g. a constructor argument) with the trait type it will become,
    so that errors name ``name``."""
    trait.name = name
    return trait.validate(None, value)
