"""AttentionWidget: traits, results == engine, the wire format, refused changes."""

from __future__ import annotations

import numpy as np
import pytest
import traitlets
from widget_state import FrontendMirror, assert_same_state, snapshot, wire

from attnwidget import SCORES, AttentionInputError, AttentionWidget, attention, init_params

rng = np.random.default_rng(7)


def engine_of(w: AttentionWidget):
    return attention(
        w.Q, w.K, w.V, score=w.score, params=w.params, mask=w.mask, temperature=w.temperature
    )


def assert_results_match_engine(w: AttentionWidget) -> None:
    r = engine_of(w)
    np.testing.assert_allclose(w.scores, r.scores, rtol=0, atol=1e-12)
    np.testing.assert_allclose(w.weights, r.weights, rtol=0, atol=1e-12)
    np.testing.assert_allclose(w.output, r.output, rtol=0, atol=1e-12)


def test_default_is_the_builtin_example_with_all_five_scores():
    w = AttentionWidget()
    assert w.Q.shape[1] == w.K.shape[1]
    assert w.key_tokens == ["the", "cat", "sat", "on", "the", "mat"]
    assert w.score == "scaled_dot" and w.V is None
    for s in SCORES:
        w.score = s
        assert_results_match_engine(w)
    assert list(w.param_sets) == list(SCORES)


def test_construction_with_arrays_and_default_tokens():
    Q, K, V = rng.normal(size=(2, 3)), rng.normal(size=(4, 3)), rng.normal(size=(4, 5))
    w = AttentionWidget(Q, K, V, score="additive", temperature=0.5)
    assert w.query_tokens == ["q0", "q1"] and w.key_tokens == ["k0", "k1", "k2", "k3"]
    assert w.output.shape == (2, 5)
    np.testing.assert_array_equal(w.Q, Q)
    assert_results_match_engine(w)
    np.testing.assert_array_equal(w.params["v"], init_params("additive", 3, 3, seed=0)["v"])


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="querys"):
        AttentionWidget(querys=[[1.0]])


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        (dict(Q=np.ones((2, 3)), K=np.ones((4, 3)), query_tokens=["a"]), "query_tokens"),
        (dict(Q=np.ones((2, 3)), K=np.ones((4, 3)), key_tokens=["a"] * 5), "key_tokens"),
        (dict(Q=np.ones((2, 3)), K=np.ones((4, 2)), score="dot"), "d_q=3"),
        (dict(Q=[[np.nan, 1.0]], K=np.ones((4, 2))), "Q must be finite"),
        (dict(Q=np.ones((2, 2)), K=np.ones((4, 2)), V=np.ones((3, 2))), "V must have one row"),
        (dict(Q=np.ones((2, 2)), K=np.ones((4, 2)), score="cos"), "score must be one of"),
        (dict(Q=np.ones((2, 2)), K=np.ones((4, 2)), temperature=0.0), "temperature"),
        (dict(Q=np.ones((2, 2)), K=np.ones((4, 2)), mask=np.ones((4, 2), bool)), "mask"),
        (dict(Q=np.ones((2, 2)), K=None), "Q and K"),
    ],
)
def test_bad_construction_names_the_argument(kwargs, words):
    with pytest.raises((ValueError, traitlets.TraitError), match=words):
        AttentionWidget(**kwargs)


def test_every_input_trait_round_trips_and_results_follow():
    w = AttentionWidget()
    Q = rng.normal(size=(3, 4))
    w.Q = Q
    np.testing.assert_array_equal(w.Q, Q)
    assert_results_match_engine(w)
    w.K = rng.normal(size=(6, 4))
    assert_results_match_engine(w)
    w.V = rng.normal(size=(6, 2))
    assert w.output.shape == (3, 2)
    assert_results_match_engine(w)
    w.V = None
    assert_results_match_engine(w)
    w.query_tokens = ["x", "y", "z"]
    w.key_tokens = list("abcdef")
    assert w.key_tokens == list("abcdef")
    w.mask = np.tril(np.ones((3, 6), bool))
    assert np.all(w.weights[~w.mask] == 0)
    assert_results_match_engine(w)
    w.temperature = 3.0
    assert_results_match_engine(w)
    w.score = "general"
    w.params = {"W": np.eye(4)}
    np.testing.assert_array_equal(w.params["W"], np.eye(4))
    assert_results_match_engine(w)
    w.selected_query = 2
    assert w.selected_query == 2


