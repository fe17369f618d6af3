"""Editing keys and values in a real browser (issue 16, item 3): in JupyterLab against the
kernel, and on a to_html page with the JS engine.

A key point ``[data-key-point=j]`` dragged or moved by an arrow key changes row j of ``w.K``
(only it); a number typed in ``input[data-value-row=j][data-dim=c]`` changes ``w.V`` (None
before: V becomes K's copy with that entry). After each, the weights table shows the numpy
engine's weights for the kernel's (or the page's) inputs within 1e-9."""

from __future__ import annotations

import numpy as np
import pytest
from harness import (
    WEIGHT_CELLS,
    engine_weights,
    expect,
    expect_numbers,
    kernel_inputs,
    open_offline,
    read_numbers,
    settled_state,
    widget_root,
)
from test_lab import drag, show_widget

from attnwidget import AttentionWidget, attention

pytestmark = pytest.mark.browser

_FREE_KEY = """(n) => {
    for (let j = 0; j < n; j++) {
        const g = document.querySelector(`[data-key-point="${j}"]`);
        const r = g.getBoundingClientRect();
        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        if (hit && hit.closest('[data-key-point]') === g) return j;
    }
    return -1;
}"""


def expect_engine(page, x: dict) -> None:
    """The kernel's results and the page's weights table are the numpy engine's (1e-9)."""
    V, mask = x["V"], x["mask"]
    r = attention(
        np.asarray(x["Q"]), np.asarray(x["K"]), None if V is None else np.asarray(V),
        score=x["score"], params={n: np.asarray(a) for n, a in x["param_sets"][x["score"]].items()},
        mask=None if mask is None else np.asarray(mask, bool), temperature=x["temperature"],
    )  # fmt: skip
    np.testing.assert_allclose(x["weights"], r.weights, rtol=0, atol=1e-12)
    np.testing.assert_allclose(x["output"], r.output, rtol=0, atol=1e-12)
    expect_numbers(page, WEIGHT_CELLS, engine_weights(x, x["Q"], x["score"]).ravel(), abs_tol=1e-9)


def free_key(page, n: int) -> int:
    """A key point that no query point covers (a press on its middle takes it)."""
    j = page.evaluate(_FREE_KEY, n)
    assert j >= 0, "every key point is covered by a query point"
    return j


def only_row_changed(before, after, j: int) -> None:
    b, a = np.asarray(before), np.asarray(after)
    assert np.abs(a[j] - b[j]).max() > 1e-6, f"row {j} did not move"
    np.testing.assert_array_equal(np.delete(a, j, 0), np.delete(b, j, 0))


def test_dragging_a_key_and_typing_a_value_change_w_K_and_w_V_in_the_kernel(tab, lab):
    show_widget(tab, lab)
    start = kernel_inputs(tab)
    n = len(start["K"])
    assert start["V"] is None  # the example: the values are the keys
    expect(tab.locator("[data-key-point]")).to_have_count(n)

    # the mouse: a key dragged
    j = free_key(tab, n)
    drag(tab, tab.locator(f'[data-key-point="{j}"]'), dx=30, dy=-25)
    settled_state(tab)
    dragged = kernel_inputs(tab)
    assert dragged["error"] == ""
    only_row_changed(start["K"], dragged["K"], j)
    assert not np.allclose(dragged["weights"], start["weights"], atol=1e-9)
    expect_engine(tab, dragged)

    # the keyboard: key point 0 moved by ArrowLeft
    tab.locator('[data-key-point="0"]').focus()
    tab.keyboard.press("ArrowLeft")
    settled_state(tab)
    moved = kernel_inputs(tab)
    only_row_changed(dragged["K"], moved["K"], 0)
    expect_engine(tab, moved)

    # a key typed, then a value: V None becomes K's copy with that value
    card = tab.locator('[data-card="keys"]')
    expect(card.locator('[data-role="values-note"]')).to_contain_text("values are the keys")
    key_input = card.locator('input[data-key="2"][data-dim="1"]')
    key_input.fill("1.25")
    key_input.press("Enter")
    settled_state(tab)
    typed = kernel_inputs(tab)
    assert typed["K"][2][1] == 1.25
    expect_engine(tab, typed)
    value = card.locator('input[data-value-row="1"][data-dim="0"]')
    value.fill("-0.75")
    value.press("Enter")
    settled_state(tab)
    valued = kernel_inputs(tab)
    V = np.array(typed["K"])
    V[1, 0] = -0.75
    np.testing.assert_array_equal(valued["V"], V)
    np.testing.assert_array_equal(valued["weights"], typed["weights"])  # values: output only
    assert not np.allclose(valued["output"], typed["output"])
    expect_engine(tab, valued)
    expect(card.locator('[data-role="values-note"]')).to_be_hidden()

    # bad text: the inline error, nothing sent
    value.fill("1,5")
    value.press("Enter")
    expect(card.locator('[data-view="value-editor"] [data-role="input-error"]')).to_be_visible()
    expect(value).to_have_attribute("aria-invalid", "true")
    assert kernel_inputs(tab)["V"] == valued["V"]


def test_on_a_to_html_page_keys_and_values_are_edited_with_the_js_engine(tab, tmp_path):
    rng = np.random.default_rng(8)
    w = AttentionWidget(rng.normal(size=(3, 2)), rng.normal(size=(5, 2)), score="additive")
    path = tmp_path / "keys.html"
    w.to_html(path)
    assert open_offline(tab, path) == []
    root = widget_root(tab)
    expect(root).to_have_attribute("data-state", "ready")
    x = {"Q": w.Q, "K": w.K, "V": None, "mask": None, "temperature": 1.0,
         "param_sets": dict(w.param_sets)}  # fmt: skip

    def page_matrix(attr: str, shape: tuple[int, int]) -> np.ndarray:
        sel = f'[data-card="keys"] input[{attr}][data-dim]'
        return np.array(read_numbers(tab, sel), dtype=float).reshape(shape)

    j = free_key(tab, 5)
    drag(tab, tab.locator(f'[data-key-point="{j}"]'), dx=-25, dy=20)
    expect(root).to_have_attribute("data-state", "ready")
    K = page_matrix("data-key", w.K.shape)
    only_row_changed(w.K, K, j)
    x["K"] = K
    expect_numbers(tab, WEIGHT_CELLS, engine_weights(x, w.Q, "additive").ravel(), abs_tol=1e-9)

    tab.locator('[data-key-point="1"]').focus()
    tab.keyboard.press("ArrowUp")
    expect(root).to_have_attribute("data-state", "ready")
    K2 = page_matrix("data-key", w.K.shape)
    only_row_changed(K, K2, 1)
    x["K"] = K2
    expect_numbers(tab, WEIGHT_CELLS, engine_weights(x, w.Q, "additive").ravel(), abs_tol=1e-9)

    value = tab.locator('input[data-value-row="4"][data-dim="1"]')
    value.fill("3.5")
    value.press("Enter")
    expect(root).to_have_attribute("data-state", "ready")
    V = page_matrix("data-value-row", w.K.shape)
    want = K2.copy()
    want[4, 1] = 3.5
    np.testing.assert_array_equal(V, want)
    x["V"] = V
    expect_numbers(tab, WEIGHT_CELLS, engine_weights(x, w.Q, "additive").ravel(), abs_tol=1e-9)
