"""Acceptance: AttentionWidget in JupyterLab, driven by a real Chromium.

Each interaction (toggle a score, type a query value, drag a query point, set a trait from
Python) must reach the kernel, and the page must then show the kernel's weights.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from harness import (
    ARTIFACTS,
    NOTEBOOK,
    REPO_ROOT,
    expect,
    expect_active_score,
    expect_numbers,
    kernel_exec,
    open_notebook,
    run_all,
    settled_state,
    widget_root,
)

pytestmark = pytest.mark.browser

SCREENSHOT = REPO_ROOT / "build" / "screenshots" / "lab-test.png"  # (docs/: make screenshots)
SCREENSHOT_MAX_BYTES = 300_000
TYPED = 0.731  # a value the built-in example does not hold
QUERY_1 = 'input[data-query="1"]'


def show_widget(page, lab):
    """Open the notebook, run it, and wait for the widget to settle; the kernel's state."""
    open_notebook(page, lab, NOTEBOOK)
    run_all(page)
    expect(widget_root(page)).to_be_visible(timeout=30_000)
    return settled_state(page)


def save_screenshot(page) -> None:
    """The widget alone, light theme, into build/screenshots/ (a size check; the pictures in
    docs/ come from `make screenshots`)."""
    expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "true")
    png = widget_root(page).screenshot(animations="disabled", caret="hide")
    assert len(png) < SCREENSHOT_MAX_BYTES, f"widget screenshot is {len(png)} bytes"
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.write_bytes(png)


def drag(page, locator, dx: float, dy: float, steps: int = 6) -> None:
    """Press on the middle of ``locator``, move by (dx, dy) in ``steps`` moves, release."""
    locator.hover()
    box = locator.bounding_box()
    assert box is not None, "the element to drag has no box"
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for k in range(1, steps + 1):
        page.mouse.move(x + dx * k / steps, y + dy * k / steps)
    page.mouse.up()


def test_edits_from_the_page_and_from_python_reach_the_other_side(tab, lab):
    start = show_widget(tab, lab)
    assert start["score"] == "scaled_dot" and start["error"] == ""
    expect_active_score(tab, "scaled_dot")
    save_screenshot(tab)

    # (a) toggle the score function
    tab.locator('button[data-score="additive"]').click()
    expect_active_score(tab, "additive")
    state = settled_state(tab)
    assert state["score"] == "additive"
    assert state["Q"] == start["Q"]
    assert not np.allclose(state["weights"], start["weights"], atol=1e-6)

    # (b) type a query value, Enter
    cell = tab.locator('input[data-query="0"][data-dim="1"]')
    assert float(cell.input_value()) != TYPED
    cell.fill(str(TYPED))
    cell.press("Enter")
    before = state
    state = settled_state(tab)
    assert state["Q"][0][1] == TYPED
    expected_q = [row[:] for row in before["Q"]]
    expected_q[0][1] = TYPED
    assert state["Q"] == expected_q, "only Q[0, 1] may change"
    assert state["score"] == "additive" and state["error"] == ""
    expect(tab.locator('[data-role="error"]')).to_be_hidden()

    # (c) drag query point 1 with the mouse
    before = state
    drag(tab, tab.locator('[data-query-point="1"]'), dx=40, dy=-30)
    state = settled_state(tab)
    assert not np.allclose(state["Q"][1], before["Q"][1]), "the drag did not move Q[1]"
    assert state["Q"][0] == before["Q"][0] and state["Q"][2:] == before["Q"][2:]
    # the query editor shows the kernel's Q[1] (6 significant digits on display)
    expect_numbers(tab, QUERY_1, state["Q"][1], order_by="data-dim", rel_tol=1e-4, abs_tol=1e-9)

    # (d) set the score from Python
    before = state
    kernel_exec(tab, 'w.score = "general"')
    expect_active_score(tab, "general")
    state = settled_state(tab)
    assert state["score"] == "general"
    assert state["Q"] == before["Q"]
    assert not np.allclose(state["weights"], before["weights"], atol=1e-6)

    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=ARTIFACTS / "lab-after-edits.png", full_page=True)


def test_text_that_is_not_a_number_is_refused(tab, lab):
    start = show_widget(tab, lab)
    cell = tab.locator('input[data-query="0"][data-dim="0"]')
    cell.fill("abc")
    cell.press("Enter")

    error = tab.locator('[data-view="editor"] [data-role="input-error"]')  # by the field
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_have_text(re.compile(r"\S"))
    state = settled_state(tab)
    assert state["Q"] == start["Q"], "the kernel's Q changed after a refused edit"
    assert state["weights"] == start["weights"]
