"""Smoke tests: the widget renders and talks to its kernel in Notebook 7 and in Voila."""

from __future__ import annotations

import numpy as np
import pytest
from harness import (
    NOTEBOOK,
    WEIGHT_CELLS,
    expect,
    expect_active_score,
    expect_numbers,
    kernel_exec,
    open_notebook,
    run_all,
    settled_state,
    widget_root,
)

from attnwidget import AttentionWidget

pytestmark = pytest.mark.browser


def test_notebook7_click_reaches_the_kernel(tab, notebook7):
    open_notebook(tab, notebook7, NOTEBOOK)
    run_all(tab)
    expect(widget_root(tab)).to_be_visible(timeout=30_000)
    settled_state(tab)

    tab.locator('button[data-score="dot"]').click()
    expect_active_score(tab, "dot")
    assert settled_state(tab)["score"] == "dot"
    assert kernel_exec(tab, "print(w.score)").strip() == "dot"


def test_voila_toggle_shows_the_dot_product_weights(tab, voila):
    tab.goto(voila.url("/"))
    root = widget_root(tab)
    expect(root).to_be_visible(timeout=60_000)
    expect(root).to_have_attribute("data-state", "ready")
    expect_numbers(tab, WEIGHT_CELLS, np.ravel(AttentionWidget().weights))

    tab.locator('button[data-score="dot"]').click()
    expect_active_score(tab, "dot")
    expect(root).to_have_attribute("data-state", "ready", timeout=15_000)
    expect_numbers(tab, WEIGHT_CELLS, np.ravel(AttentionWidget(score="dot").weights))
