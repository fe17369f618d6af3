"""The engine against the seed's formulas, written as plain per-pair loops."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from attnwidget import CHUNK_BUDGET_BYTES, SCORES, AttentionResult, attention, init_params, softmax
from attnwidget.core import engine as engine_module

TOL = 1e-12


def loop_score(score: str, q: np.ndarray, k: np.ndarray, p: dict) -> float:
    """score(q, k) for one pair, straight from the seed's table."""
    if score == "dot":
        return float(sum(q[i] * k[i] for i in range(len(q))))
    if score == "scaled_dot":
        return float(sum(q[i] * k[i] for i in range(len(q))) / math.sqrt(len(k)))
    if score == "general":
        W = p["W"]
        return float(sum(q[a] * W[a, b] * k[b] for a in range(len(q)) for b in range(len(k))))
    if score == "concat":
        qk = list(q) + list(k)
        W, v = p["W"], p["v"]
        return float(
            sum(
                v[j] * math.tanh(sum(W[j, c] * qk[c] for c in range(len(qk))))
                for j in range(len(v))
            )
        )
    W, U, v = p["W"], p["U"], p["v"]
    return float(
        sum(
            v[j]
            * math.tanh(
                sum(W[j, a] * q[a] for a in range(len(q)))
                + sum(U[j, b] * k[b] for b in range(len(k)))
            )
            for j in range(len(v))
        )
    )


def loop_attention(score, Q, K, V, p, mask=None, temperature=1.0):
    M, N = len(Q), len(K)
    S = np.array([[loop_score(score, Q[m], K[n], p) for n in range(N)] for m in range(M)])
    A = np.zeros((M, N))
    for m in range(M):
        allowed = [n for n in range(N) if mask is None or mask[m][n]]
        if not allowed:
            continue
        top = max(S[m, n] for n in allowed)
        e = {n: math.exp((S[m, n] - top) / temperature) for n in allowed}
        z = sum(e.values())
        for n in allowed:
            A[m, n] = e[n] / z
    out = np.array(
        [[sum(A[m, n] * V[n][c] for n in range(N)) for c in range(len(V[0]))] for m in range(M)]
    )
    return S, A, out


rng = np.random.default_rng(1234)


@pytest.mark.parametrize("score", SCORES)
def test_each_formula_matches_a_per_pair_loop(score):
    Q, K, V = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    p = init_params(score, 4, 4, hidden=6, seed=3)
    r = attention(Q, K, V, score=score, params=p)
    S, A, out = loop_attention(score, Q, K, V, p)
    np.testing.assert_allclose(r.scores, S, rtol=0, atol=TOL)
    np.testing.assert_allclose(r.weights, A, rtol=0, atol=TOL)
    np.testing.assert_allclose(r.output, out, rtol=0, atol=TOL)


@pytest.mark.parametrize("score", ["general", "concat", "additive"])
def test_formulas_with_different_query_and_key_widths(score):
    Q, K = rng.normal(size=(2, 3)), rng.normal(size=(4, 5))
    p = init_params(score, 3, 5, seed=1)
    r = attention(Q, K, score=score, params=p)
    S, A, out = loop_attention(score, Q, K, K, p)
    np.testing.assert_allclose(r.weights, A, rtol=0, atol=TOL)
    np.testing.assert_allclose(r.output, out, rtol=0, atol=TOL)


def test_values_default_to_keys_and_result_records_what_was_used():
    Q, K = rng.normal(size=(2, 4)), rng.normal(size=(3, 4))
    r = attention(Q, K, score="additive", temperature=2.0)
    assert isinstance(r, AttentionResult)
    np.testing.assert_allclose(r.output, r.weights @ K, atol=TOL)
    assert r.score == "additive" and r.temperature == 2.0
    for name, arr in init_params("additive", 4, 4, seed=0).items():
        np.testing.assert_array_equal(r.params[name], arr)
    with pytest.raises(AttributeError):
        r.score = "dot"  # frozen


