"""How AttentionWidget answers its views: their edits, custom messages, and row patches both ways.

A view's edit of a few queries may cross as their rows only (``_query_patch``, up), and is answered
with the rows of the results it changed (``_row_patch``, down) instead of whole arrays: see
``docs/how-it-works.md``. :class:`ViewEdits` is mixed into
:class:`~attnwidget.AttentionWidget`, whose inputs, results and caches it uses.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.engine import SCORES, AttentionResult
from ..wire.protocol import ATTENTION, KEY_PATCH, ROW_PATCH
from .keyedits import KEY_ROWS, edit_of_keys, key_answer, keys_to_patch
from .results import QUERY_ROWS, edit_of_q

__all__ = ["ViewEdits"]

_ROW_EDITS = frozenset(ROW_PATCH["edits"])  # Q and the mask: row i feeds row i of the results
_ROW_EDIT = _ROW_EDITS | frozenset(ROW_PATCH["alongside"])
_KEY_EDIT = frozenset(KEY_PATCH["edits"]) | frozenset(KEY_PATCH["alongside"])


class ViewEdits:
    """The frontend half of :class:`~attnwidget.AttentionWidget` (a mixin)."""

    def _init_view_edits(self) -> None:
        self._row_edit = False  # during a view's edit of Q or the mask (answered by a row patch)
        self._q_rows_edit = False  # ... which sent only the rows it changed (_query_patch)
        self._q_in_patch = False  # the answer's row patch carried those rows of Q back
        self._key_edit = False  # during a view's edit of K and V alone (answered by _col_patch)
        self._kv_rows: frozenset[str] = frozenset()  # ... of which these came as rows (_key_patch)
        self._kv_in_patch = False  # the answer's _col_patch carried those rows back
        self._patched = False  # a row patch was published during this edit
        self._unsent: dict[str, np.ndarray] = {}  # result arrays sent as a row patch

    def _apply_edit(self, sync_data: dict[str, Any]) -> None:
        self._q_in_patch = self._kv_in_patch = self._patched = False
        try:
            self._q_rows_edit = QUERY_ROWS in sync_data
            if self._q_rows_edit:
                sync_data = edit_of_q(self.Q, sync_data)
            if KEY_ROWS in sync_data:
                sync_data = edit_of_keys(self.K, self.V, sync_data)
                self._kv_rows = frozenset(sync_data) & {"K", "V"}
            self._row_edit = bool(_ROW_EDITS & set(sync_data)) and set(sync_data) <= _ROW_EDIT
            self._key_edit = bool({"K", "V"} & set(sync_data)) and set(sync_data) <= _KEY_EDIT
            super()._apply_edit(sync_data)  # type: ignore[misc]
        finally:  # (these flags hold during this edit only, however it ends)
            self._row_edit = self._q_rows_edit = self._key_edit = False
            self._kv_rows = frozenset()

    def _answer(self, sync_data: dict[str, Any], error: str) -> None:
        if QUERY_ROWS in sync_data and not error and not self._q_in_patch:
            self.send_state("Q")  # the views hold the rows they sent only once the kernel says so
        kv = sync_data.get(KEY_ROWS)
        if isinstance(kv, dict) and not error and not self._kv_in_patch:
            self.send_state([n for n in ("K", "V") if n in kv])  # (the same for keys and values)
        answer = sync_data.get("edit_id")
        if error or answer is not None:
            self.error = error
        if type(answer) is int and answer >= 0:
            self.result_id = answer

    def _on_custom_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        with self._guard(), self.hold_sync():
            if content.get("type") == "resync":
                # a view could not apply a row patch: send the results whole
                self.send_state([*ATTENTION.results, "result_id"])
            elif content.get("type") == "resample":
                try:
                    self.resample()
                    self.error = ""
                except Exception as exc:
                    self.error = str(exc)
                answer = content.get("edit_id")
                if type(answer) is int and answer >= 0:
                    self.result_id = answer

    def _publish(self, result: AttentionResult) -> None:
        """Store ``result`` (the last one computed) and send it to the views."""
        if not self._results.publishing(result):
            return  # e.g. score and params changed together: one result, one message
        # One patch per edit: the views get the last value of _row_patch only, so a second change
        # during the edit (an observer's) sends the arrays whole.
        rows = None if self._patched else self._results.rows_to_patch(self._row_edit)
        moved = None
        if not self._patched and self._key_edit:
            moved = keys_to_patch(self._results.change)
        with self.hold_sync():
            patching = rows is not None or moved is not None
            held = {n: getattr(self, n) for n in ATTENTION.results} if patching else {}
            col_patch = None
            if moved is not None:
                rows_of = {n: getattr(self, n) for n in self._kv_rows}
                arrays, col_patch = key_answer(result, *moved, held, rows_of)
                patch = None
            else:
                queries = self.Q if self._q_rows_edit else None
                arrays, patch = self._results.to_send(result, rows, held, queries)
                self._q_in_patch = patch is not None and "Q" in patch
            self._kv_in_patch = col_patch is not None
            self._patched = self._patched or patch is not None or col_patch is not None
            # a patched (or unchanged) array is stored as it is: its identity marks it as sent
            self._unsent = {}
            if patch is not None:
                self._unsent = arrays
            elif col_patch is not None:
                # scores patched in columns; weights as held when only values moved
                kept = [n for n in ("weights",) if arrays[n] is held[n]]
                self._unsent = {n: arrays[n] for n in ("scores", *kept)}
            for name, a in arrays.items():
                self.set_trait(name, a)
            self.set_trait(ROW_PATCH["trait"], patch)
            self.set_trait(KEY_PATCH["trait"], col_patch)
            self._param_sets.keep(result.score, result.params)
            sets = self._param_sets.every(self.Q.shape[1], self.K.shape[1])
            if any(sets[s] is not self.param_sets.get(s) for s in SCORES):
                self.set_trait("param_sets", sets)

    def _should_send_property(self, key: str, value: Any) -> bool:
        # (membership first: `.get(key) is value` held for every trait set to None, so
        # `w.mask = None` or `w.V = None` never reached the views)
        if key in self._unsent and self._unsent[key] is value:
            return False  # sent as a row patch (_row_patch)
        if key == "Q" and self._q_rows_edit:
            return False  # the view's own rows: the answer's patch (or _answer) sends them
        if key in self._kv_rows:
            return False  # (the same for keys and values)
        return super()._should_send_property(key, value)  # type: ignore[misc]
