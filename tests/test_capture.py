"""attnwidget.capture on real transformers models built from small configs (random weights).

Four families, each with another mechanism: BERT (bidirectional, padding), GPT-2 (causal, fused
QKV projection), Llama (rotary embeddings, grouped-query attention: 2 key/value heads for 4
query heads) and Mistral (rotary, grouped-query and a sliding window of 3 keys). Each runs a
batch of two examples, the second one padded, and every head is compared with the model's own
``output_attentions`` under transformers' eager attention.

Needs torch and transformers (the ``torch`` extra). Without them these tests are skipped, except
when ``ATTNWIDGET_REQUIRE_TORCH=1`` (set by CI, .ci/run): then they fail. ``make test-lowest``
(no torch) does not collect this file.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

if os.environ.get("ATTNWIDGET_REQUIRE_TORCH") == "1":
    import torch
    import transformers
else:
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")

import attnwidget
from attnwidget import AttentionHeads, AttentionWidget, attention

TOL = 1e-5
M = 7  # tokens per example
WINDOW = 3  # Mistral's sliding window

SMALL = dict(vocab_size=100, num_hidden_layers=2, num_attention_heads=4, initializer_range=0.2)


def _config(family: str):
    t = transformers
    if family == "bert":
        return t.BertModel, t.BertConfig(hidden_size=32, intermediate_size=37, **SMALL)
    if family == "gpt2":
        cfg = t.GPT2Config(
            n_embd=32,
            n_layer=2,
            n_head=4,
            vocab_size=100,
            initializer_range=0.2,
            bos_token_id=0,
            eos_token_id=0,
        )
        return t.GPT2Model, cfg
    if family == "llama":
        cfg = t.LlamaConfig(hidden_size=32, intermediate_size=37, num_key_value_heads=2, **SMALL)
        return t.LlamaModel, cfg
    cfg = t.MistralConfig(
        hidden_size=32,
        intermediate_size=37,
        num_key_value_heads=2,
        sliding_window=WINDOW,
        **SMALL,
    )
    return t.MistralModel, cfg


# BERT and GPT-2 pad on the right; Llama and Mistral on the left (as for generation), so that
# the padded example's first queries see no key at all.
PADDING = {"bert": "right", "gpt2": "right", "llama": "left", "mistral": "left"}
CAUSAL = {"bert": False, "gpt2": True, "llama": True, "mistral": True}


def _inputs(family: str) -> dict:
    ids = torch.randint(0, 100, (2, M), generator=torch.Generator().manual_seed(1))
    am = torch.ones(2, M, dtype=torch.long)
    if PADDING[family] == "right":
        am[1, 5:] = 0
    else:
        am[1, :2] = 0
    return {"input_ids": ids, "attention_mask": am}


@pytest.fixture(scope="module", params=list(PADDING))
def run(request):
    """(family, model, inputs, eager reference weights (layers, batch, heads, M, N), capture)."""
    family = request.param
    cls, cfg = _config(family)
    torch.manual_seed(0)
    model = cls._from_config(cfg, attn_implementation="eager").eval()
    inputs = _inputs(family)
    with torch.no_grad():
        out = model(**inputs, output_attentions=True)
    reference = torch.stack(out.attentions).numpy().astype(np.float64)
    cap = attnwidget.capture(model, **inputs)
    return family, model, inputs, reference, cap


def _expected_mask(family: str, am: np.ndarray) -> np.ndarray:
    """(batch, M, N): what each family's query i may attend to, from the padding mask."""
    i, j = np.arange(M)[:, None], np.arange(M)[None, :]
    allowed = np.ones((M, M), bool)
    if CAUSAL[family]:
        allowed &= j <= i
    if family == "mistral":
        allowed &= i - j < WINDOW
    return allowed[None] & am.astype(bool)[:, None, :]


def test_captured_weights_equal_output_attentions(run):
    family, _, _, reference, cap = run
    assert cap.attentions.shape == reference.shape == (2, 2, 4, M, M)
    np.testing.assert_allclose(cap.attentions, reference, rtol=0, atol=TOL)
    # the heads are far from uniform, so a wrong Q, K, mask or kv head would show
    assert reference.max() > 0.6


def test_captured_mask_is_the_models(run):
    family, _, inputs, _, cap = run
    want = _expected_mask(family, inputs["attention_mask"].numpy())
    for mask in cap.masks:
        assert mask.dtype == np.bool_
        np.testing.assert_array_equal(np.broadcast_to(mask[:, 0], want.shape), want)


