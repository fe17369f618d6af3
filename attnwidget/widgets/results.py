"""The widget's results: computed once per distinct set of inputs, checked across inputs,
and sent whole or as a row patch."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np
from traitlets import TraitError

from ..core.checks import freeze
from ..core.engine import AttentionResult, attention
from ..wire.codec import array_from_json, array_to_json
from ..wire.protocol import ATTENTION, MAX_PAIRS, MAX_VALUES, ROW_PATCH
from ..wire.traits import AttentionInputError

__all__ = ["Results", "as_input_error", "default_tokens", "edit_of_q", "tokens_for"]

QUERY_ROWS: str = ROW_PATCH["up"]
"""The trait a view sets to edit some queries only: ``{"rows": [i, ...], "Q": their rows}``."""


class Results:
    """The last result computed (kept for the change that asked for it) and the one the views
    hold, each with the inputs it was computed from."""

    def __init__(self) -> None:
        self.candidate: tuple[tuple, AttentionResult] | None = None
        self.published: tuple[tuple, AttentionResult] | None = None
        self.computations = 0
        self._before: tuple | None = None  # the inputs of the results published before

    def compute(self, inputs: dict[str, Any], qt: list[str], kt: list[str]) -> AttentionResult:
        """The engine's result for ``inputs``, or an :class:`AttentionInputError`."""
        _check_size(inputs)
        _check_tokens(qt, kt, len(inputs["Q"]), len(inputs["K"]))
        key = tuple(inputs[n] for n in ATTENTION.inputs)
        if self.candidate is not None and _same(self.candidate[0], key):
            return self.candidate[1]
        q, k = inputs["Q"], inputs["K"]
        mask = inputs["mask"]
        if mask is not None and np.shape(mask) != (len(q), len(k)):
            raise AttentionInputError(
                f"mask must have shape (M, N) = ({len(q)}, {len(k)}), got {np.shape(mask)}"
            )
        try:
            result = attention(
                q,
                k,
                inputs["V"],
                score=inputs["score"],
                params=inputs["params"],
                mask=mask,
                temperature=inputs["temperature"],
            )
        except ValueError as exc:
            raise AttentionInputError(_widget_words(str(exc))) from None
        for a in (result.scores, result.weights, result.output):
            freeze(a)  # (so the traits store these arrays, not copies of them)
        result = AttentionResult(
            result.scores,
            result.weights,
            result.output,
            result.score,
            inputs["params"],
            result.temperature,
        )
        self.candidate = (key, result)
        self.computations += 1
        return result

    def publishing(self, result: AttentionResult) -> bool:
        """Mark ``result`` (the last one computed) as sent; False if it was sent already."""
        assert self.candidate is not None and self.candidate[1] is result
        if self.published is not None and result is self.published[1]:
            return False
        self._before = None if self.published is None else self.published[0]
        self.published = self.candidate
        return True

    @property
    def change(self) -> tuple[tuple, tuple] | None:
        """The inputs of the results published before and of those published now (or None)."""
        if self._before is None or self.published is None:
            return None
        return self._before, self.published[0]

    def rows_to_patch(self, row_edit: bool) -> np.ndarray | None:
        """The queries a view's edit of Q or of the mask changed, when only their rows of the
        results change and they are few enough; else None (send the arrays whole).

        Rows are patched only when every other input is the one the results published before
        were computed with (an observer or another thread may have changed one meanwhile).
        """
        if not row_edit or self._before is None or self.published is None:
            return None
        before, key = self._before, self.published[0]
        changed = np.zeros(len(key[0]), dtype=bool)
        for i, (old, new) in enumerate(zip(before, key, strict=True)):
            if _same((old,), (new,)):
                continue
            rows = _changed_rows(old, new) if i in _ROWWISE else None
            if rows is None or len(rows) != len(changed):
                return None
            changed |= rows
        rows = np.flatnonzero(changed)
        if len(rows) == 0 or len(rows) > ROW_PATCH["max_rows_fraction"] * len(key[0]):
            return None
        return rows

    def to_send(
        self,
        result: AttentionResult,
        rows: np.ndarray | None,
        held: dict[str, np.ndarray],
        queries: np.ndarray | None = None,
    ) -> tuple[dict[str, np.ndarray], dict[str, Any] | None]:
        """The result arrays to store, and the row patch that sends them (None: whole).

        With ``rows``, the views hold ``held`` (the arrays published before) and only these rows
        changed: the arrays to store are patched copies of ``held``, so the kernel holds
        exactly what the views show. With ``queries`` (the new Q, when the view sent only its
        changed rows), the patch carries those rows of Q too: the views' Q becomes the kernel's.
        """
        if rows is None:
            return {n: getattr(result, n) for n in ATTENTION.results}, None
        arrays: dict[str, np.ndarray] = {}
        patch: dict[str, Any] = {} if queries is None else {"Q": queries[rows]}
        for name in ATTENTION.results:
            patch[name] = getattr(result, name)[rows]
            a = np.array(held[name])
            a[rows] = patch[name]
            arrays[name] = freeze(a)
        return arrays, {"rows": rows.tolist(), **patch}


