"""Editing the mask from a view (issue 16, item 4): a toggled cell or a valid length sends the
mask whole; the kernel answers with the rows it changed (a row patch) and ``w.mask``,
``w.weights`` and ``w.output`` equal the engine's. Bad edits keep the last good state."""

from __future__ import annotations

import numpy as np
import pytest
from test_widget import assert_results_match_engine
from widget_state import FrontendMirror, assert_same_state, snapshot, wire

from attnwidget import AttentionWidget, attention


def _widget(m: int = 6, n: int = 6, **kw) -> tuple[AttentionWidget, FrontendMirror]:
    rng = np.random.default_rng(16)
    w = AttentionWidget(rng.normal(size=(m, 4)), rng.normal(size=(n, 4)), **kw)
    view = FrontendMirror(w)
    w.comm = view
    return w, view


def _send_mask(w: AttentionWidget, mask: np.ndarray | None, edit_id: int) -> None:
    """What a view sends for a mask edit: the mask whole (or null) with a new edit_id."""
    w.set_state({"mask": None if mask is None else wire(mask), "edit_id": edit_id})


def _toggled(w: AttentionWidget, i: int, j: int) -> np.ndarray:
    mask = np.ones(w.weights.shape, bool) if w.mask is None else w.mask.copy()
    mask[i, j] = not mask[i, j]
    return mask


def test_toggling_a_cell_masks_that_weight_and_sends_only_its_row():
    w, view = _widget(score="additive")
    _send_mask(w, _toggled(w, 2, 3), edit_id=1)
    assert w.error == "" and w.result_id == 1
    assert not w.mask[2, 3] and w.mask.sum() == w.mask.size - 1
    assert w.weights[2, 3] == 0.0
    assert_results_match_engine(w)
    (msg,) = [m for m in view.messages if m.get("method") == "update"]
    assert set(msg["state"]) == {"_row_patch", "result_id"}
    assert msg["state"]["_row_patch"]["rows"] == [2]
    view.assert_matches(w)  # the view's arrays, patched, are the kernel's
    _send_mask(w, _toggled(w, 2, 3), edit_id=2)  # toggled back: every key allowed again
    assert w.mask.all() and w.weights[2, 3] > 0
    assert w._row_patch["rows"] == [2]
    assert_results_match_engine(w)
    view.assert_matches(w)


def test_a_valid_length_sets_the_row_to_a_prefix_like_the_engines_valid_lens():
    w, view = _widget()
    lens = [6, 6, 2, 6, 6, 6]
    mask = np.arange(6)[None, :] < np.array(lens)[:, None]
    _send_mask(w, mask, edit_id=1)
    assert w._row_patch["rows"] == [2]
    want = attention(w.Q, w.K, w.V, score=w.score, params=w.params, valid_lens=lens)
    np.testing.assert_allclose(w.weights, want.weights, rtol=0, atol=1e-12)
    np.testing.assert_allclose(w.output, want.output, rtol=0, atol=1e-12)
    view.assert_matches(w)


def test_set_valid_lens_equals_attention_with_valid_lens():
    w, _ = _widget(m=4, n=6)
    lens = np.array([1, 3, 6, 0])
    w.set_valid_lens(lens)
    np.testing.assert_array_equal(w.mask, np.arange(6)[None, :] < lens[:, None])
    want = attention(w.Q, w.K, w.V, score=w.score, params=w.params, valid_lens=lens)
    np.testing.assert_array_equal(w.weights, want.weights)
    np.testing.assert_array_equal(w.output, want.output)
    w.set_valid_lens(2)  # one length for every query
    assert w.mask.sum(axis=1).tolist() == [2, 2, 2, 2]


def test_a_row_with_every_key_masked_gets_zero_weights_and_output_never_nan():
    w, view = _widget()
    mask = np.ones((6, 6), bool)
    mask[4] = False
    _send_mask(w, mask, edit_id=1)
    assert w.error == ""
    assert np.all(w.weights[4] == 0) and np.all(w.output[4] == 0)
    assert np.isfinite(w.weights).all() and np.isfinite(w.output).all()
    assert_results_match_engine(w)
    view.assert_matches(w)


def test_a_mask_edit_of_more_than_half_the_rows_goes_whole():
    w, view = _widget()
    _send_mask(w, np.tril(np.ones((6, 6), bool)), edit_id=1)  # the causal switch: 5 rows
    assert w._row_patch is None
    assert_results_match_engine(w)
    _send_mask(w, None, edit_id=2)
    assert w.mask is None and w._row_patch is None
    assert_results_match_engine(w)
    view.assert_matches(w)


def test_a_mask_and_a_query_edited_together_patch_both_rows():
    w, view = _widget()
    Q = w.Q.copy()
    Q[0] += 1.0
    view.arrays["Q"] = Q.copy()
    w.set_state({"mask": wire(_toggled(w, 5, 0)), "Q": wire(Q), "edit_id": 1})
    assert w._row_patch["rows"] == [0, 5]
    assert_results_match_engine(w)
    view.assert_matches(w)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (np.ones((5, 6), bool), "mask must have shape (M, N) = (6, 6)"),
        (np.ones((6, 6)), "floats"),
    ],
)
def test_a_bad_mask_from_a_view_is_refused_and_the_state_kept(value, words):
    w, view = _widget()
    _send_mask(w, _toggled(w, 1, 1), edit_id=1)
    before = snapshot(w)
    w.set_state({"mask": wire(value), "edit_id": 2})
    assert words in w.error and w.result_id == 2
    assert_same_state(snapshot(w), before)


@pytest.mark.parametrize(
    ("lens", "words"),
    [([1, 2, 9, 0, 0, 0], "in [0, N] = [0, 6]"), ([1.5] * 6, "integers"), ([1, 2], "shape")],
)
def test_bad_valid_lens_name_the_problem_and_keep_the_mask(lens, words):
    w, _ = _widget()
    w.set_valid_lens([3] * 6)
    before = snapshot(w)
    with pytest.raises(ValueError, match="valid_lens") as info:
        w.set_valid_lens(lens)
    assert words in str(info.value)
    assert_same_state(snapshot(w), before)
