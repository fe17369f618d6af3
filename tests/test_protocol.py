"""The protocol source (attnwidget/wire/protocol.json) is what the widgets really sync."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
from widget_state import wire

import attnwidget
from attnwidget import AttentionHeads, AttentionWidget
from attnwidget.export import page_state
from attnwidget.wire import protocol

ROOT = pathlib.Path(__file__).parent.parent
# ipywidgets' and anywidget's own traits: the frame every widget has, not our protocol
PLUMBING = {
    "_anywidget_id",
    "_css",
    "_esm",
    "_dom_classes",
    "_model_module",
    "_model_module_version",
    "_model_name",
    "_view_count",
    "_view_module",
    "_view_module_version",
    "_view_name",
    *protocol.SOURCE["dom_options"],
}


def heads() -> AttentionHeads:
    return AttentionHeads(np.full((2, 2, 3, 3), 1 / 3), list("abc"))


@pytest.mark.parametrize(
    ("make", "spec"), [(AttentionWidget, protocol.ATTENTION), (heads, protocol.HEADS)]
)
def test_every_synced_trait_is_in_the_protocol_and_nothing_else(make, spec):
    w = make()
    assert set(w.keys) - PLUMBING == set(spec.traits)
    assert w.protocol is spec


def test_the_attention_protocol_names_real_inputs_and_results():
    w = AttentionWidget()
    assert set(protocol.ATTENTION.inputs) <= set(protocol.ATTENTION.traits)
    assert set(protocol.ATTENTION.results) <= set(protocol.ATTENTION.traits)
    assert all(isinstance(getattr(w, n), np.ndarray) for n in protocol.ATTENTION.results)
    for patch in (protocol.ROW_PATCH, protocol.KEY_PATCH):
        assert patch["trait"] in protocol.ATTENTION.traits
        assert set(patch["edits"]) <= protocol.ATTENTION.view_edits
        assert patch["up"] in protocol.ATTENTION.view_edits  # a view's edit of some rows
        assert not protocol.ATTENTION.traits[patch["up"]].get("page", True)
        assert not protocol.ATTENTION.traits[patch["trait"]].get("page", True)
        assert 0 < patch["max_rows_fraction"] <= 1


@pytest.mark.parametrize(
    ("make", "spec"), [(AttentionWidget, protocol.ATTENTION), (heads, protocol.HEADS)]
)
def test_a_view_may_set_exactly_what_the_protocol_says(make, spec):
    for name, trait in spec.traits.items():
        w = make()
        if trait["set_by"] == "view":
            continue  # (each is edited, good and bad, by the widget tests)
        w.set_state({name: "x"})
        assert f"a view cannot set {name}" in w.error, name


def test_a_view_edit_of_every_view_trait_is_applied():
    w = AttentionWidget()
    edits = {
        "Q": wire(w.Q + 0.5),
        "K": wire(w.K * 2),
        "V": wire(np.ones((6, 2))),
        "query_tokens": ["a", "b", "c"],
        "key_tokens": list("uvwxyz"),
        "score": "additive",
        "mask": wire(np.tril(np.ones((3, 6), bool))),
        "temperature": 0.5,
        "selected_query": 2,
    }
    q_rows = {"_query_patch": {"rows": [1], "Q": wire(np.full((1, 4), 3.0))}}  # (Q's, in its place)
    kv_rows = {"_key_patch": {"rows": [0], "K": wire(np.zeros((1, 4))), "V": wire(np.ones((1, 2)))}}
    assert set(edits) | set(q_rows) | set(kv_rows) | {"edit_id"} == {
        n for n, t in protocol.ATTENTION.traits.items() if t["set_by"] == "view"
    }
    w.set_state({**edits, "edit_id": 4})
    assert w.error == "" and w.result_id == 4
    assert w.score == "additive" and w.selected_query == 2 and w.V.shape == (6, 2)
    w.set_state({**q_rows, "selected_query": 1, "edit_id": 5})
    assert w.error == "" and w.result_id == 5 and w.selected_query == 1
    np.testing.assert_array_equal(w.Q[1], [3.0] * 4)
    w.set_state({**kv_rows, "edit_id": 6})
    assert w.error == "" and w.result_id == 6
    np.testing.assert_array_equal(w.K[0], [0.0] * 4)
    np.testing.assert_array_equal(w.V[0], [1.0] * 2)


@pytest.mark.parametrize(
    ("make", "spec"), [(AttentionWidget, protocol.ATTENTION), (heads, protocol.HEADS)]
)
def test_an_exported_page_carries_what_the_protocol_says(make, spec):
    state = page_state(make())["state"]
    assert set(state) == set(spec.on_page)


def test_limits_come_from_the_protocol():
    limits = json.loads((ROOT / "attnwidget/wire/protocol.json").read_text())["limits"]
    assert protocol.MAX_PAIRS == limits["max_pairs"] == 2048 * 2048
    assert protocol.MAX_VALUES == limits["max_values"]
    assert protocol.MAX_WEIGHTS == limits["max_weights"]


def test_the_version_is_written_once():
    pyproject = (ROOT / "pyproject.toml").read_text()
    package = json.loads((ROOT / "js/package.json").read_text())
    assert f'version = "{attnwidget.__version__}"' in pyproject
    assert package["version"] == attnwidget.__version__
