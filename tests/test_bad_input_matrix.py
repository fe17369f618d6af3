"""The bad-input matrix: every public entry point x every kind of bad value.

Each cell: a clear error that names the argument, and (for the widget) the previous state
intact. Tiny values (1e-308) are not bad: they must work.
"""

from __future__ import annotations

import numpy as np
import pytest
import traitlets

from attnwidget import AttentionHeads, AttentionWidget, attention
from attnwidget.cli import main

GOOD_Q, GOOD_K = np.ones((3, 4)), np.eye(6, 4)

BAD_MATRICES = {
    "nan": (np.full((3, 4), np.nan), "must be finite"),
    "inf": (np.full((3, 4), np.inf), "must be finite"),
    "rank-1": (np.ones(4), "2-D"),
    "rank-0": (np.float64(1.0), "2-D"),
    "zero-width": (np.ones((3, 0)), "width >= 1"),
    "ragged": ([[1.0, 2.0, 3.0, 4.0], [1.0]], "rectangular"),
    "strings": ([["a", "b", "c", "d"]] * 3, "real numbers"),
    "objects": (np.array([[object()] * 4] * 3, dtype=object), "rectangular array of numbers"),
    "complex": (np.ones((3, 4), dtype=complex), "real numbers"),
    "text": ("not an array", "real numbers"),
}
HUGE = np.full((3, 4), 1e308)
TINY = np.full((3, 4), 1e-308)


def engine_call(name, value):
    kwargs = {"queries": GOOD_Q, "keys": GOOD_K, "values": None}
    kwargs[name] = value
    return attention(**kwargs, score="dot")


@pytest.mark.parametrize("kind", list(BAD_MATRICES))
@pytest.mark.parametrize("name", ["queries", "keys", "values"])
def test_engine(name, kind):
    value, words = BAD_MATRICES[kind]
    if name != "queries" and isinstance(value, np.ndarray) and value.shape == (3, 4):
        value = np.resize(value, (6, 4))  # as many rows as the keys, so only the values are bad
    if name == "keys" and kind == "zero-width":
        value, words = np.ones((6, 0)), "width >= 1"
    with pytest.raises(ValueError) as err:
        engine_call(name, value)
    message = str(err.value)
    assert message.startswith(name) and words in message, message


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("name", ["queries", "keys", "values"])
@pytest.mark.parametrize("score", ["dot", "general", "scaled_dot", "concat", "additive"])
def test_engine_refuses_one_non_finite_value_with_every_score(score, name, bad):
    # one bad number, not a whole bad matrix: tanh(inf) = 1 would hide it in concat/additive
    kwargs = {"queries": GOOD_Q.copy(), "keys": GOOD_K.copy(), "values": GOOD_K.copy()}
    kwargs[name][1, 2] = bad
    with pytest.raises(ValueError) as err:
        attention(**kwargs, score=score)
    message = str(err.value)
    assert message.startswith(name) and "must be finite" in message and "(1, 2)" in message, message


@pytest.mark.parametrize("kind", list(BAD_MATRICES))
@pytest.mark.parametrize("name", ["Q", "K", "V"])
def test_widget_constructor(name, kind):
    value, words = BAD_MATRICES[kind]
    args = {"Q": GOOD_Q, "K": GOOD_K, "V": None, name: value}
    with pytest.raises((ValueError, traitlets.TraitError)) as err:
        AttentionWidget(args["Q"], args["K"], args["V"])
    assert name in str(err.value), str(err.value)


@pytest.mark.parametrize("kind", list(BAD_MATRICES))
@pytest.mark.parametrize("name", ["Q", "K", "V"])
def test_widget_traits_keep_their_state(name, kind):
    value, _ = BAD_MATRICES[kind]
    w = AttentionWidget(GOOD_Q, GOOD_K, query_tokens=["a", "b", "c"])
    before = (w.Q.copy(), w.K.copy(), w.V, w.weights.copy(), list(w.query_tokens))
    with pytest.raises((ValueError, traitlets.TraitError)) as err:
        setattr(w, name, value)
    assert name in str(err.value)
    np.testing.assert_array_equal(w.Q, before[0])
    np.testing.assert_array_equal(w.K, before[1])
    assert w.V is None
    np.testing.assert_array_equal(w.weights, before[3])
    assert w.query_tokens == before[4]


