"""Arrays on the wire: ``{"dtype", "shape", "buffer"}`` with a binary buffer, both ways.

ipywidgets sends every ``bytes``/``memoryview`` found in a widget's state as a binary buffer, so
a numpy array crosses without any JSON list of floats. The frontend's twin is
``js/src/wire/codec.ts``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from traitlets import TraitError

__all__ = [
    "WireFormatError",
    "array_from_json",
    "array_to_json",
    "array_serialization",
    "params_from_json",
    "params_to_json",
    "params_serialization",
    "param_sets_to_json",
    "param_sets_serialization",
    "quantise_rows",
    "dequantise_rows",
    "quantised_serialization",
    "heads_to_json",
]

_DTYPES = {"float64": np.dtype("<f8"), "bool": np.dtype("u1")}


class WireFormatError(TraitError, ValueError):
    """An array that came from the frontend is not in the wire format."""


def array_to_json(value: np.ndarray | None, widget: Any = None) -> dict[str, Any] | None:
    """Encode an array as ``{"dtype", "shape", "buffer": memoryview}`` (None stays None)."""
    if value is None:
        return None
    arr = np.asarray(value)
    if arr.dtype == np.bool_:
        dtype, data = "bool", np.ascontiguousarray(arr, dtype=np.uint8)
    else:
        dtype, data = "float64", np.ascontiguousarray(arr, dtype="<f8")
    # (reshape(-1): a memoryview with a zero in its shape cannot be cast)
    buffer = memoryview(data.reshape(-1)).cast("B")
    return {"dtype": dtype, "shape": list(data.shape), "buffer": buffer}


def array_from_json(value: Any, widget: Any = None) -> np.ndarray | None:
    """Decode the wire format into a new, writable array (None stays None).

    Raises
    ------
    WireFormatError
        If the value is not a dict with a known dtype, a valid shape and a buffer of the
        matching byte length.
    """
    if value is None:
        return None
    if isinstance(value, np.ndarray):  # set from Python through set_state
        return value
    try:
        return _decode(value)
    except WireFormatError:
        raise
    except Exception as exc:  # e.g. metadata of the wrong JSON type: still a refused edit
        raise WireFormatError(f"array could not be decoded: {type(exc).__name__}: {exc}") from None


def _decode(value: Any) -> np.ndarray:
    if not isinstance(value, dict) or not {"dtype", "shape", "buffer"} <= set(value):
        raise WireFormatError("expected an array as {dtype, shape, buffer}, got " + _kind(value))
    dtype = _DTYPES.get(value["dtype"]) if isinstance(value["dtype"], str) else None
    if dtype is None:
        raise WireFormatError(f"array dtype must be 'float64' or 'bool', got {value['dtype']!r}")
    shape = value["shape"]
    if not isinstance(shape, (list, tuple)) or not all(
        isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 2**31 for s in shape
    ):
        raise WireFormatError(f"array shape must be a list of sizes, got {shape!r:.80}")
    try:
        raw = memoryview(value["buffer"]).cast("B")
    except TypeError:
        raise WireFormatError(
            "array buffer must be binary, got " + _kind(value["buffer"])
        ) from None
    expected = math.prod(shape) * dtype.itemsize  # (exact: Python ints do not overflow)
    if raw.nbytes != expected:
        raise WireFormatError(
            f"array buffer has {raw.nbytes} bytes, shape {list(shape)} of {value['dtype']} "
            f"needs {expected}"
        )
    arr = np.frombuffer(raw, dtype=dtype).reshape(shape)
    return arr.astype(bool if value["dtype"] == "bool" else np.float64)  # (one copy, owned)


def params_to_json(value: dict[str, np.ndarray] | None, widget: Any = None) -> dict | None:
    """Encode a dict of parameter arrays."""
    if value is None:
        return None
    return {name: array_to_json(arr) for name, arr in value.items()}


def params_from_json(value: Any, widget: Any = None) -> dict[str, np.ndarray] | None:
    """Decode a dict of parameter arrays."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise WireFormatError("params must be a dict of arrays, got " + _kind(value))
    return {str(name): array_from_json(arr) for name, arr in value.items()}


