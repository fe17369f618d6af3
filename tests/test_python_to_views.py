"""Every trait set from Python reaches the views: also a trait set to None, and a trait set
back to the value it had before a view's edit (issue 14, item 1)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from widget_state import FrontendMirror, wire

from attnwidget import AttentionWidget

rng = np.random.default_rng(14)
X = rng.normal(size=(4, 3))
CAUSAL = np.tril(np.ones((4, 4), dtype=bool))
V = rng.normal(size=(4, 2))


def sent(view: FrontendMirror, name: str) -> list[Any]:
    """The values of ``name`` in the update messages the views got, in order."""
    updates = [m["state"] for m in view.messages if m.get("method") == "update"]
    return [state[name] for state in updates if name in state]


def watched(**kwargs: Any) -> tuple[AttentionWidget, FrontendMirror]:
    w = AttentionWidget(X, X, **kwargs)
    view = FrontendMirror(w)
    w.comm = view
    return w, view


@pytest.mark.parametrize(("name", "value"), [("mask", CAUSAL), ("V", V)])
def test_a_trait_set_to_none_from_python_reaches_the_views(name, value):
    w, view = watched(**{name: value})
    setattr(w, name, None)
    assert sent(view, name) == [None]
    assert getattr(w, name) is None


def test_none_reaches_the_views_after_a_row_patch_too():
    w, view = watched(mask=CAUSAL)
    view.edit(w, 1, w.Q + 0.25, rows=[1])  # a view's edit of one query: answered by a row patch
    assert sent(view, "_row_patch")[-1] is not None
    w.mask = None
    assert sent(view, "mask") == [None]
    assert sent(view, "_row_patch")[-1] is None  # the arrays came whole: the old patch is dropped
    view.assert_matches(w)


@pytest.mark.parametrize(
    ("start", "edit"),
    [(None, CAUSAL), (CAUSAL, None)],
    ids=["unmasked-then-checked", "masked-then-unchecked"],
)
def test_the_mask_set_back_from_python_after_a_view_edit_reaches_the_views(start, edit):
    w, view = watched(mask=start)
    w.set_state({"mask": None if edit is None else wire(edit), "edit_id": 1})
    assert w.error == "" and w.result_id == 1
    view.messages.clear()
    w.mask = start
    (value,) = sent(view, "mask")
    if start is None:
        assert value is None
    else:
        np.testing.assert_array_equal(np.frombuffer(value["buffer"], bool).reshape(4, 4), start)
    view.assert_matches(w)


def test_the_score_set_back_from_python_after_a_view_edit_reaches_the_views():
    w, view = watched()
    w.set_state({"score": "additive", "edit_id": 1})
    view.messages.clear()
    w.score = "scaled_dot"
    assert sent(view, "score") == ["scaled_dot"]
    view.assert_matches(w)


def test_keys_set_back_from_python_after_a_view_key_edit_reach_the_views():
    w, view = watched(V=V)
    K0 = w.K.copy()
    moved = K0[2] + 0.5
    w.set_state({"_key_patch": {"rows": [2], "K": wire(moved[None])}, "edit_id": 1})
    assert w.error == "" and w.result_id == 1
    np.testing.assert_array_equal(w.K[2], moved)
    assert sent(view, "_col_patch")[-1] is not None  # answered with the key's column
    view.messages.clear()
    w.K = K0
    (value,) = sent(view, "K")
    np.testing.assert_array_equal(np.frombuffer(value["buffer"], float).reshape(K0.shape), K0)
    assert sent(view, "_col_patch")[-1] is None  # the arrays came whole: the old patch is dropped
    view.assert_matches(w)


def test_values_set_back_to_none_from_python_after_a_view_value_edit_reach_the_views():
    w, view = watched()  # V None: the values are the keys
    typed = w.K.copy()
    typed[1] *= 2  # a value typed while V is None: the view sends V whole, a copy of K edited
    w.set_state({"V": wire(typed), "edit_id": 1})
    assert w.error == "" and w.V is not None
    view.messages.clear()
    w.V = None
    assert sent(view, "V") == [None]
    np.testing.assert_array_equal(w.output, w.weights @ w.K)
    view.assert_matches(w)


def test_the_mask_set_back_from_python_after_a_view_cell_toggle_reaches_the_views():
    w, view = watched(mask=CAUSAL)
    toggled = CAUSAL.copy()
    toggled[3, 0] = False  # one cell: answered with that query's row
    w.set_state({"mask": wire(toggled), "edit_id": 1})
    assert w.error == "" and sent(view, "_row_patch")[-1]["rows"] == [3]
    view.messages.clear()
    w.mask = CAUSAL
    (value,) = sent(view, "mask")
    np.testing.assert_array_equal(np.frombuffer(value["buffer"], bool).reshape(4, 4), CAUSAL)
    assert sent(view, "_row_patch")[-1] is None
    view.assert_matches(w)
