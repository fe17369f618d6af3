"""Faults in a real JupyterLab: a kernel restarted or interrupted under a shown widget."""

from __future__ import annotations

import pytest
from harness import (
    NOTEBOOK,
    WEIGHT_CELLS,
    expect,
    expect_numbers,
    flat,
    kernel_exec,
    kernel_json,
    open_notebook,
    run_all,
)

pytestmark = pytest.mark.browser

KERNEL = "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"


def weights_of_w(page):
    return flat(kernel_json(page, "w.weights.tolist()"))


def test_restart_says_disconnected_keeps_edits_and_rerun_works(tab, lab):
    open_notebook(tab, lab, NOTEBOOK)
    run_all(tab)
    root = tab.locator(".attnwidget")
    expect(root).to_have_attribute("data-state", "ready")
    tab.evaluate(f"{KERNEL}.restart()")
    tab.wait_for_function(f"{KERNEL}.status === 'idle'", timeout=30_000)
    # an edit made now cannot be computed by Python: the view must say so, and keep it
    cell = root.locator('input[data-query="0"][data-dim="0"]')
    cell.fill("1.5")
    cell.press("Enter")
    banner = root.locator('[data-role="connection"]')
    expect(banner).to_be_visible(timeout=15_000)
    assert banner.inner_text().strip()
    expect(root).not_to_have_attribute("data-state", "ready")
    expect(cell).to_have_value("1.5")  # not dropped
    # re-running the cell brings a working widget
    run_all(tab)
    expect(tab.locator(".attnwidget")).to_have_count(1)  # the cell's new output replaced the old
    fresh = tab.locator(".attnwidget")
    expect(fresh).to_have_attribute("data-state", "ready", timeout=30_000)
    fresh.locator('button[data-score="dot"]').click()
    expect(fresh).to_have_attribute("data-state", "ready")
    assert kernel_exec(tab, "print(w.score)").strip() == "dot"
    expect_numbers(tab, WEIGHT_CELLS, weights_of_w(tab))


def test_interrupting_an_idle_kernel_leaves_the_widget_working(tab, lab):
    open_notebook(tab, lab, NOTEBOOK)
    run_all(tab)
    root = tab.locator(".attnwidget")
    expect(root).to_have_attribute("data-state", "ready")
    tab.evaluate(f"{KERNEL}.interrupt()")
    tab.wait_for_function(f"{KERNEL}.status === 'idle'", timeout=30_000)
    root.locator('button[data-score="general"]').click()
    expect(root).to_have_attribute("data-state", "ready")
    assert kernel_exec(tab, "print(w.score)").strip() == "general"
    expect_numbers(tab, WEIGHT_CELLS, weights_of_w(tab))
    expect(root.locator('[data-role="connection"]')).to_be_hidden()