def test_every_heads_widget_reproduces_the_model(run):
    family, _, inputs, reference, cap = run
    seen_no_key = False
    for layer in range(2):
        for batch in range(2):
            for head in range(4):
                w = cap.widget(layer, head, batch)
                assert isinstance(w, AttentionWidget)
                ref = reference[layer, batch, head]
                sees = w.mask.any(axis=1) if w.mask is not None else np.ones(M, bool)
                # queries that see no key at all (left padding): the model's softmax spreads
                # them uniformly over masked keys, the engine gives zeros
                np.testing.assert_allclose(w.weights[sees], ref[sees], rtol=0, atol=TOL)
                assert (w.weights[~sees] == 0).all()
                seen_no_key |= not sees.all()
                if CAUSAL[family]:  # without the model's mask the numbers are far off
                    bare = attention(w.Q, w.K, w.V, score=w.score, temperature=w.temperature)
                    assert np.abs(bare.weights[sees] - ref[sees]).max() > 0.05
    assert seen_no_key == (PADDING[family] == "left")


def test_editing_a_query_gives_what_the_head_would_do(run):
    family, _, _, _, cap = run
    layer, head, batch = 1, 3, 1
    w = cap.widget(layer, head, batch)
    q2 = np.array(w.Q)
    q2[-1] = -2 * q2[-1] + 0.5
    w.Q = q2
    r = attention(q2, w.K, w.V, score=w.score, mask=w.mask, temperature=w.temperature)
    np.testing.assert_array_equal(w.weights, r.weights)
    # the same edit in torch, with the head's own tensors, scaling and the model's mask
    kv = cap.kv_heads[layer][head]
    k = torch.tensor(cap.keys[layer][batch, kv], dtype=torch.float64)
    scores = torch.tensor(q2) @ k.T * cap.scaling[layer]
    mask = torch.tensor(cap.masks[layer][batch, 0])
    expected = torch.softmax(scores.masked_fill(~mask, -torch.inf), -1).nan_to_num(0.0)
    np.testing.assert_allclose(w.weights, expected.numpy(), rtol=0, atol=1e-12)
    assert not np.allclose(w.weights[-1], cap.attentions[layer, batch, head, -1], atol=1e-3)


