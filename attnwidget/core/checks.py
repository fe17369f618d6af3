"""Input checks of the engine: every message names the argument, what was expected, what came."""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping
from typing import Any

import numpy as np

_SCORE_NAMES = ("dot", "general", "scaled_dot", "concat", "additive")


def check_score(score: Any) -> str:
    """Return ``score`` if it names a score function, else raise ValueError listing them."""
    if not isinstance(score, str) or score not in _SCORE_NAMES:
        valid = ", ".join(repr(s) for s in _SCORE_NAMES)
        raise ValueError(f"score must be one of {valid}; got {score!r}")
    return score


def check_temperature(temperature: Any) -> float:
    """Return ``temperature`` as a float if it is finite and > 0."""
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.number)):
        raise ValueError(
            f"temperature must be a positive finite number, got {type(temperature).__name__} "
            f"{temperature!r}"
        )
    try:
        t = float(temperature)
    except OverflowError:  # an int beyond float range
        raise ValueError(
            "temperature must be a positive finite number, got an integer too large for a float"
        ) from None
    if not math.isfinite(t) or t <= 0:
        raise ValueError(f"temperature must be a positive finite number, got {t!r}")
    return t


# Arrays made read-only here, by id: only these are trusted without a copy. A read-only array
# from elsewhere may be a view of memory its owner can still change.
_FROZEN: weakref.WeakValueDictionary[int, np.ndarray] = weakref.WeakValueDictionary()


def freeze(arr: np.ndarray) -> np.ndarray:
    """Make ``arr`` (an array this package made and owns) read-only and remember it as such."""
    arr.flags.writeable = False
    _FROZEN[id(arr)] = arr
    return arr


def is_frozen(value: Any) -> bool:
    """Whether ``value`` is an array :func:`freeze` made read-only (no one can change it)."""
    return isinstance(value, np.ndarray) and _FROZEN.get(id(value)) is value


def to_numpy(value: Any, name: str) -> np.ndarray:
    """Anything array-like to an ndarray: torch tensors are detached and moved to the CPU,
    bfloat16 (which numpy lacks) becomes float32 with the tensor's own ``.float()`` (torch is
    never imported here); ragged lists are refused naming ``name``."""
    if hasattr(value, "detach") and callable(value.detach):  # torch.Tensor, without importing it
        value = value.detach()
        if hasattr(value, "cpu"):
            value = value.cpu()
        if str(getattr(value, "dtype", "")) == "torch.bfloat16":
            value = value.float()
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValueError(f"{name} must be a rectangular array of numbers; {exc}") from None
    return arr


def as_float_array(
    value: Any, name: str, *, min_ndim: int = 2, copy: bool = True, check_finite: bool = True
) -> np.ndarray:
    """Convert ``value`` to a finite float64 array of at least ``min_ndim`` dimensions.

    With ``copy=False`` a float64 array is used as it is; with ``check_finite=False`` the
    caller promises to check the finiteness later (see :func:`first_non_finite`).

    Raises
    ------
    ValueError
        Naming ``name``: ragged lists, strings/objects/complex numbers, too few dimensions,
        empty widths, NaN or inf (with the first position).
    """
    if value is None:
        raise ValueError(f"{name} is required, got None")
    arr = to_numpy(value, name)
    if arr.dtype == object:
        raise ValueError(
            f"{name} must be a rectangular array of numbers; got ragged or non-numeric data"
        )
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must contain real numbers, got dtype {arr.dtype}")
    if arr.ndim < min_ndim:
        raise ValueError(
            f"{name} must be at least {min_ndim}-D with shape (..., rows, width), "
            f"got shape {arr.shape}"
        )
    if arr.shape[-1] == 0:
        raise ValueError(f"{name} must have width >= 1, got shape {arr.shape}")
    out = np.array(arr, dtype=np.float64, copy=True) if copy else np.asarray(arr, np.float64)
    if check_finite:
        raise_if_non_finite(out, name)
    return out


def raise_if_non_finite(arr: np.ndarray, name: str) -> None:
    """Raise a ValueError naming ``name`` and the first NaN/inf position, if there is one."""
    bad = ~np.isfinite(arr)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        what = "NaN" if np.isnan(arr[where]) else "inf"
        raise ValueError(
            f"{name} must be finite, found {what} at index {where} "
            f"({int(bad.sum())} non-finite value(s) in all)"
        )


