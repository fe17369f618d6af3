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