def test_param_sets_survive_toggling():
    w = AttentionWidget()
    w.score = "additive"
    w.resample()
    additive = {k: v.copy() for k, v in w.params.items()}
    weights = w.weights.copy()
    w.score = "dot"
    assert w.params == {}
    w.score = "additive"
    for k in additive:
        np.testing.assert_array_equal(w.params[k], additive[k])
    np.testing.assert_array_equal(w.weights, weights)
    np.testing.assert_array_equal(w.param_sets["additive"]["W"], additive["W"])


def test_results_are_observable_and_recomputed_once_per_change():
    w = AttentionWidget()
    seen = []
    w.observe(lambda c: seen.append(c["new"]), names="weights")
    before = w._n_computations
    w.score = "concat"
    w.Q = rng.normal(size=(3, 4))
    w.temperature = 2.0
    assert w._n_computations - before == 3
    assert len(seen) == 3
    np.testing.assert_array_equal(seen[-1], w.weights)


def test_update_changes_several_traits_and_recomputes_once():
    w = AttentionWidget()
    before = w._n_computations
    w.update(
        Q=np.ones((2, 3)),
        K=rng.normal(size=(5, 3)),
        query_tokens=["a", "b"],
        key_tokens=list("vwxyz"),
        score="additive",
    )
    assert w._n_computations - before == 1
    assert w.params["W"].shape == (8, 3)
    assert_results_match_engine(w)
    with pytest.raises(TypeError, match="colour"):
        w.update(colour="red")


def test_a_new_query_width_redraws_parameters_that_no_longer_fit():
    w = AttentionWidget(score="general")
    w.Q = np.ones((3, 5))
    np.testing.assert_array_equal(w.params["W"], init_params("general", 5, 4, seed=0)["W"])
    assert_results_match_engine(w)


def test_default_tokens_follow_a_new_number_of_queries():
    w = AttentionWidget(np.ones((2, 2)), np.ones((3, 2)))
    w.Q = np.ones((4, 2))
    assert w.query_tokens == ["q0", "q1", "q2", "q3"]


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("Q", np.ones((3, 5)), "d_q=5"),
        ("Q", [[1, 2, 3, 4], [1, 2]], "Q must be a rectangular"),
        ("Q", np.full((3, 4), np.inf), "Q must be finite"),
        ("Q", np.ones(4), "2-D"),
        ("Q", np.ones((2, 4)), "query_tokens"),
        ("K", np.ones((6, 3)), "d_k=3"),
        ("V", np.ones((2, 4)), "V must have one row per key"),
        ("query_tokens", ["a"], "query_tokens"),
        ("query_tokens", [1, 2, 3], "query_tokens"),
        ("key_tokens", "abcdef", "key_tokens"),
        ("score", "cosine", "score must be one of"),
        ("params", {"W": np.ones((2, 2))}, r"params\['W'\]"),
        ("mask", np.ones((2, 2), bool), "mask"),
        ("mask", [["a"] * 6] * 3, "mask"),
        ("temperature", -1.0, "temperature"),
        ("temperature", float("nan"), "temperature"),
        ("selected_query", 7, "selected_query"),
    ],
)
def test_bad_change_from_python_raises_and_keeps_every_trait(name, value, words):
    w = AttentionWidget()
    w.score = "general" if name == "params" else "scaled_dot"
    before = snapshot(w)
    with pytest.raises((ValueError, traitlets.TraitError), match=words):
        setattr(w, name, value)
    assert_same_state(snapshot(w), before)
    assert_results_match_engine(w)