def test_init_params_shapes_defaults_and_determinism():
    assert init_params("dot", 3, 3) == {} and init_params("scaled_dot", 3, 3) == {}
    assert init_params("general", 3, 5)["W"].shape == (3, 5)
    c = init_params("concat", 3, 5)
    assert c["W"].shape == (engine_module.DEFAULT_HIDDEN, 8) and c["v"].shape == (8,)
    a = init_params("additive", 3, 5, hidden=4)
    assert (a["W"].shape, a["U"].shape, a["v"].shape) == ((4, 3), (4, 5), (4,))
    b = init_params("additive", 3, 5, hidden=4)
    for n in a:
        np.testing.assert_array_equal(a[n], b[n])
    assert not np.array_equal(
        init_params("general", 3, 3, seed=1)["W"], init_params("general", 3, 3)["W"]
    )


def test_inputs_lists_ints_float32_and_array_protocol_give_float64():
    class Tensorish:  # something with __array__ and detach(), like a torch tensor
        def __init__(self, a):
            self.a = a
            self.detached = False

        def detach(self):
            self.detached = True
            return self

        def __array__(self, dtype=None, copy=None):
            return np.asarray(self.a, dtype=dtype)

    Q = [[1, 0], [0, 2]]
    K = np.array([[1, 1], [2, 0], [0, 1]], dtype=np.float32)
    t = Tensorish(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
    r = attention(Q, K, t, score="dot")
    assert t.detached
    assert r.scores.dtype == r.weights.dtype == r.output.dtype == np.float64
    ref = attention(np.array(Q, float), K.astype(float), np.asarray(t.a), score="dot")
    np.testing.assert_array_equal(r.weights, ref.weights)


def test_scaled_dot_equals_dot_at_temperature_sqrt_d():
    Q, K = rng.normal(size=(4, 9)), rng.normal(size=(6, 9))
    a = attention(Q, K, score="scaled_dot").weights
    b = attention(Q, K, score="dot", temperature=3.0).weights
    np.testing.assert_allclose(a, b, rtol=0, atol=TOL)


def test_concat_with_stacked_W_equals_additive():
    Q, K = rng.normal(size=(3, 4)), rng.normal(size=(5, 2))
    p = init_params("additive", 4, 2, hidden=7, seed=5)
    concat = {"W": np.hstack([p["W"], p["U"]]), "v": p["v"]}
    a = attention(Q, K, score="additive", params=p)
    c = attention(Q, K, score="concat", params=concat)
    np.testing.assert_allclose(a.scores, c.scores, rtol=0, atol=TOL)
    np.testing.assert_allclose(a.weights, c.weights, rtol=0, atol=TOL)


@pytest.mark.parametrize("score", SCORES)
def test_batch_dims_equal_a_loop_over_items(score):
    Q, K, V = rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(3, 6, 5)), rng.normal(size=(3, 6, 2))
    r = attention(Q, K, V, score=score)
    assert r.weights.shape == (2, 3, 4, 6) and r.output.shape == (2, 3, 4, 2)
    for b in range(2):
        for h in range(3):
            one = attention(Q[b, h], K[h], V[h], score=score)
            np.testing.assert_allclose(r.weights[b, h], one.weights, rtol=0, atol=TOL)
            np.testing.assert_allclose(r.output[b, h], one.output, rtol=0, atol=TOL)


def test_mask_gives_exact_zeros_and_fully_masked_rows_are_zero():
    Q, K = rng.normal(size=(3, 4)), rng.normal(size=(4, 4))
    mask = np.array([[1, 1, 0, 0], [0, 0, 0, 0], [1, 0, 1, 1]], dtype=bool)
    r = attention(Q, K, score="dot", mask=mask)
    assert np.all(r.weights[~mask] == 0.0)
    np.testing.assert_array_equal(r.weights[1], np.zeros(4))
    np.testing.assert_array_equal(r.output[1], np.zeros(4))
    assert not np.isnan(r.weights).any()
    np.testing.assert_allclose(r.weights[[0, 2]].sum(-1), 1.0, atol=TOL)
    _, A, out = loop_attention("dot", Q, K, K, {}, mask=mask)
    np.testing.assert_allclose(r.weights, A, atol=TOL)
    np.testing.assert_allclose(r.output, out, atol=TOL)


