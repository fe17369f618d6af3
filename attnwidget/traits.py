"""Trait types of the widget: each validates its own value and names itself in errors."""

from __future__ import annotations

from typing import Any

import numpy as np
from traitlets import List, TraitError, TraitType, Unicode

from ._checks import as_bool_array, as_float_array, check_temperature

__all__ = ["AttentionInputError", "Matrix", "BoolMatrix", "Tokens", "Temperature", "validate_as"]


class AttentionInputError(TraitError, ValueError):
    """A value the widget refused. Both a ``TraitError`` and a ``ValueError``.

    Being a ``TraitError`` makes traitlets roll back every trait changed in the same
    ``hold_trait_notifications()`` block, so nothing is lost.
    """


class Matrix(TraitType):
    """A finite float64 matrix (2-D). Lists, ints, float32 and ``__array__`` are converted."""

    info_text = "a 2-D array of finite numbers"

    def validate(self, obj: Any, value: Any) -> np.ndarray | None:
        if value is None:
            if self.allow_none:
                return None
            raise AttentionInputError(f"{self.name} is required, got None")
        if (
            isinstance(value, np.ndarray)
            and value.dtype == np.float64
            and value.ndim == 2
            and value.shape[1] > 0
            and not value.flags.writeable
            and np.isfinite(value).all()
        ):
            return value  # already validated (traitlets validates again when it stores)
        try:
            arr = as_float_array(value, self.name, min_ndim=2)
        except ValueError as exc:
            raise AttentionInputError(str(exc)) from None
        if arr.ndim != 2:
            raise AttentionInputError(
                f"{self.name} must be 2-D (rows, width), got shape {arr.shape}"
            )
        arr.flags.writeable = False  # edit by assigning a new array, so the widget sees it
        return arr


class BoolMatrix(TraitType):
    """A 2-D boolean matrix or None."""

    info_text = "a 2-D array of booleans or None"

    def validate(self, obj: Any, value: Any) -> np.ndarray | None:
        if value is None:
            return None
        if isinstance(value, np.ndarray) and value.dtype == np.bool_ and value.ndim == 2:
            if not value.flags.writeable:
                return value
        try:
            arr = as_bool_array(value, self.name)
        except ValueError as exc:
            raise AttentionInputError(str(exc)) from None
        if arr.ndim != 2:
            raise AttentionInputError(
                f"{self.name} must be 2-D (queries, keys), got shape {arr.shape}"
            )
        out = np.array(arr, dtype=bool)
        out.flags.writeable = False
        return out


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
        items = list(value)
        for i, item in enumerate(items):
            if not isinstance(item, str):
                raise AttentionInputError(
                    f"{self.name}[{i}] must be a string, got {type(item).__name__} {item!r}"
                )
        return items


class Temperature(TraitType):
    """A positive, finite float."""

    default_value = 1.0
    info_text = "a positive finite number"

    def validate(self, obj: Any, value: Any) -> float:
        try:
            return check_temperature(value)
        except ValueError as exc:
            raise AttentionInputError(str(exc)) from None


def validate_as(trait: TraitType, name: str, value: Any) -> Any:
    """Validate a value (e.g. a constructor argument) with the trait type it will become,
    so that errors name ``name``."""
    trait.name = name
    return trait.validate(None, value)