def test_bad_batch_rolls_back_every_trait():
    w = AttentionWidget()
    before = snapshot(w)
    with pytest.raises(AttentionInputError, match="d_q"):
        w.update(query_tokens=["a", "b", "c"], Q=np.ones((3, 2)), score="dot")
    assert_same_state(snapshot(w), before)


def test_state_carries_binary_buffers_not_float_lists():
    from ipywidgets.widgets.widget import _remove_buffers

    w = AttentionWidget()
    state, paths, buffers = _remove_buffers(w.get_state())
    flat_paths = {tuple(p) for p in paths}
    for name in ("Q", "K", "scores", "weights", "output"):
        assert (name, "buffer") in flat_paths
        assert state[name]["dtype"] == "float64"
        assert state[name]["shape"] == list(getattr(w, name).shape)
    assert ("param_sets", "additive", "W", "buffer") in flat_paths
    assert state["V"] is None and state["mask"] is None
    total = sum(memoryview(b).nbytes for b in buffers)
    assert total >= w.Q.nbytes + w.K.nbytes + w.weights.nbytes

    def no_float_lists(x):
        if isinstance(x, dict):
            return all(no_float_lists(v) for v in x.values())
        if isinstance(x, list):
            return all(not isinstance(v, (float, list)) for v in x)
        return True

    assert no_float_lists(state)
    w.mask = np.eye(3, 6, dtype=bool)
    m = w.get_state()["mask"]
    assert m["dtype"] == "bool" and len(bytes(m["buffer"])) == 18


def test_frontend_edit_in_wire_format_is_applied_and_answered():
    w = AttentionWidget()
    Q = w.Q.copy()
    Q[1, 2] = 1.25
    w.set_state({"Q": wire(Q), "edit_id": 4})
    np.testing.assert_array_equal(w.Q, Q)
    assert w.result_id == 4 and w.error == ""
    assert_results_match_engine(w)
    w.set_state({"score": "concat", "edit_id": 5})
    assert w.score == "concat" and w.result_id == 5
    assert_results_match_engine(w)
    w.set_state({"mask": wire(np.ones((3, 6), bool)), "temperature": 0.5, "edit_id": 6})
    assert w.mask.dtype == bool and w.temperature == 0.5
    assert_results_match_engine(w)


@pytest.mark.parametrize(
    "edit",
    [
        {"Q": wire(np.full((3, 4), np.nan))},
        {"Q": wire(np.ones((2, 4)))},
        {"Q": wire(np.ones((3, 5)))},
        {"Q": {"dtype": "float64", "shape": [3, 4], "buffer": memoryview(b"\x00" * 7)}},
        {"Q": {"dtype": "int8", "shape": [3, 4], "buffer": memoryview(b"\x00" * 12)}},
        {"Q": [[1.0] * 4] * 3},
        {"temperature": 0},
        {"score": "nope"},
        {"mask": wire(np.ones((2, 2), bool))},
    ],
)
def test_bad_frontend_edit_is_refused_and_state_kept(edit):
    w = AttentionWidget()
    before = snapshot(w)
    sent = []
    w.send_state = lambda key=None: sent.append(key)
    w.set_state({**edit, "edit_id": 9})
    assert_same_state(snapshot(w), before)
    assert w.error and w.result_id == 9
    assert any(keys and set(edit) <= set(keys) for keys in sent)
    w.set_state({"score": "dot", "edit_id": 10})
    assert w.error == "" and w.result_id == 10


def _edit_rows(
    w: AttentionWidget, rows: list[int], edit_id: int, *, up: bool = False
) -> np.ndarray:
    """A view adds 0.5 to some queries: sends Q whole, or (``up``) only those rows."""
    Q = w.Q.copy()
    Q[rows] += 0.5
    view = w.comm if isinstance(w.comm, FrontendMirror) else FrontendMirror(w)
    view.edit(w, edit_id, Q, rows if up else None)
    return Q


