"""The parity fixtures shared with the JS engine (js/tests/parity.test.ts)."""

from __future__ import annotations

import json
import pathlib
import sys

import numpy as np

from attnwidget import attention

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIXTURES))

import make_parity  # noqa: E402


def test_committed_fixture_is_what_the_engine_writes_today():
    assert (FIXTURES / "parity.json").read_text() == make_parity.render(), (
        "tests/fixtures/parity.json is stale: run python tests/fixtures/make_parity.py"
    )


def test_engine_reproduces_every_fixture_case():
    doc = json.loads((FIXTURES / "parity.json").read_text())
    assert len(doc["cases"]) >= 30
    tol = doc["tolerance"]
    for case in doc["cases"]:
        r = attention(
            case["Q"],
            case["K"],
            case["V"],
            score=case["score"],
            params={k: np.array(v) for k, v in case["params"].items()},
            mask=case["mask"],
            temperature=case["temperature"],
        )
        exp = case["expected"]
        assert np.abs(r.weights - np.array(exp["weights"])).max() <= tol, case["name"]
        assert np.abs(r.output - np.array(exp["output"])).max() <= tol, case["name"]
        scale = np.maximum(1.0, np.abs(np.array(exp["scores"])))
        assert (np.abs(r.scores - np.array(exp["scores"])) / scale).max() <= tol, case["name"]