def raise_if_non_finite_by_block(arr: np.ndarray, name: str, block: int = 1 << 18) -> None:
    """:func:`raise_if_non_finite` in slices of the leading axes of at most about ``block``
    values, so that a large tensor needs no boolean temporary of its own size."""
    if arr.ndim < 3 or arr.size <= block:
        raise_if_non_finite(arr, name)
        return
    per = arr.size // arr.shape[0]
    try:
        if per > block:
            for i in range(arr.shape[0]):
                raise_if_non_finite_by_block(arr[i], name, block)
        else:
            step = block // per
            for start in range(0, arr.shape[0], step):
                raise_if_non_finite(arr[start : start + step], name)
    except ValueError:
        raise_if_non_finite(arr, name)  # (raises again: the index in the whole, the count)
        raise


# Each score function's parameters: name -> (shape as the seed writes it, shape for h, d_q, d_k).
_PARAM_SHAPES: dict[str, dict[str, tuple[str, Any]]] = {
    "dot": {},
    "scaled_dot": {},
    "general": {"W": ("(d_q, d_k)", lambda h, q, k: (q, k))},
    "concat": {
        "W": ("(h, d_q + d_k)", lambda h, q, k: (h, q + k)),
        "v": ("(h,)", lambda h, q, k: (h,)),
    },
    "additive": {
        "W": ("(h, d_q)", lambda h, q, k: (h, q)),
        "U": ("(h, d_k)", lambda h, q, k: (h, k)),
        "v": ("(h,)", lambda h, q, k: (h,)),
    },
}


def _hidden(params: Mapping[str, Any]) -> int:
    """h, read off W's first axis (-1 when W is not a matrix, so no shape can match)."""
    shape = np.shape(params["W"]) if "W" in params else ()
    return shape[0] if len(shape) == 2 else -1


def params_fit(score: str, params: Mapping[str, Any], d_q: int, d_k: int) -> bool:
    """Whether already-checked ``params`` have the shapes ``score`` needs for d_q, d_k."""
    shapes = _PARAM_SHAPES[score]
    h = _hidden(params)
    return set(params) == set(shapes) and all(
        np.shape(params[n]) == shape(h, d_q, d_k) for n, (_, shape) in shapes.items()
    )


def check_params(
    score: str, params: Mapping[str, Any], d_q: int, d_k: int
) -> dict[str, np.ndarray]:
    """Check that ``params`` has exactly the arrays ``score`` needs, with the right shapes."""
    if not isinstance(params, Mapping):
        raise ValueError(f"params must be a dict of arrays, got {type(params).__name__}")
    shapes = _PARAM_SHAPES[score]
    needed = tuple(shapes)
    missing = [n for n in needed if n not in params]
    if missing:
        raise ValueError(
            f"params for score {score!r} need {', '.join(needed)}; missing {', '.join(missing)}"
        )
    extra = sorted(set(params) - set(needed))
    if extra:
        want = ", ".join(needed) if needed else "no parameters"
        raise ValueError(f"params for score {score!r} take {want}; unexpected {', '.join(extra)}")
    out = {n: as_float_array(params[n], f"params['{n}']", min_ndim=1) for n in needed}
    h = _hidden(out)
    for name, (what, shape) in shapes.items():
        want_shape = shape(h, d_q, d_k)
        if out[name].shape != want_shape:
            raise ValueError(
                f"params['{name}'] must have shape {what} = {want_shape}, got {out[name].shape}"
            )
    return out


def as_bool_array(value: Any, name: str) -> np.ndarray:
    """``value`` as a bool array (booleans, or integers that are all 0 or 1)."""
    arr = to_numpy(value, name)
    if arr.dtype == object or arr.dtype.kind not in "bui":
        raise ValueError(f"{name} must hold booleans, got dtype {arr.dtype}")
    if arr.dtype.kind != "b":
        if not np.isin(arr, (0, 1)).all():
            raise ValueError(f"{name} must hold booleans (or 0/1), got other integers")
        arr = arr.astype(bool)
    return arr


def check_finite_result(
    arr: np.ndarray, what: str, inputs: str, sources: dict[str, np.ndarray]
) -> None:
    """Raise if a computed array is not finite: name the input at fault, or the overflow.

    The inputs are scanned only when the result is not finite (NaN and inf always propagate
    through the products), so the usual path costs one pass over the result.
    """
    if not np.isfinite(arr).all():
        for name, src in sources.items():
            raise_if_non_finite(src, name)
        raise ValueError(
            f"{what} overflow float64 (|value| > 1.8e308) for these inputs; scale down {inputs}"
        )
