"""AttentionHeads / AttentionWidget.from_weights: precomputed attention from a model."""

from __future__ import annotations

import numpy as np
import pytest
import traitlets

from attnwidget import AttentionHeads, AttentionWidget
from attnwidget.export import page_state
from attnwidget.wire.codec import dequantise_rows, quantise_rows

rng = np.random.default_rng(3)


def softmaxed(*shape):
    x = rng.normal(size=shape) * 2
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_from_weights_builds_a_heads_widget_with_selectors():
    w = softmaxed(2, 3, 5, 5)
    h = AttentionWidget.from_weights(w, list("abcde"), layer=1, head=2)
    assert isinstance(h, AttentionHeads)
    assert h.shape == [2, 3, 5, 5] and h.query_tokens == h.key_tokens == list("abcde")
    np.testing.assert_array_equal(h.selected, w[1, 2])
    h.layer, h.head = 0, 1
    np.testing.assert_array_equal(h.selected, w[0, 1])


def test_fewer_axes_are_promoted_and_torchlike_inputs_accepted():
    class Tensorish:
        def __init__(self, a):
            self.a = a

        def detach(self):
            return self

        def __array__(self, dtype=None, copy=None):
            return np.asarray(self.a, dtype=dtype)

    h = AttentionHeads(Tensorish(softmaxed(4, 6)), list("abcdef"), query_tokens=list("wxyz"))
    assert h.weights.shape == (1, 1, 4, 6)
    assert AttentionHeads(softmaxed(3, 4, 4), list("abcd")).weights.shape == (1, 3, 4, 4)


def test_quantised_rows_are_within_half_a_step_of_the_row_max():
    w = softmaxed(3, 4, 7, 9)
    codes, scale = quantise_rows(w)
    assert codes.dtype == np.uint8 and scale.dtype == np.float32
    err = np.abs(dequantise_rows(codes, scale) - w)
    assert (err <= w.max(-1, keepdims=True) / 510 + 1e-7).all()
    zeros = quantise_rows(np.zeros((2, 3)))
    np.testing.assert_array_equal(dequantise_rows(*zeros), np.zeros((2, 3)))


def test_wire_is_uint8_with_row_scales():
    h = AttentionHeads(softmaxed(2, 2, 8, 8), [f"t{i}" for i in range(8)])
    state = h.get_state()["weights"]
    assert state["dtype"] == "uint8-rows" and state["shape"] == [2, 2, 8, 8]
    assert len(bytes(state["buffer"])) == 2 * 2 * 8 * 8
    assert len(bytes(state["scale"])) == 2 * 2 * 8 * 4


def test_page_of_a_big_tensor_is_compressed():
    h = AttentionHeads(softmaxed(2, 4, 64, 64), [f"t{i}" for i in range(64)])
    doc = page_state(h)
    big = [b for b in doc["buffers"] if b["path"] == ["weights", "buffer"]][0]
    assert big.get("encoding") == "gzip"


@pytest.mark.parametrize(
    ("args", "kwargs", "words"),
    [
        ((np.ones((2, 3, 4, 4, 1)), list("abcd")), {}, "weights must be"),
        ((np.full((4, 4), 2.0), list("abcd")), {}, "in [0, 1]"),
        ((np.full((4, 4), -0.1), list("abcd")), {}, "in [0, 1]"),
        ((np.full((4, 4), np.nan), list("abcd")), {}, "weights must be finite"),
        ((np.ones((4, 4)) / 4, list("abc")), {}, "tokens must have one token per key"),
        ((np.ones((3, 4)) / 4, list("abcd")), {}, "query_tokens are required"),
        ((np.ones((3, 4)) / 4, list("abcd")), {"query_tokens": ["a"]}, "query_tokens must have"),
        ((np.ones((4, 4)) / 4, [1, 2, 3, 4]), {}, "tokens[0] must be a string"),
        ((np.ones((4, 4)) / 4, list("abcd")), {"layer": 3}, "layer must be in"),
        ((np.ones((0, 4)), list("abcd")), {}, "empty"),
    ],
)
def test_bad_weights_and_tokens_name_the_argument(args, kwargs, words):
    with pytest.raises((ValueError, traitlets.TraitError)) as err:
        AttentionHeads(*args, **kwargs)
    assert words in str(err.value)


def test_bad_selection_keeps_the_state():
    h = AttentionHeads(softmaxed(2, 3, 4, 4), list("abcd"), head=1)
    with pytest.raises(traitlets.TraitError, match="head must be in"):
        h.head = 3
    assert h.head == 1
    with pytest.raises(TypeError):
        AttentionHeads(softmaxed(4, 4), list("abcd"), colour="red")