def test_grouped_query_heads_read_their_key_value_head(run):
    family, model, _, _, cap = run
    kv = 2 if family in ("llama", "mistral") else 4
    for layer in range(2):
        assert cap.keys[layer].shape[1] == cap.values[layer].shape[1] == kv
        np.testing.assert_array_equal(cap.kv_heads[layer], np.arange(4) // (4 // kv))
        assert cap.scaling[layer] == pytest.approx(8**-0.5)
    assert model.config._attn_implementation == "eager"  # restored


def test_heads_shows_every_layer_and_head(run):
    _, _, _, reference, cap = run
    h = cap.heads(batch=1, layer=1)
    assert isinstance(h, AttentionHeads) and h.shape == [2, 4, M, M] and h.layer == 1
    np.testing.assert_allclose(h.weights, reference[:, 1], rtol=0, atol=TOL)


def test_tokens_and_tokenizer_name_the_positions():
    cls, cfg = _config("llama")
    torch.manual_seed(0)
    model = cls._from_config(cfg).train()
    inputs = _inputs("llama")

    class Tokenizer:
        def convert_ids_to_tokens(self, ids):
            return [f"<{i}>" for i in ids]

    cap = attnwidget.capture(model, tokenizer=Tokenizer(), **inputs)
    ids = inputs["input_ids"].tolist()
    assert cap.tokens == [[f"<{i}>" for i in row] for row in ids]
    assert cap.widget(0, 0, batch=1).key_tokens == cap.tokens[1]
    assert model.training  # the model's mode is restored
    rows = [[f"w{i}" for i in range(M)], [f"v{i}" for i in range(M)]]
    assert attnwidget.capture(model, tokens=rows, **inputs).heads(1).key_tokens == rows[1]
    with pytest.raises(ValueError, match="convert_ids_to_tokens"):
        attnwidget.capture(model, tokens=[list(range(M))] * 2, **inputs)


def test_models_it_cannot_read_are_refused_by_name():
    with pytest.raises(TypeError, match="Linear"):
        attnwidget.capture(torch.nn.Linear(2, 2), input=torch.ones(1, 2))
    cfg = transformers.Gemma2Config(
        hidden_size=32, intermediate_size=37, num_key_value_heads=2, head_dim=8, **SMALL
    )
    model = transformers.Gemma2Model._from_config(cfg, attn_implementation="eager")
    with pytest.raises(ValueError, match="Gemma2Model.*soft-capping"):
        attnwidget.capture(model, input_ids=torch.ones(1, 4, dtype=torch.long))
    assert model.config._attn_implementation == "eager"


# --- from_weights with what models return ------------------------------------------------------


def test_from_weights_takes_outputs_attentions_as_bertviz_does(run):
    _, model, inputs, reference, _ = run
    with torch.no_grad():
        attentions = model(**inputs, output_attentions=True).attentions  # tuple of (2, 4, M, M)
    tokens = [f"t{i}" for i in range(M)]
    h = AttentionWidget.from_weights(attentions, tokens)
    np.testing.assert_allclose(h.weights, reference[:, 0], rtol=0, atol=1e-7)
    h1 = AttentionWidget.from_weights(attentions, tokens, batch=1)
    np.testing.assert_allclose(h1.weights, reference[:, 1], rtol=0, atol=1e-7)
    stacked = AttentionWidget.from_weights(torch.stack(attentions), tokens, batch=1)
    np.testing.assert_array_equal(stacked.weights, h1.weights)
    assert h.weights.dtype == np.float32  # float32 in, float32 kept (no float64 copy)
    with pytest.raises(ValueError, match=r"4-D torch tensor .* batch=0"):
        AttentionWidget.from_weights(attentions[-1], tokens)  # one layer of a batch of 2
    one_layer = AttentionWidget.from_weights(attentions[-1], tokens, batch=1)
    np.testing.assert_allclose(one_layer.weights[0], reference[-1, 1], rtol=0, atol=1e-7)
    layers = AttentionWidget.from_weights(list(torch.stack(attentions)[:, 0]), tokens)
    np.testing.assert_array_equal(layers.weights, h.weights)


def test_outputs_of_sdpa_attention_get_the_eager_hint():
    """What a model loaded with transformers' default (sdpa) attention returns for
    output_attentions=True is refused with the way to get the weights."""
    cls, cfg = _config("bert")
    model = cls._from_config(cfg, attn_implementation="sdpa").eval()
    with torch.no_grad():
        attentions = model(**_inputs("bert"), output_attentions=True).attentions
    if attentions and all(a is not None for a in attentions):
        pytest.fail(f"sdpa returned weights here ({len(attentions)} layers): update this test")
    with pytest.raises(ValueError, match=r'sdpa.*attn_implementation="eager"'):
        AttentionWidget.from_weights(attentions, [f"t{i}" for i in range(M)])


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_from_weights_takes_half_precision_tensors(dtype):
    w = torch.softmax(torch.randn(3, 2, 4, 5, 5, generator=torch.Generator().manual_seed(2)), -1)
    half = w.to(getattr(torch, dtype))
    h = AttentionWidget.from_weights(half, list("abcde"))
    # the kernel keeps float16 as float16 (one copy, half of float32's bytes); bfloat16, which
    # numpy lacks, as float32
    assert h.weights.dtype == np.dtype(dtype if dtype == "float16" else "float32")
    assert h.weights.shape == (3, 4, 5, 5)
    np.testing.assert_array_equal(h.weights, half.float()[:, 0].numpy())
    tokens = AttentionWidget.from_weights(tuple(half), list("abcde"), batch=1)
    np.testing.assert_array_equal(tokens.weights, half.float()[:, 1].numpy())


def test_token_ids_are_refused_with_the_tokenizer_hint():
    w = np.full((1, 1, 3, 3), 1 / 3)
    with pytest.raises(ValueError, match="convert_ids_to_tokens"):
        AttentionWidget.from_weights(w, torch.tensor([101, 7, 102]))


def test_torch_masks_in_torchs_conventions_are_refused_and_attnwidgets_read():
    q = torch.randn(4, 3, generator=torch.Generator().manual_seed(3))
    additive = torch.nn.Transformer.generate_square_subsequent_mask(4)  # 0 / -inf
    with pytest.raises(ValueError, match=r"mask holds floats \(dtype torch.float32\).*== 0"):
        attention(q, q, mask=additive)
    blocked = torch.triu(torch.ones(4, 4, dtype=torch.bool), 1)  # nn.MultiheadAttention's
    with pytest.raises(ValueError, match="True means blocked"):
        attention(q, q, mask=blocked)
    np.testing.assert_array_equal(
        attention(q, q, mask=~blocked).weights, attention(q, q, causal=True).weights
    )
    lens = attention(q[None], q[None], valid_lens=torch.tensor([2])).weights
    assert (lens[0, :, 2:] == 0).all()