def test_causal_mask_broadcasts_over_heads():
    Q = rng.normal(size=(2, 4, 3))
    causal = np.tril(np.ones((4, 4), dtype=bool))
    r = attention(Q, Q, score="scaled_dot", mask=causal)
    assert np.all(r.weights[:, ~causal] == 0)
    np.testing.assert_allclose(r.weights[:, 0, 0], 1.0)


def test_softmax_is_stable_for_huge_scores_and_temperature_divides():
    s = np.array([[1e300, 1e300 - 1e285, -1e300], [-1e308, 1e308, 0.0]])
    w = softmax(s)
    assert np.isfinite(w).all()
    np.testing.assert_allclose(w.sum(-1), 1.0)
    np.testing.assert_array_equal(w[1], [0.0, 1.0, 0.0])
    x = np.array([[0.5, 1.5, -2.0]])
    for t in (0.1, 1.0, 7.0):
        e = np.exp(x / t)
        np.testing.assert_allclose(softmax(x, temperature=t), e / e.sum(), atol=TOL)


def test_attention_with_large_magnitude_inputs_stays_finite():
    Q = np.array([[1e150, 0.0]])
    K = np.array([[1e150, 0.0], [0.0, 1e150], [-1e150, 0.0]])
    r = attention(Q, K, score="dot")
    np.testing.assert_array_equal(r.weights, [[1.0, 0.0, 0.0]])


def test_additive_works_in_chunks_within_the_budget(monkeypatch):
    monkeypatch.setattr(engine_module, "CHUNK_BUDGET_BYTES", 5 * 7 * 8 * 8)  # 5 queries a chunk
    Q, K = rng.normal(size=(23, 3)), rng.normal(size=(7, 3))
    p = init_params("additive", 3, 3, hidden=8)
    r = attention(Q, K, score="additive", params=p)
    _, A, _ = loop_attention("additive", Q, K, K, p)
    np.testing.assert_allclose(r.weights, A, atol=TOL)


def test_additive_peak_memory_is_bounded_at_4096():
    import tracemalloc

    Q = rng.normal(size=(4096, 16))
    K = rng.normal(size=(4096, 16))
    tracemalloc.start()
    attention(Q, K, score="additive")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    results = 3 * 4096 * 4096 * 8  # scores, weights and one softmax temporary
    assert peak < results + CHUNK_BUDGET_BYTES + 16 * 2**20
    naive = 4096 * 4096 * engine_module.DEFAULT_HIDDEN * 8
    assert peak < naive


# --- properties ----------------------------------------------------------------------------

finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False)


@st.composite
def problems(draw):
    m, n, d = draw(st.integers(1, 5)), draw(st.integers(1, 6)), draw(st.integers(1, 4))
    Q = draw(arrays(np.float64, (m, d), elements=finite))
    K = draw(arrays(np.float64, (n, d), elements=finite))
    score = draw(st.sampled_from(SCORES))
    return Q, K, score


@settings(max_examples=60, deadline=None)
@given(problems())
def test_rows_sum_to_one_and_weights_are_nonnegative(prob):
    Q, K, score = prob
    w = attention(Q, K, score=score).weights
    assert (w >= 0).all()
    np.testing.assert_allclose(w.sum(-1), 1.0, atol=TOL)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (3, 5), elements=finite), st.floats(-1e3, 1e3))
def test_softmax_shift_invariance(s, c):
    np.testing.assert_allclose(softmax(s + c), softmax(s), atol=TOL)


@settings(max_examples=60, deadline=None)
@given(problems(), st.randoms(use_true_random=False))
def test_permuting_keys_permutes_weights(prob, rnd):
    Q, K, score = prob
    perm = list(range(len(K)))
    rnd.shuffle(perm)
    a = attention(Q, K, score=score).weights
    b = attention(Q, K[perm], score=score).weights
    np.testing.assert_allclose(b, a[:, perm], atol=TOL)


# --- bad input -----------------------------------------------------------------------------

