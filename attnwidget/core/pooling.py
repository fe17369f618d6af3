"""Every head of (layers, heads, M, N) weights max-pooled to a small thumbnail, rows first.

A head's rows are contiguous in memory, so each layer is pooled over blocks of whole rows first
(one vectorised max over contiguous rows: the pass that reads the tensor), then the small
(heads, T, N) result over blocks of columns. Pooling columns first, or both at once, walks the
tensor with strides and is several times slower on a 2 GiB tensor.

The pooled tensor also answers whether every weight is in [0, 1]: on float16/32 bits (as
unsigned integers, which order as the values for non-negative floats) the largest thumbnail
cell is the largest weight, so one pass both checks and pools.
"""

from __future__ import annotations

import weakref

import numpy as np

__all__ = ["pool_heads", "remember_thumbnails", "remembered_thumbnails"]


def pool_heads(weights: np.ndarray, side: int) -> np.ndarray:
    """Each head of ``weights`` (layers, heads, M, N) max-pooled to at most ``side`` x ``side``.

    Block edges are ``floor(k * M / T)``, so every row and column falls in exactly one block.
    Returns an array of ``weights``' dtype, (layers, heads, min(side, M), min(side, N)); one
    layer at a time, so no temporary larger than a layer's (heads, T, N).
    """
    n_layers, n_heads, m, n = weights.shape
    tm, tn = min(side, m), min(side, n)
    rows = np.arange(tm) * m // tm
    cols = np.arange(tn) * n // tn
    out = np.empty((n_layers, n_heads, tm, tn), weights.dtype)
    for i in range(n_layers):
        layer = weights[i]
        if m % tm == 0:
            pooled = layer.reshape(n_heads, tm, m // tm, n).max(axis=2)
        else:
            pooled = np.maximum.reduceat(layer, rows, axis=1)
        if n % tn == 0:
            out[i] = pooled.reshape(n_heads, tm, tn, n // tn).max(axis=3)
        else:
            out[i] = np.maximum.reduceat(pooled, cols, axis=2)
    return out


# One slot: the thumbnails pooled while the last weights were checked (the widget that takes
# those weights uses them instead of reading the tensor again).
_LAST: tuple[weakref.ref[np.ndarray], np.ndarray] | None = None


def remember_thumbnails(weights: np.ndarray, thumbnails: np.ndarray) -> None:
    """Keep ``thumbnails`` as those of ``weights`` (until the next call, or ``weights`` goes)."""
    global _LAST
    _LAST = (weakref.ref(weights), thumbnails)


def remembered_thumbnails(weights: np.ndarray) -> np.ndarray | None:
    """The thumbnails remembered for this very array, else None."""
    last = _LAST
    return last[1] if last is not None and last[0]() is weights else None
