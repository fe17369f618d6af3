"""A view's edits of keys and values (issue 16, item 3): _key_patch up, only what changed down."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from widget_state import FrontendMirror, wire

from attnwidget import AttentionWidget, attention

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import keys_bench  # noqa: E402


def make(v: bool = True, n: int = 7, m: int = 5, d: int = 3, score: str = "scaled_dot"):
    rng = np.random.default_rng(11)
    V = rng.normal(size=(n, 2)) if v else None
    w = AttentionWidget(rng.normal(size=(m, d)), rng.normal(size=(n, d)), V, score=score)
    mirror = FrontendMirror(w)
    w.comm = mirror
    return w, mirror


def engine(w: AttentionWidget):
    return attention(
        w.Q, w.K, w.V, score=w.score, params=w.params, mask=w.mask, temperature=w.temperature
    )


def key_patch(edit_id: int, rows: list[int], **arrays: np.ndarray) -> dict:
    return {
        "_key_patch": {"rows": rows, **{n: wire(a) for n, a in arrays.items()}},
        "edit_id": edit_id,
    }


def assert_engine(w: AttentionWidget) -> None:
    r = engine(w)
    for n in ("scores", "weights", "output"):
        np.testing.assert_allclose(getattr(w, n), getattr(r, n), rtol=0, atol=1e-12, err_msg=n)


@pytest.mark.parametrize("score", ["dot", "general", "scaled_dot", "concat", "additive"])
def test_a_key_edit_gives_the_engines_results_and_sends_one_scores_column(score):
    w, mirror = make(score=score)
    K = np.array(w.K)
    K[3] += [0.5, -0.25, 1.0]
    w.set_state(key_patch(1, [3], K=K[[3]]))
    assert w.error == "" and w.result_id == 1
    np.testing.assert_array_equal(w.K, K)
    assert_engine(w)
    (state,) = [m["state"] for m in mirror.messages if m.get("method") == "update"]
    assert set(state) == {"weights", "output", "_col_patch", "result_id"}  # no scores, no K
    patch = state["_col_patch"]
    assert patch["keys"] == [3] and set(patch) == {"keys", "scores", "K"}
    mirror.assert_matches(w)  # the scores column written in place: the kernel's numbers


def test_a_value_edit_sends_output_only_and_the_views_row():
    w, mirror = make()
    V = np.array(w.V)
    V[[1, 4]] = [[2.0, -1.0], [0.0, 3.0]]
    scores, weights = w.scores, w.weights
    w.set_state(key_patch(1, [1, 4], V=V[[1, 4]]))
    assert w.error == ""
    np.testing.assert_array_equal(w.V, V)
    assert w.scores is scores and w.weights is weights  # unchanged: not sent
    assert_engine(w)
    state = mirror.messages[-1]["state"]
    assert set(state) == {"output", "_col_patch", "result_id"}
    assert state["_col_patch"]["keys"] == [1, 4] and "scores" not in state["_col_patch"]
    mirror.assert_matches(w)


def test_values_that_are_the_keys_become_their_own_when_sent_whole():
    w, mirror = make(v=False)
    assert w.V is None
    V = np.array(w.K)
    V[2, 0] = 9.0  # "values are the keys": the view sends V = K with its edit, whole
    w.set_state({"V": wire(V), "edit_id": 1})
    assert w.error == "" and w.V is not None
    np.testing.assert_array_equal(w.V, V)
    assert_engine(w)
    assert "weights" not in mirror.messages[-1]["state"]
    # and a key edit while V is None moves the values too
    w2, _ = make(v=False)
    K = np.array(w2.K)
    K[0] = 0.0
    w2.set_state(key_patch(1, [0], K=K[[0]]))
    assert w2.error == "" and w2.V is None
    assert_engine(w2)


def test_keys_and_values_together_and_with_queries():
    w, mirror = make()
    K, V, Q = np.array(w.K), np.array(w.V), np.array(w.Q)
    K[5] = 1.0
    V[5] = -1.0
    Q[0] = 0.5
    w.set_state({**key_patch(1, [5], K=K[[5]], V=V[[5]])})
    assert w.error == ""
    assert set(w._col_patch) == {"keys", "scores", "K", "V"}
    w.set_state(
        {**key_patch(2, [5], K=K[[5]] * 2), "_query_patch": {"rows": [0], "Q": wire(Q[[0]])}}
    )
    assert w.error == "" and w._col_patch is None and w._row_patch is None  # sent whole
    assert {"scores", "weights", "output", "Q", "K"} <= set().union(*mirror.sent_traits()[1:])
    np.testing.assert_array_equal(w.Q[0], Q[0])
    assert_engine(w)
    mirror.assert_matches(w)


def test_many_keys_go_whole():
    w, mirror = make()
    K = np.array(w.K) + 1.0
    w.set_state(key_patch(1, list(range(7)), K=K))
    assert w.error == "" and w._col_patch is None
    assert {"scores", "weights", "output", "K"} <= set().union(*mirror.sent_traits())
    assert_engine(w)
    mirror.assert_matches(w)


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"rows": [0]}, "_key_patch must be {rows, K and/or V}"),
        ({"rows": [0], "K": None, "Q": None}, "_key_patch must be {rows, K and/or V}"),
        ("nope", "_key_patch must be {rows, K and/or V}"),
        ([[1]], "_key_patch must be {rows, K and/or V}"),
        ({"rows": [7], "K": wire(np.zeros((1, 3)))}, "distinct key indices in [0, 6]"),
        ({"rows": [1, 1], "K": wire(np.zeros((2, 3)))}, "distinct key indices"),
        ({"rows": [1], "K": wire(np.zeros((1, 2)))}, "_key_patch['K'] must have shape (1, 3)"),
        ({"rows": [1], "V": wire(np.zeros((2, 2)))}, "_key_patch['V'] must have shape (1, 2)"),
        ({"rows": [1], "K": wire(np.array([[np.nan, 0, 0]]))}, "K"),
    ],
)
def test_a_bad_key_patch_is_refused_and_the_widget_keeps_its_state(patch, message):
    w, _ = make()
    before = {n: np.array(getattr(w, n)) for n in ("K", "V", "weights", "output")}
    w.set_state({"_key_patch": patch, "edit_id": 3})
    assert message in w.error and w.result_id == 3
    for n, a in before.items():
        np.testing.assert_array_equal(getattr(w, n), a, err_msg=n)
    w.set_state(key_patch(4, [0], K=np.ones((1, 3))))  # and it still takes a good one
    assert w.error == "" and w.result_id == 4
    assert_engine(w)


def test_a_key_patch_with_k_or_v_whole_and_a_v_patch_without_v_are_refused():
    w, _ = make()
    w.set_state({**key_patch(1, [0], K=np.ones((1, 3))), "K": wire(w.K)})
    assert "K and V or _key_patch, not both" in w.error
    w2, _ = make(v=False)
    w2.set_state(key_patch(1, [0], V=np.ones((1, 3))))
    assert "V is None (the values are the keys), so send V whole" in w2.error
    assert w2.V is None


def test_the_views_rows_come_back_when_the_answer_goes_whole():
    """A key patch answered whole (an observer changed something meanwhile) sends K back."""
    w, mirror = make()
    w.observe(lambda c: setattr(w, "temperature", 2.0) if w.temperature == 1.0 else None, "K")
    K = np.array(w.K)
    K[1] = 3.0
    w.set_state(key_patch(1, [1], K=K[[1]]))
    assert w.error == ""
    assert any("K" in t for t in mirror.sent_traits())
    assert_engine(w)
    mirror.assert_matches(w)


def test_key_wire_bytes_are_close_to_what_changed():
    rows = keys_bench.key_wire(quick=False)
    for r in rows:
        if r["target"]:
            assert r["ratio"] <= r["target"], r
    key = [r for r in rows if r["M=N"] == 256 and r["edit"].startswith("one key")]
    assert key and all(r["bytes_sent"] < 0.6 * r["bytes_if_sent_whole"] for r in key)