def param_sets_to_json(value: dict[str, dict[str, np.ndarray]], widget: Any = None) -> dict:
    """Encode ``{score: {name: array}}``."""
    return {score: params_to_json(p) for score, p in value.items()}


def row_patch_to_json(value: dict[str, Any] | None, widget: Any = None) -> dict[str, Any] | None:
    """Encode a row patch ``{"rows": [i, ...], name: the arrays' rows i, ...}`` (or None); the
    same for a column patch, whose indices are ``"keys"``."""
    if value is None:
        return None
    return {k: (v if k in ("rows", "keys") else array_to_json(v)) for k, v in value.items()}


def quantise_rows(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Quantise each row (last axis) to uint8, scaled by the row's maximum.

    Parameters
    ----------
    weights : ndarray, shape (..., N)
        Non-negative values (float16/32 are computed in float32, anything else in float64).

    Returns
    -------
    codes : ndarray of uint8, shape (..., N)
        ``round(w / row_max * 255)``.
    scale : ndarray of float32, shape (...)
        ``row_max / 255`` (0 for an all-zero row); ``codes * scale`` recovers the weights to
        within ``row_max / 510``.
    """
    given = np.asarray(weights)
    # one working copy (float16/32 in float32: no float64 copy of a large tensor), in place
    w = np.array(given, dtype=np.float32 if given.dtype in (np.float16, np.float32) else np.float64)
    top = w.max(axis=-1)
    w /= np.where(top > 0, top, 1.0)[..., None]
    w *= 255.0
    np.rint(w, out=w)
    return w.astype(np.uint8), (top / 255.0).astype(np.float32)


def dequantise_rows(codes: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Inverse of :func:`quantise_rows` (float64)."""
    return codes.astype(np.float64) * scale.astype(np.float64)[..., None]


def quantised_to_json(value: np.ndarray | None, widget: Any = None) -> dict | None:
    if value is None:
        return None
    codes, scale = quantise_rows(value)
    return {
        "dtype": "uint8-rows",
        "shape": list(codes.shape),
        "buffer": memoryview(np.ascontiguousarray(codes)).cast("B"),
        "scale": memoryview(np.ascontiguousarray(scale, dtype="<f4")).cast("B"),
    }


def heads_to_json(
    weights: np.ndarray, layers: Sequence[int], heads: Sequence[int]
) -> dict[str, Any]:
    """Some heads of (layers, heads, M, N) weights quantised as :func:`quantised_to_json`, with
    the ``layers`` and ``heads`` they are (``weights[layers][:, heads]``), one layer at a time
    (no float temporary of the whole tensor)."""
    _, _, m, n = weights.shape
    codes = np.empty((len(layers), len(heads), m, n), np.uint8)
    scale = np.empty((len(layers), len(heads), m), "<f4")
    for i, layer in enumerate(layers):
        codes[i], scale[i] = quantise_rows(weights[layer][list(heads)])
    return {
        "dtype": "uint8-rows",
        "shape": list(codes.shape),
        "buffer": memoryview(codes).cast("B"),
        "scale": memoryview(scale).cast("B"),
        "layers": [int(i) for i in layers],
        "heads": [int(i) for i in heads],
    }


def _refuse(value: Any, widget: Any = None) -> Any:
    raise WireFormatError("this trait is computed by the kernel and cannot be set by a view")


def _kind(value: Any) -> str:
    return type(value).__name__


array_serialization = {"to_json": array_to_json, "from_json": array_from_json}
params_serialization = {"to_json": params_to_json, "from_json": params_from_json}
param_sets_serialization = {"to_json": param_sets_to_json, "from_json": _refuse}
row_patch_serialization = {"to_json": row_patch_to_json, "from_json": _refuse}
quantised_serialization = {"to_json": quantised_to_json, "from_json": _refuse}