def test_a_view_editing_a_few_queries_gets_only_their_rows_back():
    rng = np.random.default_rng(3)
    w = AttentionWidget(rng.normal(size=(16, 5)), rng.normal(size=(12, 5)), score="additive")
    view = FrontendMirror(w)
    w.comm = view
    before = {n: getattr(w, n).copy() for n in ("scores", "weights", "output")}
    Q = _edit_rows(w, [2, 9], edit_id=1)
    (msg,) = view.messages
    assert set(msg["state"]) == {"_row_patch", "result_id"}
    patch = msg["state"]["_row_patch"]  # (the mirror put the buffers back in)
    sent = sum(memoryview(patch[n]["buffer"]).nbytes for n in ("scores", "weights", "output"))
    assert sent == 2 * (12 + 12 + 5) * 8  # the rows of scores, weights and output, no more
    assert w.result_id == 1 and w.error == ""
    np.testing.assert_array_equal(w.Q, Q)
    assert_results_match_engine(w)
    for n, old in before.items():  # the other rows are the very numbers the view holds
        unchanged = np.delete(np.arange(16), [2, 9])
        np.testing.assert_array_equal(getattr(w, n)[unchanged], old[unchanged])
    view.assert_matches(w)


def test_a_view_sends_only_the_queries_it_edited_and_gets_them_back_with_their_results():
    rng = np.random.default_rng(5)
    w = AttentionWidget(rng.normal(size=(16, 5)), rng.normal(size=(12, 5)), score="additive")
    view = FrontendMirror(w)
    w.comm = view
    Q = _edit_rows(w, [2, 9], edit_id=1, up=True)
    (msg,) = view.messages
    assert set(msg["state"]) == {"_row_patch", "result_id"}
    patch = msg["state"]["_row_patch"]
    assert patch["rows"] == [2, 9]
    sent = sum(memoryview(patch[n]["buffer"]).nbytes for n in ("Q", "scores", "weights", "output"))
    assert sent == 2 * (5 + 12 + 12 + 5) * 8  # the two rows of Q and of the results, no more
    assert w.result_id == 1 and w.error == "" and w._query_patch is None
    np.testing.assert_array_equal(w.Q, Q)
    assert_results_match_engine(w)
    view.assert_matches(w)  # (Q included: the view now holds the kernel's Q)


def test_queries_sent_as_rows_come_back_whole_when_the_results_do():
    rng = np.random.default_rng(6)
    w = AttentionWidget(rng.normal(size=(6, 4)), rng.normal(size=(7, 4)))
    view = FrontendMirror(w)
    w.comm = view
    _edit_rows(w, [0, 1, 2, 3], edit_id=1, up=True)  # most of the queries: whole arrays
    assert {"Q", "weights", "result_id"} <= set().union(*view.sent_traits())
    view.assert_matches(w)
    w.observe(lambda change: setattr(w, "temperature", 0.5), names="Q")
    _edit_rows(w, [5], edit_id=2, up=True)  # an observer changed another input: whole
    assert w.temperature == 0.5 and w._row_patch is None
    view.assert_matches(w)
    assert_results_match_engine(w)


@pytest.mark.parametrize(
    ("q_rows", "message"),
    [
        ({"rows": [3], "Q": wire(np.ones((1, 4)))}, "distinct query indices in [0, 2]"),
        ({"rows": [0, 0], "Q": wire(np.ones((2, 4)))}, "distinct query indices"),
        ({"rows": [0], "Q": wire(np.ones((1, 3)))}, "must have shape (1, 4), got (1, 3)"),
        ({"rows": [0], "Q": wire(np.array([[np.nan, 0, 0, 0]]))}, "Q"),
        ({"rows": [0]}, "_query_patch must be {rows, Q}"),
    ],
)
def test_refused_rows_from_a_view_change_nothing(q_rows, message):
    w = AttentionWidget()
    view = FrontendMirror(w)
    w.comm = view
    before = snapshot(w)
    w.set_state({"_query_patch": q_rows, "edit_id": 1})
    assert message in w.error and w.result_id == 1
    assert_same_state(snapshot(w), before)
    view.assert_matches(w)
    w.set_state({"_query_patch": q_rows, "Q": wire(w.Q), "edit_id": 2})
    assert "Q or _query_patch, not both" in w.error and w.result_id == 2


