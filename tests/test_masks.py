"""The engine's masks: valid_lens (d2l's meaning), causal=True, and masks in other conventions."""

from __future__ import annotations

import numpy as np
import pytest

from attnwidget import AttentionWidget, attention
from attnwidget.core.masks import causal_mask

rng = np.random.default_rng(7)


def d2l_masked_softmax(scores: np.ndarray, valid_lens: np.ndarray) -> np.ndarray:
    """d2l's masked_softmax, written out: scores (B, M, N); lens (B,) or (B, M); keys at
    positions >= the length get -1e6 before the softmax."""
    b, m, n = scores.shape
    lens = np.repeat(valid_lens, m) if valid_lens.ndim == 1 else valid_lens.reshape(-1)
    flat = scores.reshape(-1, n).copy()
    flat[np.arange(n)[None, :] >= lens[:, None]] = -1e6
    e = np.exp(flat - flat.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).reshape(b, m, n)


@pytest.mark.parametrize("lens", [np.array([2, 3]), np.array([[1, 3, 4], [2, 2, 4]])])
def test_valid_lens_is_d2l_masked_softmax(lens):
    q, k = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 4, 4))
    r = attention(q, k, score="scaled_dot", valid_lens=lens)
    scores = q @ np.swapaxes(k, -1, -2) / 2.0
    np.testing.assert_allclose(r.weights, d2l_masked_softmax(scores, lens), rtol=0, atol=1e-12)


def test_valid_lens_of_a_batch_apply_to_every_head():
    q, k = rng.normal(size=(2, 3, 5, 4)), rng.normal(size=(2, 3, 6, 4))  # (batch, heads, ...)
    r = attention(q, k, valid_lens=[2, 6])
    assert (r.weights[0, :, :, 2:] == 0).all() and (r.weights[1] > 0).all()
    per_query = attention(q, k, valid_lens=[[1, 2, 3, 4, 5]] * 2)
    for i in range(5):
        assert (per_query.weights[:, :, i, i + 1 :] == 0).all()
        assert (per_query.weights[:, :, i, : i + 1] > 0).all()


def test_valid_lens_without_batch_axis_and_zero_lengths():
    q, k = rng.normal(size=(3, 4)), rng.normal(size=(5, 4))
    np.testing.assert_array_equal(
        attention(q, k, valid_lens=2).weights, attention(q, k, mask=[[1, 1, 0, 0, 0]]).weights
    )
    r = attention(q, k, valid_lens=[0, 5, 1])
    assert (r.weights[0] == 0).all() and (r.output[0] == 0).all()  # (d2l: uniform weights)
    np.testing.assert_allclose(r.weights[2], [1, 0, 0, 0, 0])


@pytest.mark.parametrize(
    ("lens", "words"),
    [
        ([1, 2], "valid_lens must be one number"),
        ([[1, 2, 3]], "(M,) = (3,)"),
        ([1.5, 2, 3], "integers"),
        ([1, 2, 6], "in [0, N] = [0, 5]"),
        ([-1, 2, 3], "in [0, N]"),
    ],
)
def test_bad_valid_lens_name_the_argument(lens, words):
    with pytest.raises(ValueError) as err:
        attention(rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), valid_lens=lens)
    assert words in str(err.value)


def test_causal_is_the_lower_triangle_and_the_last_queries_when_keys_are_more():
    q, k = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    r = attention(q, k, causal=True)
    np.testing.assert_array_equal(
        r.weights, attention(q, k, mask=np.tril(np.ones((4, 4)) > 0)).weights
    )
    assert (np.triu(r.weights, 1) == 0).all()
    # 2 queries over 5 keys: the queries are positions 3 and 4 (KV-cache decoding)
    np.testing.assert_array_equal(causal_mask(2, 5), [[True, True, True, True, False], [True] * 5])
    both = attention(rng.normal(size=(2, 3)), rng.normal(size=(5, 3)), causal=True, valid_lens=3)
    assert (both.weights[:, 3:] == 0).all()
    with pytest.raises(ValueError, match="causal must be True or False"):
        attention(q, k, causal="yes")


@pytest.mark.parametrize(
    "mask",
    [
        np.where(np.tril(np.ones((4, 4))) > 0, 0.0, -np.inf),  # an additive float mask
        np.tril(np.ones((4, 4))),  # 0/1 as floats
        [[1.0, 0.0, 0.0, 0.0]] * 4,
    ],
)
def test_float_masks_are_refused_pointing_to_the_convention(mask):
    with pytest.raises(ValueError, match=r"mask holds floats.*True where a query may attend"):
        attention(rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), mask=mask)
    with pytest.raises(ValueError, match="mask holds floats"):
        AttentionWidget(rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), mask=mask)


def test_torchs_causal_mask_is_refused_as_inverted():
    torch_causal = np.triu(np.ones((4, 4), bool), 1)  # torch: True = blocked
    with pytest.raises(ValueError, match=r"torch's causal mask.*True means blocked.*causal=True"):
        attention(rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), mask=torch_causal)
    w = AttentionWidget(rng.normal(size=(4, 3)), rng.normal(size=(4, 3)))
    with pytest.raises(ValueError, match="torch's causal mask"):
        w.mask = torch_causal
    assert w.mask is None  # the widget keeps its last good state
    # other masks with True above the diagonal are fine
    attention(rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), mask=~np.eye(4, dtype=bool))


def test_widget_causal_starts_with_the_causal_mask():
    q, k = rng.normal(size=(3, 2)), rng.normal(size=(5, 2))
    w = AttentionWidget(q, k, causal=True)
    np.testing.assert_array_equal(w.mask, causal_mask(3, 5))
    np.testing.assert_array_equal(w.weights, attention(q, k, causal=True).weights)
    pad = np.array([[True, True, True, True, False]] * 3)
    both = AttentionWidget(q, k, causal=True, mask=pad)
    np.testing.assert_array_equal(both.mask, causal_mask(3, 5) & pad)
    with pytest.raises(ValueError, match="causal must be True or False"):
        AttentionWidget(q, k, causal=1)
