"""The parity fixtures shared with the JS engine (js/tests/parity.test.ts)."""

from __future__ import annotations

import copy
import json
import pathlib
import sys
from typing import Any

import numpy as np

from attnwidget import attention

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIXTURES))

import make_parity  # noqa: E402

STALE = "tests/fixtures/parity.json is stale: run python tests/fixtures/make_parity.py"


def stale_reasons(committed: dict[str, Any], today: dict[str, Any]) -> list[str]:
    """Where the committed fixture is not what the engine writes today.

    Everything but the computed numbers must be identical: the tolerance, the generator, the
    case names in order and every input (Q, K, V, params, mask, temperature; they come from a
    seeded generator and exact arithmetic). The computed numbers must agree within the
    fixture's own tolerance, in the measure of ``make_parity.errors``: their last bits depend
    on the CPU's SIMD and BLAS kernels, so text equality would fail on another machine.
    """
    reasons = []
    head = {k: v for k, v in committed.items() if k != "cases"}
    if head != {k: v for k, v in today.items() if k != "cases"}:
        reasons.append(f"header differs: {head}")
    names = [c["name"] for c in committed["cases"]]
    if names != [c["name"] for c in today["cases"]]:
        return [*reasons, "the cases differ (added, removed, renamed or reordered)"]
    for old, new in zip(committed["cases"], today["cases"], strict=True):
        inputs = [k for k in {*old, *new} if k != "expected"]
        for k in sorted(inputs):
            if old.get(k) != new.get(k):
                reasons.append(f"{old['name']}: input {k} differs")
        if old["expected"].keys() != new["expected"].keys():
            reasons.append(f"{old['name']}: expected holds {sorted(old['expected'])}")
            continue
        for field, err in make_parity.errors(old, **new["expected"]).items():
            if not err <= committed["tolerance"]:
                reasons.append(f"{old['name']}: {field} off by {err:.3g}")
    return reasons


def test_committed_fixture_is_what_the_engine_writes_today():
    committed = json.loads((FIXTURES / "parity.json").read_text())
    today = json.loads(make_parity.render())
    assert stale_reasons(committed, today) == [], STALE


def test_a_stale_fixture_is_caught_and_rounding_is_not():
    today = json.loads(make_parity.render())
    tol = today["tolerance"]
    assert stale_reasons(today, copy.deepcopy(today)) == []

    def changed(edit) -> list[str]:
        doc = copy.deepcopy(today)
        edit(doc["cases"])
        return stale_reasons(doc, today)

    def nudge(cases, name, field, by):
        case = next(c for c in cases if c["name"] == name)
        case["expected"][field][0][0] += by

    # a few ulps, as another CPU's kernels give: still the same fixture. The output of the
    # saturated case is ~6e5 (|V| up to 1.6e6, one ulp 1.2e-10): 1e-8 there is 6e-15 of |V|,
    # rounding, though an absolute 1e-9 would have called it stale.
    assert changed(lambda c: nudge(c, "dot: random 3x5, d=4", "weights", 4e-16)) == []
    assert changed(lambda c: nudge(c, "additive: saturated tanh", "output", 1e-8)) == []
    # a real difference, beyond the tolerance
    assert changed(lambda c: nudge(c, "dot: random 3x5, d=4", "weights", 2 * tol)) == [
        "dot: random 3x5, d=4: weights off by 2e-09"
    ]
    assert changed(lambda c: nudge(c, "additive: saturated tanh", "output", 2e6 * 2 * tol))
    assert changed(lambda c: nudge(c, "dot: scores near 1e300", "scores", 3e291))
    assert changed(lambda c: c[0]["expected"]["weights"][0].append(0.0))
    assert changed(lambda c: nudge(c, "dot: random 3x5, d=4", "output", float("nan")))
    # any change of an input, a name or the list of cases
    assert changed(lambda c: c[3]["Q"][0].__setitem__(0, c[3]["Q"][0][0] + 1e-15))
    assert changed(lambda c: c[0].__setitem__("temperature", 2.0))
    assert changed(lambda c: c[0].__setitem__("name", "renamed"))
    assert changed(lambda c: c.pop())


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
        # within the fixture's tolerance, measured as make_parity.errors says (and why)
        errs = make_parity.errors(case, r.scores, r.weights, r.output)
        assert max(errs.values()) <= tol, (case["name"], errs)