Q2, K2 = np.ones((2, 3)), np.ones((4, 3))


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        (
            dict(queries=np.ones((2, 3)), keys=np.ones((4, 5)), score="dot"),
            ["queries", "keys", "d_q=3", "d_k=5"],
        ),
        (dict(queries=Q2, keys=np.ones((4, 5)), score="scaled_dot"), ["same width"]),
        (dict(queries=Q2, keys=K2, values=np.ones((3, 2))), ["values", "4 rows", "3"]),
        (dict(queries=[[1.0, np.nan, 0.0]], keys=K2), ["queries", "NaN", "(0, 1)"]),
        (dict(queries=Q2, keys=[[0, 0, 0], [0, np.inf, 0]]), ["keys", "inf", "(1, 1)"]),
        (dict(queries=Q2, keys=K2, values=np.full((4, 2), -np.inf)), ["values", "inf"]),
        (dict(queries=Q2, keys=np.ones((0, 3))), ["keys", "at least one key"]),
        (dict(queries=[1.0, 2.0, 3.0], keys=K2), ["queries", "2-D", "(3,)"]),
        (dict(queries=Q2, keys=[1.0, 2.0, 3.0]), ["keys", "2-D"]),
        (dict(queries=[[1, 2, 3], [1, 2]], keys=K2), ["queries", "rectangular"]),
        (dict(queries=[["a", "b", "c"]], keys=K2), ["queries", "real numbers"]),
        (dict(queries=np.ones((1, 3), complex), keys=K2), ["queries", "real numbers", "complex"]),
        (dict(queries=Q2, keys=K2, score="cosine"), ["score", "'dot'", "'additive'", "'cosine'"]),
        (dict(queries=Q2, keys=K2, temperature=0), ["temperature", "positive"]),
        (dict(queries=Q2, keys=K2, temperature=-1.0), ["temperature"]),
        (dict(queries=Q2, keys=K2, temperature=float("nan")), ["temperature", "finite"]),
        (dict(queries=Q2, keys=K2, temperature=float("inf")), ["temperature", "finite"]),
        (dict(queries=Q2, keys=K2, temperature="hot"), ["temperature", "str"]),
        (dict(queries=Q2, keys=K2, mask=np.ones((3, 4), bool)), ["mask", "(3, 4)", "(2, 4)"]),
        (dict(queries=Q2, keys=K2, mask=[["x"] * 4] * 2), ["mask", "booleans"]),
        (
            dict(queries=Q2, keys=K2, score="general", params={"W": np.ones((3, 2))}),
            ["params['W']", "(d_q, d_k)", "(3, 3)", "(3, 2)"],
        ),
        (dict(queries=Q2, keys=K2, score="general", params={}), ["params", "missing W"]),
        (
            dict(
                queries=Q2,
                keys=K2,
                score="additive",
                params={"W": np.ones((4, 3)), "U": np.ones((5, 3)), "v": np.ones(4)},
            ),
            ["params['U']", "(h, d_k)"],
        ),
        (
            dict(
                queries=Q2,
                keys=K2,
                score="additive",
                params={"W": np.ones((4, 3)), "U": np.ones((4, 3)), "v": np.ones(3)},
            ),
            ["params['v']", "(h,)"],
        ),
        (
            dict(
                queries=Q2, keys=K2, score="concat", params={"W": np.ones((4, 3)), "v": np.ones(4)}
            ),
            ["params['W']", "(h, d_q + d_k)", "(4, 6)"],
        ),
        (dict(queries=Q2, keys=K2, score="concat", params={"W": np.ones((4, 6))}), ["missing v"]),
        (dict(queries=Q2, keys=K2, score="dot", params={"W": np.ones((3, 3))}), ["unexpected W"]),
        (
            dict(queries=Q2, keys=K2, score="general", params={"W": np.full((3, 3), np.nan)}),
            ["params['W']", "NaN"],
        ),
        (
            dict(queries=np.full((1, 3), 1e200), keys=np.full((1, 3), 1e200), score="dot"),
            ["scores", "overflow"],
        ),
    ],
)
def test_bad_input_names_the_argument(kwargs, words):
    with pytest.raises(ValueError) as err:
        attention(**kwargs)
    for w in words:
        assert w in str(err.value), (w, str(err.value))


def test_init_params_bad_arguments():
    with pytest.raises(ValueError, match="score must be one of"):
        init_params("cos", 2, 2)
    with pytest.raises(ValueError, match="d_q must be a positive integer"):
        init_params("general", 0, 2)
    with pytest.raises(ValueError, match="hidden must be a positive integer"):
        init_params("additive", 2, 2, hidden=0)
