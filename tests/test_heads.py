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
    h = AttentionHeads(softmaxed(2, 2, 8, 8), [f"t{i}" for i in range(8)], layer=1)
    state = h.get_state()["weights"]  # (live: the selected head only)
    assert state["dtype"] == "uint8-rows" and state["shape"] == [1, 1, 8, 8]
    assert state["layers"] == [1] and state["heads"] == [0]
    assert len(bytes(state["buffer"])) == 8 * 8
    assert len(bytes(state["scale"])) == 8 * 4


def test_page_of_a_big_tensor_is_compressed():
    h = AttentionHeads(softmaxed(2, 4, 64, 64), [f"t{i}" for i in range(64)])
    doc = page_state(h)
    big = [b for b in doc["buffers"] if b["path"] == ["weights", "buffer"]][0]
    assert big.get("encoding") == "gzip"


@pytest.mark.parametrize(
    ("args", "kwargs", "words"),
    [
        ((np.ones((2, 3, 4, 4, 1, 1)), list("abcd")), {}, "weights must be"),
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


# --- what models return: per-layer tuples, a batch axis, half precision ------------------------


def test_from_weights_takes_a_tuple_of_batched_layers_and_a_5d_array():
    w = softmaxed(3, 2, 4, 5, 5)  # (layers, batch, heads, M, N)
    per_layer = tuple(w)  # as outputs.attentions: one (batch, heads, M, N) per layer
    for given in (per_layer, list(per_layer), w):
        first = AttentionWidget.from_weights(given, list("abcde"))
        np.testing.assert_array_equal(first.weights, w[:, 0])
        np.testing.assert_array_equal(
            AttentionWidget.from_weights(given, list("abcde"), batch=1).weights, w[:, 1]
        )
    layers_of_heads = AttentionWidget.from_weights(list(w[:, 1]), list("abcde"))  # (heads, M, N)
    np.testing.assert_array_equal(layers_of_heads.weights, w[:, 1])
    one_layer = AttentionWidget.from_weights(w[2], list("abcde"), batch=1)  # (batch, heads, M, N)
    np.testing.assert_array_equal(one_layer.weights, w[2, 1][None])


def test_float16_and_float32_keep_their_dtype_and_the_widget_owns_its_copy():
    w = softmaxed(2, 3, 4, 4).astype(np.float32)
    h = AttentionWidget.from_weights(w, list("abcd"))
    assert h.weights.dtype == np.float32 and not np.shares_memory(h.weights, w)
    np.testing.assert_array_equal(h.weights, w)
    half = AttentionWidget.from_weights(tuple(w[:, None].astype(np.float16)), list("abcd"))
    assert half.weights.dtype == np.float16  # (not doubled to float32)
    np.testing.assert_array_equal(half.weights, w.astype(np.float16))
    mixed = AttentionWidget.from_weights((w[0, None].astype(np.float16), w[1, None]), list("abcd"))
    assert mixed.weights.dtype == np.float32
    float64 = AttentionWidget.from_weights(softmaxed(2, 4, 4), list("abcd"))
    assert float64.weights.dtype == np.float64


@pytest.mark.parametrize(
    ("weights", "kwargs", "words"),
    [
        (softmaxed(3, 2, 4, 5, 5), {"batch": 2}, "batch must be in [0, 1]"),
        (tuple(softmaxed(3, 2, 4, 5, 5)), {"batch": 5}, "batch must be in [0, 1]"),
        (softmaxed(4, 5, 5), {"batch": 0}, "no batch axis"),
        ([softmaxed(4, 5, 5)] * 2, {"batch": 0}, "no batch axis"),
        ((softmaxed(2, 4, 5, 5), softmaxed(2, 4, 4, 4)), {}, "the same shape"),
        ((softmaxed(5, 5), softmaxed(5, 5)), {}, "(batch, heads, M, N) or (heads, M, N)"),
        (np.array([[101, 7, 102]] * 3), {}, "token ids?"),
        (softmaxed(4, 5, 5), {"batch": 1.0}, "batch must be an integer"),
    ],
)
def test_model_layouts_that_do_not_fit_say_how_to_pass_them(weights, kwargs, words):
    with pytest.raises(ValueError) as err:
        AttentionWidget.from_weights(weights, list("abcde")[: np.shape(weights[0])[-1]], **kwargs)
    assert words in str(err.value)


@pytest.mark.parametrize("weights", [(), [], (None, None)])
def test_no_recorded_attentions_say_to_load_the_model_with_eager_attention(weights):
    """transformers' outputs.attentions under sdpa: nothing recorded, and the hint to fix it."""
    with pytest.raises(ValueError, match=r'no attention weights.*attn_implementation="eager"'):
        AttentionWidget.from_weights(weights, list("abc"))
    with pytest.raises(ValueError, match="sdpa"):
        AttentionHeads(weights, list("abc"))


def test_token_ids_as_tokens_get_the_tokenizer_hint():
    with pytest.raises(ValueError, match=r"token ids\?.*convert_ids_to_tokens"):
        AttentionWidget.from_weights(softmaxed(3, 3), np.array([101, 7, 102]))
    with pytest.raises(ValueError, match="convert_ids_to_tokens"):
        AttentionWidget(np.eye(3), np.eye(3), key_tokens=[101, 7, 102])


def test_bert_base_at_full_length_is_accepted():
    tokens = [f"t{i}" for i in range(512)]
    w = np.broadcast_to(np.float32(1 / 512), (12, 1, 12, 512, 512))  # 37.7M weights, 4 B each
    h = AttentionWidget.from_weights(w, tokens)
    assert h.shape == [12, 12, 512, 512] and h.weights.dtype == np.float32
    too_many = np.broadcast_to(np.float16(0), (2049, 1, 1, 1024, 1024))  # > 2Gi, kept by no one
    with pytest.raises(ValueError, match="too large to show: 2,148,532,224 values"):
        AttentionWidget.from_weights(too_many, [f"t{i}" for i in range(1024)])
    one_head = np.broadcast_to(np.float16(0), (1, 1, 8192, 8192))  # one head must cross the wire
    with pytest.raises(ValueError, match="one head of 8192 x 8192 has 67,108,864 values"):
        AttentionWidget.from_weights(one_head, [f"t{i}" for i in range(8192)])
