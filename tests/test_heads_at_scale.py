"""AttentionHeads at real scale: the kernel keeps the tensor, a view receives what it shows."""

from __future__ import annotations

import json
import re
import time
import tracemalloc

import numpy as np
import pytest

from attnwidget import AttentionHeads
from attnwidget.export import page_state
from attnwidget.widgets import heads as heads_module
from attnwidget.wire.codec import dequantise_rows

rng = np.random.default_rng(15)


def softmaxed(*shape, dtype=np.float64):
    x = rng.normal(size=shape) * 2
    e = np.exp(x - x.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(dtype)


def tokens(n):
    return [f"t{i}" for i in range(n)]


def carried(wire):
    """The heads a weights state carries, dequantised: {(layer, head): (M, N)}."""
    layers, heads, m, n = wire["shape"]
    codes = np.frombuffer(bytes(wire["buffer"]), np.uint8).reshape(layers, heads, m, n)
    scale = np.frombuffer(bytes(wire["scale"]), "<f4").reshape(layers, heads, m)
    w = dequantise_rows(codes, scale)
    return {
        (lay, hd): w[i, k]
        for i, lay in enumerate(wire["layers"])
        for k, hd in enumerate(wire["heads"])
    }


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_the_kernel_keeps_one_copy_in_the_input_dtype(dtype):
    w = softmaxed(12, 12, 256, 256, dtype=dtype)  # (BERT-base heads: each 1/144 of it)
    tracemalloc.start()
    try:
        h = AttentionHeads(w, tokens(256))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert h.weights.dtype == dtype and not np.shares_memory(h.weights, w)
    np.testing.assert_array_equal(h.weights, w)
    assert peak <= 1.25 * w.nbytes, f"peak {peak / w.nbytes:.2f}x the input's bytes"


def test_a_live_view_receives_the_selected_head_and_thumbnails_only():
    w = softmaxed(3, 4, 40, 50)
    h = AttentionHeads(w, tokens(50), query_tokens=tokens(40), layer=2, head=1)
    state = h.get_state()
    sent = carried(state["weights"])
    assert list(sent) == [(2, 1)]
    np.testing.assert_allclose(sent[(2, 1)], w[2, 1], atol=w[2, 1].max() / 510 + 1e-7)
    assert state["thumbnails"]["shape"] == [3, 4, 32, 32]
    assert state["shape"] == [3, 4, 40, 50]


def test_a_head_switch_sends_the_newly_selected_head():
    w = softmaxed(2, 3, 6, 6)
    h = AttentionHeads(w, tokens(6))
    sent = []
    h.send_state = lambda key=None: sent.append((key, h.get_state(key)))
    h.head = 2
    h.layer = 1
    weights = [state["weights"] for key, state in sent if key == "weights"]
    assert len(weights) == 2  # (one per switch; ipywidgets sends "head" and "layer" too)
    assert list(carried(weights[0])) == [(0, 2)]
    last = carried(weights[1])
    assert list(last) == [(1, 2)]
    np.testing.assert_allclose(last[(1, 2)], w[1, 2], atol=w[1, 2].max() / 510 + 1e-9)


def test_a_view_switch_of_layer_and_head_is_applied_and_answered_once():
    w = softmaxed(2, 3, 6, 6)
    h = AttentionHeads(w, tokens(6))
    sent = []
    h.send_state = lambda key=None: sent.append((key, h.get_state(key)))
    h.set_state({"layer": 1, "head": 2})
    assert h.error == "" and (h.layer, h.head) == (1, 2)
    weights = [state["weights"] for key, state in sent if key == "weights"]
    assert len(weights) == 1 and list(carried(weights[0])) == [(1, 2)]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(2, 3, 100, 70), (1, 2, 5, 40), (1, 1, 32, 32), (2, 2, 64, 96)])
