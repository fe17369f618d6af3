"""Test helpers: a widget's state as plain copies, compared trait by trait, and wire arrays."""

from __future__ import annotations

from typing import Any

import numpy as np

from attnwidget import AttentionWidget
from attnwidget.codec import array_to_json

TRAITS = (
    "Q",
    "K",
    "V",
    "query_tokens",
    "key_tokens",
    "score",
    "params",
    "mask",
    "temperature",
    "scores",
    "weights",
    "output",
    "selected_query",
)


def snapshot(w: AttentionWidget, names: tuple[str, ...] = TRAITS) -> dict[str, Any]:
    """Copies of the widget's traits, safe from later changes."""
    out: dict[str, Any] = {}
    for n in names:
        v = getattr(w, n)
        if isinstance(v, dict):
            v = {k: np.array(a) for k, a in v.items()}
        elif isinstance(v, (np.ndarray, list)):
            v = v.copy()
        out[n] = v
    return out


def assert_same_state(a: dict[str, Any], b: dict[str, Any]) -> None:
    """Two snapshots hold equal values, trait by trait."""
    assert a.keys() == b.keys()
    for n in a:
        x, y = a[n], b[n]
        if isinstance(x, dict):
            assert x.keys() == y.keys(), n
            for k in x:
                np.testing.assert_array_equal(x[k], y[k])
        elif isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            np.testing.assert_array_equal(x, y)
        else:
            assert x == y, n


def wire(arr: Any) -> dict[str, Any]:
    """An array as a frontend sends it: a bytes buffer, not a numpy array."""
    j = array_to_json(np.asarray(arr))
    return {**j, "buffer": memoryview(bytes(j["buffer"]))}
