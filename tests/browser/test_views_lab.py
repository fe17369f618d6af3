"""Two views of one widget with a busy kernel, in a real JupyterLab: one edit queue, both
views pending and then 'waiting for the kernel', every edit of both views reaches Python."""

from __future__ import annotations

import pytest
from harness import expect, flat, kernel_json, run_notebook

pytestmark = pytest.mark.browser

KERNEL = "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"


def type_value(view, i: int, j: int, value: str) -> None:
    cell = view.locator(f'input[data-query="{i}"][data-dim="{j}"]')
    cell.fill(value)
    cell.press("Enter")


def test_two_views_share_one_queue_while_the_kernel_is_busy(tab, lab, notebook_dir):
    run_notebook(
        tab,
        lab,
        notebook_dir,
        "from attnwidget import AttentionWidget\nw = AttentionWidget()\ndisplay(w)\ndisplay(w)",
    )
    views = tab.locator(".attnwidget")
    expect(views).to_have_count(2)
    a, b = views.nth(0), views.nth(1)
    for view in (a, b):
        expect(view).to_have_attribute("data-state", "ready")
    # the kernel runs other code for 4 s: the edits below wait behind it (shell order)
    tab.evaluate(f"() => {{ {KERNEL}.requestExecute({{code: 'import time; time.sleep(4)'}}); }}")
    type_value(a, 0, 0, "7")  # sent
    type_value(a, 1, 1, "8")  # queued
    type_value(b, 0, 1, "9")  # queued with it: B's Q includes A's queued value
    for view in (a, b):
        expect(view).to_have_attribute("data-state", "pending")
        expect(view.locator('input[data-query="1"][data-dim="1"]')).to_have_value("8")
        expect(view.locator('input[data-query="0"][data-dim="1"]')).to_have_value("9")
    for view in (a, b):
        expect(view.locator(".aw-status")).to_have_text("waiting for the kernel (busy)\u2026")
    for view in (a, b):
        expect(view).to_have_attribute("data-state", "ready", timeout=20_000)
        expect(view.locator('[data-role="connection"]')).to_be_hidden()
    q = kernel_json(tab, "w.Q.tolist()")
    assert (q[0][0], q[0][1], q[1][1]) == (7, 9, 8)
    weights = flat(kernel_json(tab, "w.weights.tolist()"))
    for view in (a, b):
        got = view.locator('table[data-view="weights"] td[data-value]').evaluate_all(
            "els => els.map(e => Number(e.getAttribute('data-value')))"
        )
        assert got == pytest.approx(weights, abs=1e-9)