def test_huge_values_work_until_the_scores_overflow_then_say_so():
    r = attention(HUGE, GOOD_K, score="dot")  # scores of 1e308 are finite: fine
    assert np.isfinite(r.weights).all()
    with pytest.raises(ValueError, match="scores overflow float64.*queries and keys"):
        attention(HUGE, np.full((6, 4), 1e308), score="dot")
    w = AttentionWidget(GOOD_Q, np.full((6, 4), 1e300))
    with pytest.raises(ValueError, match="overflow"):
        w.Q = HUGE
    np.testing.assert_array_equal(w.Q, GOOD_Q)


def test_tiny_values_work():
    r = attention(TINY, GOOD_K, score="dot")
    np.testing.assert_allclose(r.weights, 1 / 6)
    w = AttentionWidget(TINY, GOOD_K)
    assert np.isfinite(w.weights).all()


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("query_tokens", ["a"], "query_tokens must have one token per query"),
        ("query_tokens", [1, 2, 3], "query_tokens[0] must be a string"),
        ("key_tokens", None, "key_tokens must be a list of strings"),
        ("key_tokens", "abcdef", "key_tokens must be a list of strings"),
        ("mask", np.ones((3, 5), bool), "mask"),
        ("mask", np.full((3, 6), 2), "mask must hold booleans"),
        ("mask", np.ones((3, 6), complex), "mask must hold booleans"),
        ("params", {"W": np.ones(3)}, "params"),
        ("score", "cosine", "score must be one of"),
        ("score", 3, "score"),
        ("temperature", 0, "temperature"),
        ("temperature", float("inf"), "temperature"),
        ("temperature", "2", "temperature"),
        ("temperature", True, "temperature"),
    ],
)
def test_widget_other_traits(name, value, words):
    w = AttentionWidget(GOOD_Q, GOOD_K, score="general" if name == "params" else "dot")
    before = {
        n: getattr(w, n) for n in ("query_tokens", "key_tokens", "mask", "score", "temperature")
    }
    weights = w.weights.copy()
    with pytest.raises((ValueError, traitlets.TraitError)) as err:
        setattr(w, name, value)
    assert words in str(err.value), str(err.value)
    for n, v in before.items():
        assert getattr(w, n) is v or getattr(w, n) == v
    np.testing.assert_array_equal(w.weights, weights)


@pytest.mark.parametrize("kind", list(BAD_MATRICES))
def test_from_weights(kind):
    value, _ = BAD_MATRICES[kind]
    with pytest.raises((ValueError, traitlets.TraitError)) as err:
        AttentionHeads(value, ["a", "b", "c", "d"], query_tokens=["a", "b", "c"])
    assert "weights" in str(err.value)


@pytest.mark.parametrize("title", [3, b"bytes", ["a"]])
def test_to_html_title(title, tmp_path):
    with pytest.raises(TypeError, match="title must be a string"):
        AttentionWidget().to_html(tmp_path / "p.html", title=title)
    assert not (tmp_path / "p.html").exists()


@pytest.mark.parametrize("kind", ["nan", "rank-1", "complex", "zero-width"])
def test_cli_export(kind, tmp_path, capsys):
    value, _ = BAD_MATRICES[kind]
    src = tmp_path / "a.npz"
    np.savez(src, queries=value, keys=GOOD_K)
    with pytest.raises(SystemExit) as exit_:
        main(["export", str(src), "--out", str(tmp_path / "p.html")])
    assert exit_.value.code == 2
    assert "Q" in capsys.readouterr().err
