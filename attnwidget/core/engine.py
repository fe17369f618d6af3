"""The attention engine: score, normalise, sum — in plain numpy.

This module is the source of truth for every number attnwidget shows. It knows nothing of
widgets. For one query q and the keys k_1..k_N (the notation of the seed document):

=============  ===============================  ==================================
score          score(q, k_i)                    parameters
=============  ===============================  ==================================
``dot``        q^T k_i                          none (d_q = d_k)
``general``    q^T W k_i                        W: (d_q, d_k)
``scaled_dot`` q^T k_i / sqrt(d_k)              none (d_q = d_k)
``concat``     v^T tanh(W [q; k_i])             W: (h, d_q + d_k), v: (h,)
``additive``   v^T tanh(W q + U k_i)            W: (h, d_q), U: (h, d_k), v: (h,)
=============  ===============================  ==================================

then ``alpha = softmax(score / temperature)`` over the keys a query may attend to, and the
output is ``sum_i alpha_i v_i``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .checks import (
    as_float_array,
    check_finite_result,
    check_params,
    check_score,
    check_temperature,
    raise_if_non_finite,
)
from .masks import attention_mask

__all__ = [
    "SCORES",
    "DEFAULT_HIDDEN",
    "CHUNK_BUDGET_BYTES",
    "MAX_HIDDEN",
    "AttentionResult",
    "attention",
    "init_params",
    "softmax",
]

SCORES: tuple[str, ...] = ("dot", "general", "scaled_dot", "concat", "additive")
"""The score functions, in the order of the seed document's table."""

DEFAULT_HIDDEN = 8
"""Default hidden size h of the ``concat`` and ``additive`` score functions."""

CHUNK_BUDGET_BYTES = 32 * 2**20
"""Most memory the temporaries of ``concat``/``additive`` take together: 32 MiB.

Queries and keys are processed in blocks so that the block's (queries, keys, h) sums and the
projections W q and U k stay under this budget."""

MAX_HIDDEN = CHUNK_BUDGET_BYTES // 24
"""Largest hidden size h of ``concat`` and ``additive`` (one query-key pair's three h-vectors
fit the budget): 1,398,101."""


# --- step 1: the score functions, each next to its formula --------------------------------


def _dot(q: np.ndarray, k: np.ndarray, p: dict[str, np.ndarray]) -> np.ndarray:
    # q^T k_i
    return q @ np.swapaxes(k, -1, -2)


def _general(q: np.ndarray, k: np.ndarray, p: dict[str, np.ndarray]) -> np.ndarray:
    # q^T W k_i
    return q @ p["W"] @ np.swapaxes(k, -1, -2)


def _scaled_dot(q: np.ndarray, k: np.ndarray, p: dict[str, np.ndarray]) -> np.ndarray:
    # q^T k_i / sqrt(d_k)
    return (q / np.sqrt(k.shape[-1])) @ np.swapaxes(k, -1, -2)


def _additive(q: np.ndarray, k: np.ndarray, p: dict[str, np.ndarray]) -> np.ndarray:
    # v^T tanh(W q + U k_i)
    return _tanh_mlp(q, k, p["W"], p["U"], p["v"])


def _concat(q: np.ndarray, k: np.ndarray, p: dict[str, np.ndarray]) -> np.ndarray:
    # v^T tanh(W [q; k_i])  ==  v^T tanh(W[:, :d_q] q + W[:, d_q:] k_i)
    d_q = q.shape[-1]
    return _tanh_mlp(q, k, p["W"][:, :d_q], p["W"][:, d_q:], p["v"])


