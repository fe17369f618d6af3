"""A view's edit of a few keys or values: up as their rows, down as only what changed.

Up, ``_key_patch = {"rows": [j, ...], "K"?: their rows, "V"?: their rows}`` stands for the edit
of K and/or V with those rows replaced (:func:`edit_of_keys`). Down, an edit of K and V alone
(whole or as rows) changes, for the keys ``j`` it moved, one column of ``scores`` each, and (the
softmax renormalises every row) all of ``weights`` and ``output``; an edit of V alone changes
``output`` only. The kernel sends what changed: ``weights`` and ``output`` whole when they
changed, and ``_col_patch = {"keys": [j, ...], "scores"?: (M, c) columns, "K"?, "V"?: rows}``
(:func:`key_answer`), which a view writes into its arrays in place. See docs/how-it-works.md.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.checks import freeze
from ..core.engine import AttentionResult
from ..wire.codec import array_to_json
from ..wire.protocol import ATTENTION, KEY_PATCH
from ..wire.traits import AttentionInputError
from .results import check_rows, with_rows

__all__ = ["KEY_ROWS", "edit_of_keys", "key_answer", "keys_to_patch"]

KEY_ROWS: str = KEY_PATCH["up"]
"""The trait a view sets to edit some keys or values only: ``{"rows", "K"?, "V"?}``."""

_K, _V = ATTENTION.inputs.index("K"), ATTENTION.inputs.index("V")


def edit_of_keys(K: np.ndarray, V: np.ndarray | None, sync_data: dict[str, Any]) -> dict[str, Any]:
    """A view's edit of some keys or values (:data:`KEY_ROWS`) as the edit of K / V it stands for.

    Returns ``sync_data`` with :data:`KEY_ROWS` replaced by the wire values of ``K`` and/or
    ``V`` with those rows replaced. Raises an :class:`AttentionInputError` when the rows do not
    fit (or ``V`` is None: a view sends V whole the first time it gives values of their own).
    """
    if "K" in sync_data or "V" in sync_data:
        raise AttentionInputError(f"a view's edit sets K and V or {KEY_ROWS}, not both")
    patch = sync_data[KEY_ROWS]
    if (
        not isinstance(patch, dict)
        or "rows" not in patch
        or not set(patch) - {"rows"}
        or not set(patch) <= {"rows", "K", "V"}
    ):
        got = sorted(patch) if isinstance(patch, dict) else type(patch).__name__
        raise AttentionInputError(f"{KEY_ROWS} must be {{rows, K and/or V}}, got {got}")
    rows = check_rows(KEY_ROWS, patch["rows"], len(K), "key")
    rest = {k: v for k, v in sync_data.items() if k != KEY_ROWS}
    for name, held in (("K", K), ("V", V)):
        if name not in patch:
            continue
        if held is None:
            raise AttentionInputError(
                f"{KEY_ROWS}['V'] needs values of their own: V is None (the values are the "
                "keys), so send V whole"
            )
        rest[name] = array_to_json(with_rows(KEY_ROWS, name, held, rows, patch[name]))
    return rest


def _differ(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a != b).any(axis=1)


def keys_to_patch(change: tuple[tuple, tuple] | None) -> tuple[np.ndarray, np.ndarray] | None:
    """The keys an edit of K and V moved, and which of them moved in K, when only those changed
    (every other input is the one of the results published before) and they are few enough;
    else None (send the results whole).

    ``change`` is :attr:`Results.change`: the inputs before and now, in protocol order.
    """
    if change is None:
        return None
    before, now = change
    if not all(
        b is a or (isinstance(b, (str, float, int)) and b == a)
        for i, (b, a) in enumerate(zip(before, now, strict=True))
        if i not in (_K, _V)
    ):
        return None
    k0, k1, v0, v1 = before[_K], now[_K], before[_V], now[_V]
    if k0.shape != k1.shape:
        return None
    k_moved = _differ(k0, k1)
    if v0 is None and v1 is None:
        v_moved = k_moved
    elif v1 is None or (v0 is not None and v0.shape != v1.shape):
        return None  # (V back to None, or a new width: everything changes)
    else:
        base = k0 if v0 is None else v0
        if base.shape != v1.shape:
            return None
        v_moved = _differ(base, v1)
    keys = np.flatnonzero(k_moved | v_moved)
    if len(keys) == 0 or len(keys) > KEY_PATCH["max_rows_fraction"] * len(k1):
        return None
    return keys, k_moved[keys]


def key_answer(
    result: AttentionResult,
    keys: np.ndarray,
    k_moved: np.ndarray,
    held: dict[str, np.ndarray],
    rows_of: dict[str, np.ndarray],
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The result arrays to store, and the ``_col_patch`` that sends the change.

    The views hold ``held`` (the arrays published before). Scores change in the columns of
    the keys that moved in K only, so the kernel stores ``held["scores"]`` with those columns
    replaced (it holds exactly what the views hold); weights change whole when a key moved, and
    output whole. ``rows_of``: the inputs (K, V) the view sent as rows, whose rows at ``keys``
    the patch carries back (the views' K and V become the kernel's).
    """
    patch: dict[str, Any] = {"keys": keys.tolist()}
    arrays = {"output": result.output}
    if k_moved.any():
        scores = np.array(held["scores"])
        scores[:, keys] = result.scores[:, keys]
        arrays["scores"] = freeze(scores)
        arrays["weights"] = result.weights
        patch["scores"] = np.ascontiguousarray(result.scores[:, keys])
    else:
        arrays["scores"], arrays["weights"] = held["scores"], held["weights"]
    for name, a in rows_of.items():
        patch[name] = np.ascontiguousarray(a[keys])
    return arrays, patch
