"""The comparison view in a real browser (issue 16, item 1): the selected query's weights under
every score function, in JupyterLab against the kernel and on a to_html page with the JS engine.

Each row ``[data-compare-score=NAME]`` must show, key by key (``[data-value]``), the numpy
engine's weights of the selected query under NAME with the widget's own parameter set for NAME,
within 1e-9, after the query was moved by the keyboard or dragged."""

from __future__ import annotations

import numpy as np
import pytest
from harness import (
    engine_weights,
    exact_q,
    expect,
    expect_active_score,
    expect_numbers,
    kernel_inputs,
    open_offline,
    settled_state,
    widget_root,
)
from test_lab import drag, show_widget

from attnwidget import SCORES, AttentionWidget

pytestmark = pytest.mark.browser

def _row(score: str) -> str:
    return f'[data-view="compare"] [data-compare-score="{score}"] [data-value]'


def expected_rows(inputs: dict) -> dict[str, np.ndarray]:
    """The numpy engine's weights of the selected query under every score function."""
    return {s: engine_weights(inputs, inputs["Q"], s)[inputs["selected"]] for s in SCORES}


def expect_rows(page, rows: dict[str, np.ndarray]) -> None:
    """Every row shows the engine's weights, in key order, within 1e-9."""
    expect(page.locator('[data-view="compare"] [data-compare-score]')).to_have_count(len(SCORES))
    for s in SCORES:
        expect_numbers(page, _row(s), rows[s], order_by="data-key", abs_tol=1e-9)


def test_moving_a_query_updates_every_score_row_to_the_kernels_engine(tab, lab):
    show_widget(tab, lab)
    view = tab.locator('[data-view="compare"]')
    expect(view).to_be_visible()
    expect(view.locator('[data-compare-score][aria-current="true"]')).to_have_attribute(
        "data-compare-score", "scaled_dot"
    )
    start = kernel_inputs(tab)
    first = expected_rows(start)
    expect_rows(tab, first)
    assert len({tuple(np.round(r, 12)) for r in first.values()}) == 5  # five different rows

    # the keyboard: query point 0 moved by ArrowRight (query 0 is the selected one)
    tab.locator('[data-query-point="0"]').focus()
    tab.keyboard.press("ArrowRight")
    settled_state(tab)
    moved = kernel_inputs(tab)
    assert moved["Q"][0] != start["Q"][0], "the arrow key did not move query 0"
    rows = expected_rows(moved)
    for s in SCORES:
        assert not np.allclose(rows[s], first[s], atol=1e-9), s
    expect_rows(tab, rows)

    # the mouse: query point 0 dragged
    drag(tab, tab.locator('[data-query-point="0"]'), dx=-35, dy=25)
    settled_state(tab)
    dragged = kernel_inputs(tab)
    assert dragged["Q"][0] != moved["Q"][0], "the drag did not move query 0"
    expect_rows(tab, expected_rows(dragged))

    # a row's button makes its score the active one, in the kernel too
    view.locator('[data-compare-score="concat"] button').click()
    expect_active_score(tab, "concat")
    state = settled_state(tab)
    assert state["score"] == "concat"
    expect(view.locator('[data-compare-score][aria-current="true"]')).to_have_attribute(
        "data-compare-score", "concat"
    )
    expect_rows(tab, expected_rows(kernel_inputs(tab)))


def test_on_a_to_html_page_the_rows_follow_the_query_with_the_js_engine(tab, tmp_path):
    rng = np.random.default_rng(5)
    mask = np.ones((3, 6), bool)
    mask[0, 4] = False
    w = AttentionWidget(
        rng.normal(size=(3, 2)), rng.normal(size=(6, 2)), score="additive", mask=mask,
        temperature=0.7,
    )  # fmt: skip
    path = tmp_path / "compare.html"
    w.to_html(path)
    assert open_offline(tab, path) == []
    root = widget_root(tab)
    expect(root).to_have_attribute("data-state", "ready")
    inputs = {
        "Q": w.Q, "K": w.K, "V": w.V, "mask": w.mask, "temperature": w.temperature,
        "selected": 0, "param_sets": dict(w.param_sets),
    }  # fmt: skip
    rows = expected_rows(inputs)
    expect_rows(tab, rows)
    assert all(rows[s][4] == 0 for s in SCORES)  # the masked key
    expect(root.locator('[data-compare-score="additive"]')).to_have_attribute(
        "aria-current", "true"
    )

    tab.locator('[data-query-point="0"]').focus()
    tab.keyboard.press("ArrowRight")
    expect(root).to_have_attribute("data-state", "ready")
    Q = np.array(exact_q(tab, w.Q.shape))
    assert np.abs(Q[0] - w.Q[0]).max() > 1e-3, "the arrow key did not move query 0"
    moved = expected_rows({**inputs, "Q": Q})
    for s in SCORES:
        assert not np.allclose(moved[s], rows[s], atol=1e-9), s
    expect_rows(tab, moved)
