"""Masks of the engine: which keys each query may attend to. True = may attend.

Three ways to say it, combined with AND by :func:`attention_mask`:

- ``mask``: booleans broadcastable to (..., M, N);
- ``valid_lens``: d2l's ``masked_softmax`` meaning, the number of keys each query sees
  (the first ``valid_lens`` keys; the rest are padding);
- ``causal=True``: query i sees key j when ``j <= i + (N - M)`` (the keys of a decoder that
  already holds ``N - M`` earlier tokens, as in KV-cache decoding and transformers' masks).

Other libraries write masks the other way round (torch's ``nn.MultiheadAttention``: True =
blocked) or as additive floats (0 and -inf); both are refused with a message, not read as
something else.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .checks import as_bool_array, to_numpy

__all__ = ["as_mask", "attention_mask", "causal_mask", "lengths_mask"]

_CONVENTION = "attnwidget's masks hold booleans, True where a query may attend to a key"


def causal_mask(m: int, n: int) -> np.ndarray:
    """The causal mask of M queries over N keys: query i sees key j when ``j <= i + (N - M)``.

    With M == N this is the lower triangle (diagonal included). With N > M the queries are the
    last M of N positions (a decoder with N - M tokens already cached).

    Returns
    -------
    ndarray of bool, shape (M, N)
    """
    return np.arange(n)[None, :] <= np.arange(m)[:, None] + (n - m)


def as_mask(value: Any, name: str = "mask") -> np.ndarray:
    """``value`` as a bool mask (True = may attend), refusing the other conventions.

    Raises
    ------
    ValueError
        For a float mask (additive 0 / -inf masks, or probabilities), and for the exact
        pattern of torch's causal mask ``triu(ones(M, N), 1)`` (True = blocked), naming the
        convention and the way to convert.
    """
    arr = to_numpy(value, name)  # (a float tensor, bfloat16 too, arrives as a float array)
    if arr.dtype.kind == "f":
        raise ValueError(
            f"{name} holds floats (dtype {getattr(value, 'dtype', arr.dtype)}); {_CONVENTION}. "
            f"An additive mask (0 = attend, -inf = blocked, as torch's float attn_mask or a "
            f"transformers 4-D mask) converts with {name} == 0; for a decoder pass causal=True"
        )
    mask = as_bool_array(arr, name)
    if _is_torch_causal(mask):
        m, n = mask.shape[-2:]
        raise ValueError(
            f"{name} is exactly torch's causal mask triu(ones({m}, {n}), {n - m + 1}), where "
            f"True means blocked; {_CONVENTION}. Pass causal=True (or ~{name}, the lower triangle)"
        )
    return mask


def _is_torch_causal(mask: np.ndarray) -> bool:
    """Whether every (M, N) slice of ``mask`` is the strict upper triangle (True above the
    causal diagonal, False on and below it): the causal mask written as True = blocked."""
    if mask.ndim < 2 or mask.shape[-2] < 2 or mask.shape[-1] < 2:
        return False
    m, n = mask.shape[-2:]
    return bool(np.array_equal(mask, np.broadcast_to(~causal_mask(m, n), mask.shape)))


def lengths_mask(valid_lens: Any, lead: tuple[int, ...], m: int, n: int) -> np.ndarray:
    """d2l's ``valid_lens`` as a bool mask broadcastable to ``(*lead, M, N)``.

    Without leading axes, ``valid_lens`` is one length (every query) or one per query (M,).
    With leading axes, the first is the batch B: ``valid_lens`` is (B,) (one length per batch
    row, for every query and head) or (B, M) (one per query).

    Raises
    ------
    ValueError
        For a shape that is neither, or lengths that are not integers in [0, N].
    """
    lens = to_numpy(valid_lens, "valid_lens")
    if lens.dtype.kind not in "iu" and not (
        lens.dtype.kind == "f" and np.all(np.isfinite(lens)) and np.all(lens == np.round(lens))
    ):
        raise ValueError(
            f"valid_lens must hold integers (the number of keys each query sees), got dtype "
            f"{lens.dtype}"
        )
    if lens.size and (lens.min() < 0 or lens.max() > n):
        raise ValueError(
            f"valid_lens must be in [0, N] = [0, {n}], got values from {lens.min()} to {lens.max()}"
        )
    if lead:
        b = lead[0]
        shapes = {
            (b,): "(B,) = {} (one length per batch row)",
            (b, m): "(B, M) = {} (one per query)",
        }
    else:
        shapes = {(): "one number (for every query)", (m,): "(M,) = {} (one per query)"}
    if lens.shape not in shapes:
        want = " or ".join(w.format(s) for s, w in shapes.items())
        first = " (B: the queries' first axis)" if lead else ""
        raise ValueError(f"valid_lens must be {want}{first}; got shape {lens.shape}")
    per_query = lens.ndim == (2 if lead else 1)
    lens = lens.astype(np.int64)
    lens = lens[..., None] if per_query else lens[..., None, None]  # (..., M or 1, 1)
    if lead:  # the batch axis first, then one axis per other leading axis (e.g. heads)
        lens = lens.reshape((lead[0],) + (1,) * (len(lead) - 1) + lens.shape[1:])
    return np.arange(n) < lens


def attention_mask(
    mask: Any, valid_lens: Any, causal: bool, shape: tuple[int, ...]
) -> np.ndarray | None:
    """The mask the engine applies: ``mask``, ``valid_lens`` and ``causal`` combined with AND,
    broadcast to ``shape`` = (..., M, N); None when none is given."""
    if not isinstance(causal, (bool, np.bool_)):
        raise ValueError(f"causal must be True or False, got {type(causal).__name__} {causal!r}")
    *lead, m, n = shape
    parts = []
    if mask is not None:
        arr = as_mask(mask)
        try:
            parts.append(np.broadcast_to(arr, shape))
        except ValueError:
            raise ValueError(
                f"mask of shape {arr.shape} does not broadcast to (..., M, N) = {shape}"
            ) from None
    if valid_lens is not None:
        parts.append(lengths_mask(valid_lens, tuple(lead), m, n))
    if causal:
        parts.append(causal_mask(m, n))
    if not parts:
        return None
    out = parts[0]
    for part in parts[1:]:
        out = out & part
    return np.broadcast_to(out, shape)