def test_whole_arrays_are_sent_when_many_rows_or_other_traits_change():
    rng = np.random.default_rng(4)
    w = AttentionWidget(rng.normal(size=(6, 4)), rng.normal(size=(7, 4)))
    view = FrontendMirror(w)
    w.comm = view
    _edit_rows(w, [0], edit_id=1)  # one of six: a patch
    _edit_rows(w, [0, 1, 2, 3], edit_id=2)  # most of them: whole arrays
    w.set_state({"temperature": 2.0, "edit_id": 3})  # not Q: whole arrays
    w.Q = w.Q + 1.0  # from Python: whole arrays
    _edit_rows(w, [5], edit_id=4)  # a patch again
    kinds = [
        "patch" if "_row_patch" in t and "weights" not in t else "whole"
        for t in view.sent_traits()
        if t & {"_row_patch", "weights"}
    ]
    assert kinds == ["patch", "whole", "whole", "whole", "patch"]
    assert w._row_patch is not None and w.result_id == 4
    view.assert_matches(w)
    w.Q = w.Q - 1.0
    assert w._row_patch is None  # a stale patch never stays next to whole arrays
    view.assert_matches(w)


def test_a_refused_row_edit_changes_nothing_and_a_resync_sends_whole_arrays():
    w = AttentionWidget()
    view = FrontendMirror(w)
    w.comm = view
    before = snapshot(w)
    bad = w.Q.copy()
    bad[0, 0] = np.nan
    w.set_state({"Q": wire(bad), "edit_id": 1})
    assert w.error and w.result_id == 1
    assert_same_state(snapshot(w), before)
    _edit_rows(w, [1], edit_id=2)
    for n in ("scores", "weights", "output"):  # a view lost track of the results
        view.arrays[n] = np.zeros_like(view.arrays[n])
    w._on_custom_msg(w, {"type": "resync"}, [])
    assert {"scores", "weights", "output"} <= view.sent_traits()[-1]
    view.assert_matches(w)


def test_exported_pages_do_not_carry_row_patches():
    from attnwidget.export import page_state

    w = AttentionWidget()
    _edit_rows(w, [0], edit_id=1)
    assert w._row_patch is not None
    assert "_row_patch" not in page_state(w)["state"]


def test_views_cannot_set_kernel_results():
    w = AttentionWidget()
    before = w.weights.copy()
    w.set_state({"weights": wire(np.zeros((3, 6))), "edit_id": 1})
    np.testing.assert_array_equal(w.weights, before)
    with pytest.raises(traitlets.TraitError):
        w.weights = np.zeros((3, 6))


def test_resample_message_draws_new_parameters_and_answers():
    w = AttentionWidget(score="general")
    old = w.params["W"].copy()
    w._on_custom_msg(w, {"type": "resample", "edit_id": 3}, [])
    assert w.result_id == 3
    assert not np.array_equal(w.params["W"], old)
    np.testing.assert_array_equal(w.params["W"], init_params("general", 4, 4, seed=1)["W"])
    assert_results_match_engine(w)


def test_arrays_are_read_only_so_edits_go_through_assignment():
    w = AttentionWidget()
    with pytest.raises(ValueError, match="read-only"):
        w.Q[0, 0] = 5.0


def test_very_large_inputs_are_refused_with_a_message_and_bounded_memory():
    import tracemalloc

    Q = np.zeros((4096, 512))
    tracemalloc.start()
    with pytest.raises(AttentionInputError, match=r"4096 x 4096 = 16,777,216 query-key pairs"):
        AttentionWidget(Q, Q)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 4 * Q.nbytes  # copies of the inputs at most, no (M, N) results
    w = AttentionWidget()
    before = w.Q.copy()
    with pytest.raises(AttentionInputError, match="too large"):
        w.update(Q=np.zeros((3, 4096 * 1024)), K=np.zeros((6, 4096 * 1024)))
    np.testing.assert_array_equal(w.Q, before)
