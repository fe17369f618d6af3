"""The protocol fixtures (tests/fixtures/protocol_cases.json) replayed on the Python widget.

js/tests/protocol.test.ts replays the same cases on the local kernel of exported pages.
"""

from __future__ import annotations

import base64
import gzip
import json
import pathlib
import sys

import numpy as np
import pytest

from attnwidget import AttentionWidget
from attnwidget.wire.codec import array_from_json

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIXTURES))

import make_protocol_cases  # noqa: E402

DOC = json.loads((FIXTURES / "protocol_cases.json").read_text())


def widget_from_page(page: dict) -> AttentionWidget:
    """The widget an exported page's state describes (its arrays decoded from base64)."""
    state = json.loads(json.dumps(page["state"]))
    for entry in page["buffers"]:
        raw = base64.b64decode(entry["data"])
        if entry.get("encoding") == "gzip":
            raw = gzip.decompress(raw)
        node = state
        *path, last = entry["path"]
        for key in path:
            node = node[key]
        node[last] = memoryview(raw)
    arrays = {n: array_from_json(state[n]) for n in ("Q", "K", "V", "mask")}
    return AttentionWidget(
        arrays["Q"],
        arrays["K"],
        arrays["V"],
        query_tokens=state["query_tokens"],
        key_tokens=state["key_tokens"],
        score=state["score"],
        params={k: array_from_json(v) for k, v in state["params"].items()},
        mask=arrays["mask"],
        temperature=state["temperature"],
    )


def close(actual, expected, tol: float) -> bool:
    if expected is None or isinstance(expected, (str, bool, int)):
        return actual == expected
    a, e = np.asarray(actual, float), np.asarray(expected, float)
    return a.shape == e.shape and bool((np.abs(a - e) <= tol * np.maximum(1.0, np.abs(e))).all())


@pytest.mark.parametrize("case", DOC["cases"], ids=lambda c: c["name"])
def test_the_widget_answers_every_step_as_recorded(case):
    w = widget_from_page(case["page"])
    for i, step in enumerate(case["steps"], start=1):
        w.set_state({**make_protocol_cases._edit_to_wire(step["edit"]), "edit_id": i})
        held = {
            **make_protocol_cases.held(w),
            "patch_rows": make_protocol_cases.patch_rows(w),
            "patch_keys": make_protocol_cases.patch_keys(w),
        }
        for name, expected in step["expect"].items():
            assert close(held[name], expected, DOC["tolerance"]), (case["name"], i, name)


def test_the_cases_cover_good_refused_and_patched_edits():
    steps = [s["expect"] for c in DOC["cases"] for s in c["steps"]]
    assert any(s["error"] for s in steps) and any(not s["error"] for s in steps)
    assert any(s["patch_rows"] for s in steps) and any(s["patch_rows"] is None for s in steps)
    assert any(s["patch_keys"] for s in steps)


def test_the_committed_cases_are_what_the_generator_writes_today():
    fresh = json.loads(make_protocol_cases.render())
    assert [c["name"] for c in fresh["cases"]] == [c["name"] for c in DOC["cases"]]
    for new, old in zip(fresh["cases"], DOC["cases"], strict=True):
        assert new["page"]["state"].keys() == old["page"]["state"].keys(), new["name"]
        for a, b in zip(new["steps"], old["steps"], strict=True):
            assert a["edit"] == b["edit"], new["name"]
            for name in b["expect"]:
                assert close(a["expect"][name], b["expect"][name], DOC["tolerance"]), name