def test_thumbnails_are_every_head_max_pooled(shape, dtype):
    """(pooled rows first; float16/32 while their bits are checked, float64 by the widget)"""
    w = softmaxed(*shape, dtype=dtype)
    h = AttentionHeads(w, tokens(shape[3]), query_tokens=tokens(shape[2]))
    t = h.thumbnails
    _, _, m, n = shape
    tm, tn = min(32, m), min(32, n)
    assert t.shape == (*shape[:2], tm, tn)
    for a in range(tm):
        for b in range(tn):
            block = w[:, :, a * m // tm : (a + 1) * m // tm, b * n // tn : (b + 1) * n // tn]
            np.testing.assert_array_equal(t[:, :, a, b], block.max(axis=(2, 3)).astype("f4"))
    # on the wire: 8-bit rows of them, scaled per row
    wire = h.get_state("thumbnails")["thumbnails"]
    assert wire["dtype"] == "uint8-rows" and wire["shape"] == list(t.shape)
    assert len(bytes(wire["buffer"])) == t.size


def test_a_page_carries_every_head_up_to_the_limit(monkeypatch):
    w = softmaxed(3, 4, 8, 8)
    h = AttentionHeads(w, tokens(8), layer=1, head=3)
    wire = page_state(h)
    assert {b["path"][0] for b in wire["buffers"]} == {"weights", "thumbnails"}
    assert wire["state"]["weights"]["layers"] == [0, 1, 2]
    assert wire["state"]["weights"]["heads"] == [0, 1, 2, 3]
    # beyond max_weights: the selected layer's heads, else the selected head
    monkeypatch.setattr(heads_module, "MAX_WEIGHTS", 4 * 8 * 8)
    assert h.page_heads() == ([1], [0, 1, 2, 3])
    monkeypatch.setattr(heads_module, "MAX_WEIGHTS", 3 * 8 * 8)
    assert h.page_heads() == ([1], [3])
    assert h.page_heads(layers=[2, 0], heads=2) == ([0, 2], [2])
    with pytest.raises(ValueError, match="a page carries at most 192"):
        h.page_heads(layers=[0, 1])
    with pytest.raises(ValueError, match=r"heads must be indices in \[0, 3\], got \[4\]"):
        h.page_heads(heads=[4])
    # after a page, the live view still gets the selected head only
    assert h.get_state("weights")["weights"]["shape"] == [1, 1, 8, 8]


def test_to_html_of_heads_carries_the_chosen_heads():
    w = softmaxed(3, 4, 8, 8)
    h = AttentionHeads(w, tokens(8))
    page = h.to_html(layers=[2], heads=[0, 3])
    doc = json.loads(
        re.search(
            r'<script type="application/json" id="attnwidget-state">(.*?)</script>', page, re.S
        )
        .group(1)
        .replace("\\u003c", "<")
    )
    weights = doc["state"]["weights"]
    assert (
        weights["layers"] == [2] and weights["heads"] == [0, 3] and weights["shape"] == [1, 2, 8, 8]
    )
    assert "thumbnails" in doc["state"] and "_kind" in doc["state"]
    default = h.to_html()
    assert len(default) > len(page)  # (every head)
    with pytest.raises(ValueError, match="layers must be indices"):
        h.to_html(layers=[3])


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_the_fast_bit_check_still_refuses_bad_values_and_fixes_negative_zero(dtype):
    w = softmaxed(2, 2, 8, 8, dtype=dtype)
    w[1, 0, 3, :] = 0
    w[1, 0, 3, 0] = -0.0  # (its sign bit would order above every weight as an integer)
    w[0, 1, 2, 5] = 1 + 1e-7 if dtype == np.float32 else 1
    h = AttentionHeads(w, tokens(8))
    assert not np.signbit(h.weights).any() and h.weights.max() <= 1
    np.testing.assert_array_equal(h.thumbnails[1, 0], h.weights[1, 0])  # (8 x 8: pooled by 1)
    for bad, words in ((np.nan, "must be finite, found NaN at index (1, 1, 2, 3)"),
                       (np.inf, "must be finite, found inf"),
                       (-0.25, "in [0, 1], found -0.25 at index (1, 1, 2, 3)"),
                       (1.5, "in [0, 1], found 1.5")):  # fmt: skip
        x = w.copy()
        x[1, 1, 2, 3] = bad
        with pytest.raises(ValueError, match=re.escape(words)):
            AttentionHeads(x, tokens(8))


def test_a_large_input_is_shown_from_the_callers_array_while_the_copy_is_made():
    """At 64 MiB and more, the first head is shown straight from the caller's (read-only for
    the widget) array; a background copy then replaces it, with the same values."""
    w = np.empty((2, 16, 1024, 1024), np.float16)  # 64 MiB
    for i in range(2):
        w[i] = softmaxed(16, 1024, 1024, dtype=np.float32)
    h = AttentionHeads(w, tokens(1024), layer=1, head=5)
    assert w.flags.writeable and not h.weights.flags.writeable
    h.get_state()  # (a view's first state: the selected head and the thumbnails)
    h._copying.result(timeout=60)
    for _ in range(1000):  # (the swap runs just after the copy, in the copying thread)
        if not np.shares_memory(h.weights, w):
            break
        time.sleep(0.01)
    assert not np.shares_memory(h.weights, w) and not h.weights.flags.writeable
    np.testing.assert_array_equal(h.weights, w)
    np.testing.assert_array_equal(h.thumbnails, heads_module.thumbnails(h.weights))
    small = AttentionHeads(w[:1, :1], tokens(1024))  # (below 64 MiB: copied at once)
    assert small._copying is None and not np.shares_memory(small.weights, w)
    h.update(weights=w[:, :8])  # (32 MiB: the widget's own copy at once)
    assert h.weights.shape == (2, 8, 1024, 1024) and not np.shares_memory(h.weights, w)