def _tanh_mlp(
    q: np.ndarray, k: np.ndarray, w_q: np.ndarray, w_k: np.ndarray, v: np.ndarray
) -> np.ndarray:
    """``v^T tanh(w_q q_m + w_k k_n)`` for every pair, by blocks of queries and keys.

    ``q`` is (..., M, d_q), ``k`` is (..., N, d_k), ``w_q`` (h, d_q), ``w_k`` (h, d_k). Every
    temporary together (the block's ``(queries, keys, h)`` sums and the two projections)
    stays under :data:`CHUNK_BUDGET_BYTES`, whatever M, N and h.
    """
    lead = np.broadcast_shapes(q.shape[:-2], k.shape[:-2])
    m, n, h = q.shape[-2], k.shape[-2], v.shape[0]
    q = np.broadcast_to(q, (*lead, m, q.shape[-1]))
    k = np.broadcast_to(k, (*lead, n, k.shape[-1]))
    out = np.empty((*lead, m, n))
    if out.size == 0:
        return out
    per_pair = h * 8 * math.prod(lead)
    if lead and 3 * per_pair > CHUNK_BUDGET_BYTES:  # one batch index at a time
        for i in np.ndindex(*lead):
            out[i] = _tanh_mlp(q[i], k[i], w_q, w_k, v)
        return out
    pairs = max(1, CHUNK_BUDGET_BYTES // (3 * per_pair))  # a third each: sums, wq, uk
    keys = min(n, pairs)
    queries = min(m, max(1, pairs // keys))
    buf = np.empty((*lead, queries, keys, h))
    for k0 in range(0, n, keys):
        k1 = min(k0 + keys, n)
        uk = k[..., k0:k1, :] @ w_k.T  # (..., keys, h)
        for q0 in range(0, m, queries):
            q1 = min(q0 + queries, m)
            wq = q[..., q0:q1, :] @ w_q.T  # (..., queries, h)
            t = buf[..., : q1 - q0, : k1 - k0, :]
            np.add(wq[..., :, None, :], uk[..., None, :, :], out=t)
            np.tanh(t, out=t)
            np.matmul(t, v, out=out[..., q0:q1, k0:k1])
    return out


_SCORE_FUNCTIONS: dict[str, Callable[[np.ndarray, np.ndarray, dict[str, np.ndarray]], Any]] = {
    "dot": _dot,
    "general": _general,
    "scaled_dot": _scaled_dot,
    "concat": _concat,
    "additive": _additive,
}


# --- step 2: softmax -----------------------------------------------------------------------


def softmax(
    scores: np.ndarray, mask: np.ndarray | None = None, temperature: float = 1.0
) -> np.ndarray:
    """Softmax over the last axis, numerically stable, with an optional mask.

    Computes ``exp((s - max) / T) / sum(...)`` over the keys where ``mask`` is True, which equals
    ``softmax(s / T)`` but cannot overflow for any finite scores. Masked keys get weight exactly
    0; a row with every key masked gets all-zero weights (never NaN).

    Parameters
    ----------
    scores : ndarray, shape (..., M, N)
        Finite scores.
    mask : ndarray of bool, broadcastable to ``scores.shape``, optional
        True where the query may attend to the key.
    temperature : float
        Positive; large values flatten the weights, small values sharpen them.

    Returns
    -------
    ndarray, shape (..., M, N)
        Weights in [0, 1]; each row sums to 1 (or 0 when fully masked).
    """
    s = np.asarray(scores, dtype=np.float64)
    with np.errstate(over="ignore"):  # s - top may be -inf for scores ~1e308 apart: exp -> 0
        if mask is None:
            e = s - s.max(axis=-1, keepdims=True)
        else:
            allowed = np.broadcast_to(mask, s.shape)
            top = np.where(allowed, s, -np.inf).max(axis=-1, keepdims=True)
            top = np.where(np.isfinite(top), top, 0.0)  # fully masked rows
            e = np.where(allowed, s, top) - top
        if temperature != 1.0:
            e /= temperature
        np.exp(e, out=e)
    if mask is not None:
        e[~allowed] = 0.0
    total = e.sum(axis=-1, keepdims=True)
    e /= np.where(total > 0, total, 1.0)
    return e


# --- parameters ----------------------------------------------------------------------------


def init_params(
    score: str, d_q: int, d_k: int, *, hidden: int | None = None, seed: int = 0
) -> dict[str, np.ndarray]:
    """Deterministic default parameters for a score function.

    Every entry is drawn from ``N(0, 1 / fan_in)`` with ``numpy.random.default_rng(seed)``
    (fan_in = the number of inputs the matrix multiplies: d_k for general's ``W``, d_q + d_k for
    concat's ``W``, d_q for additive's ``W``, d_k for ``U``, h for ``v``), so scores keep a
    readable size. Draw order: W, then U, then v.

    Parameters
    ----------
    score : str
        One of :data:`SCORES`.
    d_q, d_k : int
        Widths of the queries and the keys.
    hidden : int, optional
        Hidden size h of ``concat`` and ``additive`` (default :data:`DEFAULT_HIDDEN`).
    seed : int
        Seed of the random generator.

    Returns
    -------
    dict of str to ndarray
        ``{}`` for dot and scaled_dot; ``{"W"}`` for general; ``{"W", "v"}`` for concat;
        ``{"W", "U", "v"}`` for additive.
    """
    check_score(score)
    for name, value in (("d_q", d_q), ("d_k", d_k)):
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    h = DEFAULT_HIDDEN if hidden is None else hidden
    if int(h) != h or h < 1:
        raise ValueError(f"hidden must be a positive integer, got {hidden!r}")
    if h > MAX_HIDDEN:
        raise ValueError(f"hidden must be at most MAX_HIDDEN = {MAX_HIDDEN:,}, got {h:,}")
    if score in ("dot", "scaled_dot"):
        return {}
    rng = np.random.default_rng(seed)

    def draw(*shape: int, fan_in: int) -> np.ndarray:
        return rng.standard_normal(shape) / np.sqrt(fan_in)

    if score == "general":
        return {"W": draw(d_q, d_k, fan_in=d_k)}
    if score == "concat":
        return {"W": draw(h, d_q + d_k, fan_in=d_q + d_k), "v": draw(h, fan_in=h)}
    return {"W": draw(h, d_q, fan_in=d_q), "U": draw(h, d_k, fan_in=d_k), "v": draw(h, fan_in=h)}


# --- the whole mechanism -------------------------------------------------------------------


@dataclass(frozen=True)
class AttentionResult:
    """What :func:`attention` computed, and with what.

    Attributes
    ----------
    scores : ndarray, shape (..., M, N)
        The raw score-function values (before temperature and mask).
    weights : ndarray, shape (..., M, N)
        Softmax weights; masked keys are exactly 0.
    output : ndarray, shape (..., M, d_v)
        ``weights @ values``.
    score : str
        The score function used.
    params : dict of str to ndarray
        The parameters used (empty for dot and scaled_dot).
    temperature : float
        The softmax temperature used.
    """

    scores: np.ndarray
    weights: np.ndarray
    output: np.ndarray
    score: str
    params: dict[str, np.ndarray] = field(default_factory=dict)
    temperature: float = 1.0


def attention(
    queries: Any,
    keys: Any,
    values: Any = None,
    *,
    score: str = "scaled_dot",
    params: dict[str, Any] | None = None,
    mask: Any = None,
    temperature: float = 1.0,
    valid_lens: Any = None,
    causal: bool = False,
) -> AttentionResult:
    """Attention of each query over the keys: score, softmax, weighted sum of the values.

    Parameters
    ----------
    queries : array_like, shape (..., M, d_q)
        One query per row. Lists, integer or float32 arrays and anything with ``__array__``
        (e.g. a torch tensor) are accepted; computation is float64.
    keys : array_like, shape (..., N, d_k)
        One key per row.
    values : array_like, shape (..., N, d_v), optional
        One value per key; ``None`` means ``values = keys`` (K = V).
    score : str
        One of :data:`SCORES`.
    params : dict, optional
        Parameters of the score function (see :func:`init_params` for names and shapes);
        ``None`` means ``init_params(score, d_q, d_k, seed=0)``.
    mask : array_like of bool, broadcastable to (..., M, N), optional
        True where a query may attend to a key. Masked keys get weight 0; a fully masked row
        gets zero weights and a zero output. Float masks (additive 0 / -inf) and torch's
        causal mask written as True = blocked are refused with a message.
    temperature : float
        Positive and finite; scores are divided by it before the softmax.
    valid_lens : array_like of int, optional
        d2l's ``masked_softmax`` lengths: each query sees its first ``valid_lens`` keys.
        Shape (B,) for one length per batch row or (B, M) for one per query, B being the
        queries' first axis (other leading axes, e.g. heads, share the batch row's length);
        without leading axes, one number or (M,). A length of 0 gives zero weights (d2l's
        gives uniform ones).
    causal : bool
        Query i sees key j when ``j <= i + (N - M)``: the lower triangle when M == N; with
        N > M the queries are the last M positions (as in KV-cache decoding).
        ``mask``, ``valid_lens`` and ``causal`` combine with AND.

    Returns
    -------
    AttentionResult
        ``scores``, ``weights`` and ``output`` (float64), with the score name and params used.

    Raises
    ------
    ValueError
        With a message naming the argument, for any input that does not fit.

    Examples
    --------
    >>> r = attention([[1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]], score="dot")
    >>> r.weights.round(3)
    array([[0.731, 0.269]])
    >>> attention([[1.0], [1.0]], [[1.0], [2.0]], score="dot", causal=True).weights.round(3)
    array([[1.   , 0.   ],
           [0.269, 0.731]])
    """
    check_score(score)
    # No copies, no input scans for the dot-product scores: NaN/inf in a query or key shows in
    # their scores, and only then are the inputs scanned to say where (check_finite_result).
    # tanh saturates (tanh(inf) = 1), so concat and additive scan them first (cheap next to
    # their (M, N, h) work).
    q = as_float_array(queries, "queries", min_ndim=2, copy=False, check_finite=False)
    k = as_float_array(keys, "keys", min_ndim=2, copy=False, check_finite=False)
    if score in ("concat", "additive"):
        raise_if_non_finite(q, "queries")
        raise_if_non_finite(k, "keys")
    v = k if values is None else as_float_array(values, "values", copy=False, check_finite=False)
    t = check_temperature(temperature)
    if k.shape[-2] == 0:
        raise ValueError(f"keys must contain at least one key, got shape {k.shape}")
    if v.shape[-2] != k.shape[-2]:
        raise ValueError(
            f"values must have one row per key: keys have {k.shape[-2]} rows "
            f"(shape {k.shape}), values have {v.shape[-2]} (shape {v.shape})"
        )
    if score in ("dot", "scaled_dot") and q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"score {score!r} needs queries and keys of the same width: queries have "
            f"d_q={q.shape[-1]} (shape {q.shape}), keys have d_k={k.shape[-1]} (shape {k.shape})"
        )
    lead: tuple[int, ...] = ()
    if q.ndim > 2 or k.ndim > 2 or v.ndim > 2:
        for name, a in (("keys", k), ("values", v)):
            try:
                np.broadcast_shapes(q.shape[:-2], a.shape[:-2])
            except ValueError:
                raise ValueError(
                    f"{name} leading dimensions {a.shape[:-2]} do not broadcast with the "
                    f"queries' {q.shape[:-2]}"
                ) from None
        lead = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    if params is None:
        p = init_params(score, q.shape[-1], k.shape[-1], seed=0)
    else:
        p = check_params(score, params, q.shape[-1], k.shape[-1])
        if "v" in p and len(p["v"]) > MAX_HIDDEN:
            raise ValueError(
                f"params['v'] has hidden size h = {len(p['v']):,}, at most MAX_HIDDEN = "
                f"{MAX_HIDDEN:,} (the (queries, keys, h) temporaries must fit the chunk budget)"
            )
    m_mask = attention_mask(mask, valid_lens, causal, (*lead, q.shape[-2], k.shape[-2]))

    with np.errstate(over="ignore", invalid="ignore"):
        scores = np.asarray(_SCORE_FUNCTIONS[score](q, k, p), dtype=np.float64)
        check_finite_result(scores, "scores", "the queries and keys", {"queries": q, "keys": k})
        weights = softmax(scores, m_mask, t)
        output = weights @ v
        check_finite_result(output, "output", "the values", {"values": v})
    return AttentionResult(
        scores=scores, weights=weights, output=output, score=score, params=p, temperature=t
    )
