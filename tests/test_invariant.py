"""The widget's one promise on the paths an adversarial reader found: each class of failure.

``w.weights`` (and scores, output) equal the engine on the current inputs, a refused change
keeps every trait, and a view's edit is always answered. See docs/reliability.md.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
import traitlets
from widget_state import FrontendMirror, assert_same_state, snapshot, wire

from attnwidget import (
    CHUNK_BUDGET_BYTES,
    MAX_HIDDEN,
    AttentionHeads,
    AttentionInputError,
    AttentionWidget,
    attention,
    init_params,
)
from attnwidget.wire.codec import array_from_json, array_to_json


def assert_engine(w: AttentionWidget) -> None:
    r = attention(
        w.Q, w.K, w.V, score=w.score, params=w.params, mask=w.mask, temperature=w.temperature
    )
    for name in ("scores", "weights", "output"):
        np.testing.assert_allclose(getattr(w, name), getattr(r, name), rtol=0, atol=1e-12)


def mirrored(w: AttentionWidget) -> FrontendMirror:
    view = FrontendMirror(w)
    w.comm = view
    return view


# --- not all-or-nothing: failures that are not ValueError/TraitError ---------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"Q": np.ones((5, 4)), "query_tokens": list("abcde"), "temperature": 10**400},
        {"temperature": 0.5, "mask": [[2**70] * 6] * 3},
        {"Q": np.ones((5, 4)), "query_tokens": list("abcde"), "key_tokens": 12},
        {"score": "general", "params": {"W": [[10**400] * 4] * 4}},
        {"selected_query": 2, "Q": [[1e308 * 10] * 4] * 3},
    ],
)
def test_update_is_all_or_nothing_whatever_fails(changes):
    w = AttentionWidget()
    before = snapshot(w)
    with pytest.raises(ValueError):
        w.update(**changes)
    assert_same_state(snapshot(w), before)
    assert_engine(w)


class _BrokenIterable:
    def __iter__(self):
        raise RuntimeError("broken")


class _BrokenArray:
    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("no array for you")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("temperature", 10**400),
        ("Q", _BrokenArray()),
        ("mask", _BrokenArray()),
        ("query_tokens", _BrokenIterable()),
        ("query_tokens", ["a", "b", 3]),
    ],
)
def test_a_single_set_that_fails_in_any_way_is_a_value_error(name, value):
    w = AttentionWidget()
    before = snapshot(w)
    with pytest.raises(ValueError, match=name):
        setattr(w, name, value)
    assert_same_state(snapshot(w), before)


@pytest.mark.parametrize(
    "edit",
    [
        {"Q": {"dtype": ["float64"], "shape": [3, 4], "buffer": memoryview(b"\0" * 96)}},
        {"Q": {"dtype": "float64", "shape": ["3", 4], "buffer": memoryview(b"\0" * 96)}},
        {"Q": {"dtype": "float64", "shape": [2**70, 4], "buffer": memoryview(b"\0" * 96)}},
        {"Q": {"dtype": "float64", "shape": {"a": 1}, "buffer": memoryview(b"\0" * 96)}},
        {"Q": {"dtype": "float64", "shape": [3, 4], "buffer": 12}},
        {"Q": "not an array"},
        {"temperature": 10**400},
        {"temperature": [1.0]},
        {"score": 3},
        {"selected_query": True},
        {"selected_query": 1.5},
        {"query_tokens": [1, 2, 3]},
        {"mask": wire(np.ones((3, 6), bool)), "temperature": 10**400},
        {"Q": wire(np.ones((3, 4))), "temperature": "hot"},
    ],
)
def test_a_view_edit_that_fails_in_any_way_is_refused_answered_and_changes_nothing(edit):
    w = AttentionWidget()
    view = mirrored(w)
    before = snapshot(w)
    w.set_state({**edit, "edit_id": 7})
    assert w.result_id == 7
    assert w.error
    assert_same_state(snapshot(w), before)
    view.assert_matches(w)
    w.set_state({"temperature": 2.0, "edit_id": 8})  # the widget still works
    assert w.result_id == 8 and w.error == ""
    assert_engine(w)


def test_an_observer_that_raises_during_a_view_edit_still_answers_the_view():
    w = AttentionWidget()
    w.observe(lambda change: 1 / 0, names="weights")
    Q = w.Q.copy()
    Q[0, 0] = 3.0
    w.set_state({"Q": wire(Q), "edit_id": 3})
    assert w.result_id == 3 and "division by zero" in w.error
    assert_engine(w)


# --- zero-size inputs ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Q", "K"])
def test_zero_rows_are_refused_everywhere(name):
    empty = np.zeros((0, 4))
    with pytest.raises(AttentionInputError, match=rf"{name} must have at least one row"):
        AttentionWidget(**{"Q": np.ones((2, 4)), "K": np.ones((3, 4)), name: empty})
    w = AttentionWidget()
    view = mirrored(w)
    before = snapshot(w)
    tokens = {"query_tokens": []} if name == "Q" else {"key_tokens": []}
    with pytest.raises(AttentionInputError, match="at least one row"):
        w.update(**{name: empty}, **tokens)
    assert_same_state(snapshot(w), before)
    w.set_state({name: wire(empty), **tokens, "edit_id": 2})
    assert w.result_id == 2 and "at least one row" in w.error
    assert_same_state(snapshot(w), before)
    view.assert_matches(w)


def test_zero_size_arrays_cross_the_wire():
    for a in (np.zeros((0, 4)), np.zeros((3, 0)), np.zeros((0,), bool)):
        back = array_from_json(array_to_json(a))
        assert back.shape == a.shape and back.dtype == (bool if a.dtype == bool else float)


# --- row patches after other changes ---------------------------------------------------------


@pytest.mark.parametrize(
    "other",
    [("temperature", 0.3), ("mask", np.tril(np.ones((3, 6), bool))), ("score", "additive")],
)
def test_an_observer_changing_another_input_during_a_row_edit_sends_whole_arrays(other):
    w = AttentionWidget()
    view = mirrored(w)
    name, value = other
    w.observe(lambda change: setattr(w, name, value), names="Q")
    Q = w.Q.copy()
    Q[1] += 0.5  # one row of three: a row patch, were nothing else to change
    view.edit(w, 1, Q)
    assert w.result_id == 1 and w.error == ""
    np.testing.assert_array_equal(getattr(w, name), value)
    assert_engine(w)  # every row, not only the edited one, uses the new input
    view.assert_matches(w)


@pytest.mark.parametrize("up", [False, True], ids=["whole Q", "rows of Q"])
def test_an_observer_moving_another_query_during_a_row_edit_reaches_the_views(up):
    # two changes of a few queries in one edit: the view's, then the observer's
    w = AttentionWidget(np.eye(8, 4), np.ones((6, 4)))
    view = mirrored(w)

    def move_query_5(change):
        if change.new[5, 0] != 7.0:
            Q = change.new.copy()
            Q[5, 0] = 7.0
            w.Q = Q

    w.observe(move_query_5, names="Q")
    Q = w.Q.copy()
    Q[1] += 0.5
    view.edit(w, 1, Q, rows=[1] if up else None)
    assert w.result_id == 1 and w.error == ""
    assert w.Q[5, 0] == 7.0 and w.Q[1, 1] == 1.5
    assert_engine(w)
    view.assert_matches(w)  # the results and Q, every row of them


def test_threads_setting_inputs_during_view_edits_never_tear_the_state():
    import sys

    # switch threads every microsecond (default 5 ms), so the two interleave inside a change
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        _race_python_and_a_view()
    finally:
        sys.setswitchinterval(interval)


def _race_python_and_a_view() -> None:
    rng = np.random.default_rng(5)
    for _ in range(20):
        w = AttentionWidget(rng.normal(size=(8, 4)), rng.normal(size=(10, 4)))
        view = mirrored(w)
        errors: list[BaseException] = []
        stop = threading.Event()

        def python_side(w=w, errors=errors, stop=stop):
            i = 0
            try:
                while not stop.is_set() and i < 200:
                    i += 1
                    w.temperature = 0.5 + (i % 7) / 4
                    w.score = ("dot", "scaled_dot", "additive")[i % 3]
            except BaseException as exc:  # noqa: BLE001 - any failure fails the test
                errors.append(exc)

        t = threading.Thread(target=python_side)
        t.start()
        try:
            for edit_id in range(1, 41):
                Q = w.Q.copy()
                Q[edit_id % 8] += 0.1
                # (the view sends the whole Q, or the one row it changed)
                view.edit(w, edit_id, Q, rows=[edit_id % 8] if edit_id % 2 else None)
                assert w.result_id == edit_id
                assert w.error == "", w.error
        finally:
            stop.set()
            t.join()
        assert not errors, errors
        assert_engine(w)
        view.assert_matches(w)


# --- aliasing ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Q", "K", "V", "mask"])
def test_a_read_only_view_of_a_callers_array_is_copied(name):
    base = np.ones((3, 4)) if name == "Q" else np.ones((6, 4))
    if name == "mask":
        base = np.ones((3, 6), bool)
    view_of_base = base.view()
    view_of_base.flags.writeable = False
    w = AttentionWidget()
    setattr(w, name, view_of_base)
    base[0, 0] = 0 if name == "mask" else 5.0  # the caller changes its own array
    assert getattr(w, name)[0, 0] == (True if name == "mask" else 1.0)
    assert_engine(w)


def test_constructor_and_heads_copy_read_only_views_too():
    base = np.ones((3, 4))
    q = base.view()
    q.flags.writeable = False
    w = AttentionWidget(q, q)
    base[:] = 2.0
    assert (w.Q == 1).all() and (w.K == 1).all()
    wb = np.full((1, 1, 2, 2), 0.5)
    wv = wb.view()
    wv.flags.writeable = False
    h = AttentionHeads(wv, ["a", "b"])
    wb[:] = np.nan
    assert (h.weights == 0.5).all()


# --- type confusion ------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, False, 1.0, "1", None, -1])
def test_selected_query_takes_integers_only(value):
    w = AttentionWidget()
    w.selected_query = 1
    with pytest.raises(ValueError, match="selected_query"):
        w.selected_query = value
    assert w.selected_query == 1


def test_numpy_integers_are_accepted_as_indices():
    w = AttentionWidget()
    w.selected_query = np.int64(2)
    assert w.selected_query == 2 and type(w.selected_query) is int
    h = AttentionHeads(np.full((2, 3, 2, 2), 0.5), ["a", "b"])
    h.layer, h.head = np.int32(1), np.uint8(2)
    assert (h.layer, h.head) == (1, 2)


@pytest.mark.parametrize("name", ["layer", "head"])
@pytest.mark.parametrize("value", [True, 0.0, "0", None])
def test_heads_layer_and_head_take_integers_only(name, value):
    h = AttentionHeads(np.full((2, 2, 2, 2), 0.5), ["a", "b"])
    with pytest.raises(ValueError, match=name):
        setattr(h, name, value)


def test_tokens_are_stored_as_plain_str():
    w = AttentionWidget(query_tokens=np.array(["a", "b", "c"]))
    assert [type(t) for t in w.query_tokens] == [str, str, str]


# --- AttentionHeads: every assignment is checked ----------------------------------------------


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        (np.full((2, 2, 3, 3), np.nan), "finite"),
        (np.full((2, 2, 3, 3), -0.5), r"in \[0, 1\], found -0.5"),
        (np.full((2, 2, 3, 3), 2.0), r"in \[0, 1\], found 2.0"),
    ],
)
def test_heads_check_read_only_arrays_on_assignment(bad, words):
    h = AttentionHeads(np.full((2, 2, 3, 3), 1 / 3), list("abc"))
    bad.flags.writeable = False  # the old fast path trusted any read-only 4-D array
    with pytest.raises(ValueError, match=words):
        h.weights = bad
    assert (h.weights == np.float64(1 / 3)).all()


def test_heads_cross_check_weights_tokens_layer_and_head():
    h = AttentionHeads(np.full((2, 3, 4, 4), 0.25), list("abcd"), head=2, layer=1)
    with pytest.raises(ValueError, match="key_tokens must have one token per key"):
        h.weights = np.full((2, 3, 3, 3), 1 / 3)
    with pytest.raises(ValueError, match="head must be in"):
        h.weights = np.full((2, 2, 4, 4), 0.25)  # head 2 would be out of range
    with pytest.raises(ValueError, match="query_tokens"):
        h.query_tokens = list("abc")
    assert h.shape == [2, 3, 4, 4] and (h.layer, h.head) == (1, 2)
    h.update(weights=np.full((1, 1, 3, 3), 1 / 3), key_tokens=list("xyz"),
             query_tokens=list("xyz"), layer=0, head=0)
    assert h.shape == [1, 1, 3, 3]
    h.plot()  # no IndexError: everything fits
    with pytest.raises(TypeError, match="colour"):
        h.update(colour="red")


# --- frontend writes to what the kernel owns -------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["weights", "scores", "output", "_row_patch", "params", "param_sets", "result_id", "error",
     "_esm", "_css", "_view_name", "_model_name", "_static", "not_a_trait"],
)
def test_a_view_cannot_set_what_the_kernel_owns(name):
    w = AttentionWidget()
    view = mirrored(w)
    before = snapshot(w)
    esm = w._esm
    value = wire(np.zeros((3, 6))) if name in ("weights", "scores", "output") else "x"
    w.set_state({name: value, "temperature": 2.0, "edit_id": 5})
    assert w.result_id == 5
    assert name in w.error and "cannot set" in w.error
    assert_same_state(snapshot(w), before)  # the temperature sent with it is refused too
    assert w._esm == esm
    resent = [m["state"] for m in view.messages if m.get("method") == "update"]
    if name in w.keys:
        assert any(name in s for s in resent)  # the kernel's value, so the view drops its own
    view.assert_matches(w)


@pytest.mark.parametrize("name", ["weights", "shape", "_esm", "error", "_kind"])
def test_a_heads_view_can_only_choose_layer_and_head(name):
    h = AttentionHeads(np.full((2, 2, 3, 3), 1 / 3), list("abc"))
    before = (h.shape, h.layer, h.head, h._esm)
    h.set_state({name: "x", "layer": 1})
    assert name in h.error
    assert (h.shape, h.layer, h.head, h._esm) == before
    h.set_state({"layer": 1})
    assert h.layer == 1 and h.error == ""


# --- unbounded work in the engine ------------------------------------------------------------


def test_concat_and_additive_stay_in_the_budget_for_large_hidden_sizes():
    import tracemalloc

    rng = np.random.default_rng(1)
    Q, K = rng.normal(size=(2, 16)), rng.normal(size=(2048, 16))
    p = init_params("additive", 16, 16, hidden=8192)
    params_bytes = sum(a.nbytes for a in p.values())
    tracemalloc.start()
    r = attention(Q, K, score="additive", params=p)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    results = 3 * r.weights.nbytes + r.output.nbytes
    # was 257 MiB: the (1, 2048, 8192) block and W q, U k whole
    assert peak < CHUNK_BUDGET_BYTES + params_bytes + results + 4 * 2**20
    loop = np.array([[p["v"] @ np.tanh(p["W"] @ q + p["U"] @ k) for k in K] for q in Q])
    np.testing.assert_allclose(r.scores, loop, rtol=1e-12, atol=1e-12)


def test_hidden_size_has_a_limit():
    with pytest.raises(ValueError, match="hidden must be at most MAX_HIDDEN"):
        init_params("additive", 2, 2, hidden=MAX_HIDDEN + 1)
    v = np.zeros(MAX_HIDDEN + 1)
    params = {"W": np.zeros((MAX_HIDDEN + 1, 1)), "U": np.zeros((MAX_HIDDEN + 1, 1)), "v": v}
    with pytest.raises(ValueError, match=r"params\['v'\] has hidden size"):
        attention([[1.0]], [[1.0]], score="additive", params=params)


def test_the_widget_refuses_parameters_beyond_its_size_limit():
    from attnwidget.wire.protocol import MAX_VALUES

    w = AttentionWidget(score="general")
    h = MAX_VALUES // 4 + 1
    big = {"W": np.zeros((h, 4)), "U": np.zeros((h, 4)), "v": np.zeros(h)}
    with pytest.raises(AttentionInputError, match=r"params\['W'\] is too large"):
        w.update(score="additive", params=big)
    assert w.score == "general"


def test_traitlets_errors_are_still_value_errors():
    assert issubclass(AttentionInputError, ValueError)
    assert issubclass(AttentionInputError, traitlets.TraitError)


# --- hostile text beyond HTML: text no page or message can carry --------------------------------


@pytest.mark.parametrize("name", ["query_tokens", "key_tokens"])
def test_a_token_with_a_lone_surrogate_is_refused_naming_it(name):
    w = AttentionWidget()
    tokens = list(getattr(w, name))
    tokens[1] = "ok\ud800"
    before = snapshot(w)
    with pytest.raises(ValueError, match=rf"{name}\[1\] must be valid Unicode text.*U\+D800"):
        setattr(w, name, tokens)
    assert_same_state(snapshot(w), before)
    with pytest.raises(ValueError, match=rf"{name}\[1\]"):
        AttentionWidget(**{name: tokens})
    with pytest.raises(ValueError, match=r"tokens\[1\]"):
        AttentionHeads(np.full((1, 1, 3, 3), 1 / 3), ["a", "b\udfff", "c"])
    w.to_html()  # what the widget holds can always be written
