"""Random sequences of edits, from Python and from a view: the widget always equals the engine.

Each step is a good or a bad change; a bad change must leave every trait as it was. Steps mix
Python sets, view edits (good, refused and garbage), observers that change another input when
Q changes, and a thread setting the temperature during view edits.
"""

from __future__ import annotations

import threading

import numpy as np
import traitlets
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from widget_state import FrontendMirror, assert_same_state, snapshot

from attnwidget import SCORES, AttentionWidget, attention

values = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
wild = st.one_of(values, st.just(np.nan), st.just(np.inf), st.just(1e308), st.just(-1e-308))


# View edits that fail in other ways than a bad value: wrong JSON types, sizes beyond 64 bits,
# numbers too large for a float, traits a view may not set.
GARBAGE = [
    {"Q": {"dtype": ["float64"], "shape": [3, 4], "buffer": memoryview(bytes(96))}},
    {"Q": {"dtype": "float64", "shape": [2**70, 4], "buffer": memoryview(bytes(96))}},
    {"Q": {"dtype": "float64", "shape": "3x4", "buffer": memoryview(bytes(96))}},
    {"temperature": 10**400},
    {"selected_query": True},
    {"weights": "x"},
    {"_esm": "export default {}"},
    {"temperature": 0.5, "params": {}},
    {"_query_patch": {"rows": [0], "Q": {"dtype": "float64", "shape": [1, 4], "buffer": b"x"}}},
    {
        "_query_patch": {
            "rows": [True],
            "Q": {"dtype": "float64", "shape": [1, 4], "buffer": bytes(32)},
        }
    },
    {
        "_query_patch": {
            "rows": [0, 0],
            "Q": {"dtype": "float64", "shape": [2, 4], "buffer": bytes(64)},
        }
    },
    {"_query_patch": [0, 1]},
]


class WidgetEdits(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.w = AttentionWidget()
        self.view = FrontendMirror(self.w)  # what a view holds, from the messages sent
        self.w.comm = self.view
        self.edit_id = 0
        self.observers: list = []

    def _try(self, fn) -> None:
        before = snapshot(self.w, _NAMES)
        try:
            fn()
        except (ValueError, traitlets.TraitError):
            assert_same_state(snapshot(self.w, _NAMES), before)

    @rule(score=st.sampled_from([*SCORES, "cosine"]))
    def set_score(self, score):
        self._try(lambda: setattr(self.w, "score", score))

    @rule(i=st.integers(0, 2), j=st.integers(0, 3), value=wild)
    def edit_query_cell_from_python(self, i, j, value):
        Q = self.w.Q.copy()
        Q[i % len(Q), j % Q.shape[1]] = value
        self._try(lambda: setattr(self.w, "Q", Q))

    @rule(i=st.integers(0, 2), j=st.integers(0, 3), value=wild, only_the_row=st.booleans())
    def edit_query_cell_from_a_view(self, i, j, value, only_the_row):
        Q = self.w.Q.copy()
        Q[i % len(Q), j % Q.shape[1]] = value
        self.edit_id += 1
        before = self.w.Q.copy()
        sent = len(self.view.messages)
        # Q whole, or only the edited row (_query_patch), as a view sends a drag of one query
        self.view.edit(self.w, self.edit_id, Q, [i % len(Q)] if only_the_row else None)
        assert self.w.result_id == self.edit_id
        if self.w.error:
            np.testing.assert_array_equal(self.w.Q, before)
        else:
            np.testing.assert_array_equal(self.w.Q, Q)
            if not np.array_equal(Q, before) and not self.observers:
                # one of 3 rows changed: sent as a row patch (unless an observer changed more)
                (traits,) = [set(m["state"]) for m in self.view.messages[sent:]]
                assert "_row_patch" in traits and not traits & {"scores", "weights", "output"}

    @rule(t=st.one_of(st.floats(0.01, 100), st.just(0.0), st.just(-1.0), st.just(np.nan)))
    def set_temperature(self, t):
        self._try(lambda: setattr(self.w, "temperature", t))

    @rule(m=arrays(bool, (3, 6)))
    def set_mask(self, m):
        self._try(lambda: setattr(self.w, "mask", m))

    @rule()
    def clear_mask(self):
        self.w.mask = None

    @rule(n=st.integers(1, 5), d=st.sampled_from([4, 3]))
    def new_keys(self, n, d):
        K = np.arange(n * d, dtype=float).reshape(n, d) / 10
        tokens = [f"t{i}" for i in range(n)]
        self._try(lambda: self.w.update(K=K, key_tokens=tokens, mask=None))

    @rule()
    def resample(self):
        self._try(self.w.resample)

    # --- the classes an adversarial reading found: any failure, observers, threads ---

    @rule(value=st.sampled_from([10**400, -(10**400), [1.0], "hot", None]))
    def set_temperature_of_a_wrong_kind(self, value):
        self._try(lambda: setattr(self.w, "temperature", value))

    @rule(edit=st.sampled_from(GARBAGE))
    def garbage_from_a_view(self, edit):
        self.edit_id += 1
        before = snapshot(self.w, _NAMES)
        self.w.set_state({**edit, "edit_id": self.edit_id})
        assert self.w.result_id == self.edit_id and self.w.error
        assert_same_state(snapshot(self.w, _NAMES), before)

    @rule(name=st.sampled_from(["temperature", "score", "mask"]))
    def an_observer_of_q_changes_another_input(self, name):
        value = {"temperature": 0.7, "score": "additive", "mask": None}[name]

        def observer(change, w=self.w):
            if w.mask is None or w.mask.shape == (len(w.Q), len(w.K)):
                setattr(w, name, value)

        self.w.observe(observer, names="Q")
        self.observers.append(observer)

    @rule()
    def remove_the_observers(self):
        for observer in self.observers:
            self.w.unobserve(observer, names="Q")
        self.observers.clear()

    @rule(rows=st.lists(st.integers(0, 2), min_size=1, max_size=2), t=st.floats(0.1, 10))
    def a_thread_sets_temperature_during_view_edits(self, rows, t):
        w = self.w
        failures: list[BaseException] = []

        def python_side():
            try:
                for i in range(20):
                    w.temperature = t * (1 + i % 2)
            except BaseException as exc:  # noqa: BLE001 - any failure fails the test
                failures.append(exc)

        thread = threading.Thread(target=python_side)
        thread.start()
        for i in rows:
            Q = w.Q.copy()
            Q[i % len(Q)] += 0.25
            self.edit_id += 1
            self.view.edit(w, self.edit_id, Q, [i % len(Q)] if i % 2 else None)
            assert w.result_id == self.edit_id
        thread.join()
        assert not failures, failures

    @invariant()
    def results_equal_the_engine(self):
        w = self.w
        r = attention(
            w.Q, w.K, w.V, score=w.score, params=w.params, mask=w.mask, temperature=w.temperature
        )
        np.testing.assert_allclose(w.weights, r.weights, rtol=0, atol=1e-12)
        np.testing.assert_allclose(w.output, r.output, rtol=0, atol=1e-12)
        self.view.assert_matches(w)
        assert len(w.query_tokens) == len(w.Q) and len(w.key_tokens) == len(w.K)


_NAMES = (
    "Q",
    "K",
    "V",
    "score",
    "params",
    "mask",
    "temperature",
    "weights",
    "query_tokens",
    "key_tokens",
)


WidgetEdits.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
test_widget_edit_sequences = WidgetEdits.TestCase
