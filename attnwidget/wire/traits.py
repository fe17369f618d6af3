"""Trait types of the widget: each validates its own value and names itself in errors."""

from __future__ import annotations

from typing import Any

import numpy as np
from traitlets import List, TraitError, TraitType, Unicode

from ..core.checks import (
    as_float_array,
    check_temperature,
    freeze,
    is_frozen,
    raise_if_non_finite,
)
from ..core.layouts import model_weights, weights_size
from ..core.masks import as_mask
from ..core.text import check_text
from .protocol import MAX_WEIGHTS

__all__ = [
    "AttentionInputError",
    "Matrix",
    "BoolMatrix",
    "Tokens",
    "Temperature",
    "Index",
    "Weights",
    "check_weights",
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


def check_weights(weights: Any, batch: int | None = None) -> np.ndarray:
    """Attention weights as a read-only (layers, heads, M, N) array the widget owns, checked:
    finite, in [0, 1], not empty, at most :data:`~attnwidget.wire.protocol.MAX_WEIGHTS` values.

    Every layout of :mod:`attnwidget.core.layouts` is read (``outputs.attentions`` too, with
    ``batch`` choosing the example). Float16, bfloat16 and float32 input is kept as float32
    (one copy, the widget's own); anything else as float64.
    """
    try:
        size = weights_size(weights, batch)
    except Exception:  # a ragged list: model_weights names the problem
        size = 0
    if size > MAX_WEIGHTS:  # before any conversion or copy
        raise AttentionInputError(
            f"weights are too large to show: {size:,} values, at most {MAX_WEIGHTS:,} "
            "(e.g. 12 layers x 12 heads x 512 x 512 is 37.7M); pass fewer layers or heads, "
            "or a window of tokens"
        )
    try:
        picked, fresh = model_weights(weights, batch)
        if picked.dtype.kind == "f" and picked.itemsize <= 4:
            raw = picked.astype(np.float32, copy=False)  # (float16 -> float32: a new array)
            fresh = fresh or raw is not picked
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
    if w.size > MAX_WEIGHTS:  # (a nested list, whose size is known only now)
        raise AttentionInputError(
            f"weights are too large to show: shape {w.shape} has {w.size:,} values, at most "
            f"{MAX_WEIGHTS:,}; pass fewer layers or heads, or a window of tokens"
        )
    raise_if_non_finite(raw, "weights")  # (indices as given, before the padding)
    low, high = w.min(), w.max()
    if low < 0 or high > 1 + 1e-6:
        bad = np.argwhere((w < 0) | (w > 1 + 1e-6))[0]
        raise AttentionInputError(
            f"weights must be attention weights in [0, 1], found {float(w[tuple(bad)])!r} at "
            f"index {tuple(int(i) for i in bad)}"
        )
    owned = w if fresh and w.flags.writeable else np.array(w)  # the widget's own copy, once
    if high > 1:
        np.minimum(owned, 1.0, out=owned)
    return freeze(owned)


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