def edit_of_q(Q: np.ndarray, sync_data: dict[str, Any]) -> dict[str, Any]:
    """A view's edit of some queries (:data:`QUERY_ROWS`) as the edit of Q it stands for.

    Returns ``sync_data`` with :data:`QUERY_ROWS` replaced by ``Q``'s wire value: ``Q`` with
    those rows replaced, checked and applied from there exactly like an edit of the whole Q.
    Raises an :class:`AttentionInputError` when the rows do not fit ``Q``.
    """
    if "Q" in sync_data:
        raise AttentionInputError(f"a view's edit sets Q or {QUERY_ROWS}, not both")
    patch = sync_data[QUERY_ROWS]
    if not isinstance(patch, dict) or set(patch) != {"rows", "Q"}:
        raise AttentionInputError(f"{QUERY_ROWS} must be {{rows, Q}}, got {type(patch).__name__}")
    rows = check_rows(QUERY_ROWS, patch["rows"], len(Q), "query")
    edited = with_rows(QUERY_ROWS, "Q", Q, rows, patch["Q"])
    rest = {k: v for k, v in sync_data.items() if k != QUERY_ROWS}
    return {**rest, "Q": array_to_json(edited)}


def check_rows(trait: str, rows: Any, n: int, what: str) -> list[int]:
    """``rows`` of an upward patch (``trait``): distinct ``what`` indices in [0, n - 1]."""
    if (
        not isinstance(rows, list)
        or not all(type(i) is int and 0 <= i < n for i in rows)
        or len(set(rows)) != len(rows)
    ):
        raise AttentionInputError(
            f"{trait}['rows'] must be distinct {what} indices in [0, {n - 1}], got {rows!r:.80}"
        )
    return rows


def with_rows(trait: str, name: str, held: np.ndarray, rows: list[int], values: Any) -> np.ndarray:
    """A copy of ``held`` with ``rows`` replaced by ``values`` (the wire value of
    ``trait[name]``), which must be those rows' shape."""
    rows_of = array_from_json(values)
    if rows_of is None or rows_of.shape != (len(rows), held.shape[1]):
        shape = None if rows_of is None else rows_of.shape
        raise AttentionInputError(
            f"{trait}['{name}'] must have shape ({len(rows)}, {held.shape[1]}), got {shape}"
        )
    edited = np.array(held)
    edited[rows] = rows_of
    return edited


def tokens_for(inputs: dict[str, Any], qt: list[str], kt: list[str]) -> tuple[list[str], list[str]]:
    """Default tokens follow a change of M or N; user tokens must be changed with it."""
    m, n = len(inputs["Q"]), len(inputs["K"])
    if len(qt) != m and qt == default_tokens("q", len(qt)):
        qt = default_tokens("q", m)
    if len(kt) != n and kt == default_tokens("k", len(kt)):
        kt = default_tokens("k", n)
    return qt, kt


def _check_size(inputs: dict[str, Any]) -> None:
    """Refuse inputs too large to show live (the browser would freeze), saying what to do."""
    m, n = len(inputs["Q"]), len(inputs["K"])
    if m * n > MAX_PAIRS:
        raise AttentionInputError(
            f"Q and K are too large to show: {m} x {n} = {m * n:,} query-key pairs, the widget "
            f"shows at most {MAX_PAIRS:,} (e.g. 2048 x 2048). Show a slice (Q[:256], K[:256]), "
            "or compute with attnwidget.attention() and plot the weights."
        )
    arrays = [(n, inputs[n]) for n in ("Q", "K", "V")]
    arrays += [(f"params['{n}']", a) for n, a in (inputs["params"] or {}).items()]
    for name, a in arrays:
        if a is not None and np.size(a) > MAX_VALUES:
            raise AttentionInputError(
                f"{name} is too large to show: shape {np.shape(a)} has {np.size(a):,} values, "
                f"the widget shows at most {MAX_VALUES:,}; reduce its rows or width"
            )


def _check_tokens(qt: list[str], kt: list[str], m: int, n: int) -> None:
    for name, tokens, count, what in (
        ("query_tokens", qt, m, "query"),
        ("key_tokens", kt, n, "key"),
    ):
        if len(tokens) != count:
            raise AttentionInputError(
                f"{name} must have one token per {what}: expected {count}, got {len(tokens)}"
            )


@contextlib.contextmanager
def as_input_error(what: str) -> Iterator[None]:
    """Turn any failure into an :class:`AttentionInputError`, so that traitlets rolls back
    every trait changed in the enclosing ``hold_trait_notifications()`` block."""
    try:
        yield
    except TraitError:
        raise
    except Exception as exc:  # e.g. OverflowError, TypeError, MemoryError from numpy
        raise AttentionInputError(f"{what} failed: {type(exc).__name__}: {exc}") from exc


def default_tokens(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


_ROWWISE = frozenset(ATTENTION.inputs.index(n) for n in ROW_PATCH["edits"])
"""The inputs (by place) whose row i feeds row i of the results only: Q and the mask."""


def _changed_rows(old: np.ndarray | None, new: np.ndarray | None) -> np.ndarray | None:
    """Which rows of a row-wise input changed (a mask of None allows every key); None when
    the shape changed."""
    if old is None or new is None:  # a mask set or removed: the rows that are not all True
        return ~(new if old is None else old).all(axis=1)
    if old.shape != new.shape:
        return None
    return (old != new).any(axis=1)


def _same(a: tuple, b: tuple) -> bool:
    return all(
        x is y or (isinstance(x, (str, float, int)) and x == y) for x, y in zip(a, b, strict=True)
    )


def _widget_words(message: str) -> str:
    """The engine names its arguments queries/keys/values; the widget's traits are Q/K/V."""
    for word, trait in (("queries", "Q"), ("keys", "K"), ("values", "V")):
        if message.startswith(word):
            return trait + message[len(word) :]
    return message
