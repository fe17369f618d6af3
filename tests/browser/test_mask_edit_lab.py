"""The mask editor in a real browser (issue 16, item 4): weights-table cells toggled by the
keyboard, valid lengths beside the causal switch, in JupyterLab against the kernel (``w.mask``
follows) and on a to_html page with the JS engine; the weights equal the numpy engine's."""

from __future__ import annotations

import numpy as np
import pytest
from harness import (
    WEIGHT_CELLS,
    engine_weights,
    expect,
    expect_numbers,
    kernel_json,
    open_offline,
    run_notebook,
    wait_for_kernel,
    widget_root,
)

from attnwidget import AttentionWidget

pytestmark = pytest.mark.browser

M, N = 4, 5
_KERNEL = "{n: (None if getattr(w, n) is None else getattr(w, n).tolist()) for n in ('Q', 'K', 'V', 'mask', 'weights')} | {'temperature': w.temperature, 'param_sets': {s: {n: a.tolist() for n, a in p.items()} for s, p in w.param_sets.items()}}"  # noqa: E501


def cell(page, i: int, j: int):
    return page.locator(f'table[data-view="weights"] td[data-query="{i}"][data-key="{j}"]')


def toggle_by_keyboard(page, i: int, j: int) -> None:
    """From the grid's one tab stop (cell 0, 0), arrows to cell (i, j), then Space."""
    start = page.locator('table[data-view="weights"] td[tabindex="0"]')
    expect(start).to_have_count(1)
    start.focus()
    page.keyboard.press("Home")
    for _ in range(8):  # back to the first row
        page.keyboard.press("ArrowUp")
    for _ in range(i):
        page.keyboard.press("ArrowDown")
    for _ in range(j):
        page.keyboard.press("ArrowRight")
    expect(cell(page, i, j)).to_be_focused()
    page.keyboard.press("Space")


def set_valid_len(page, i: int, text: str) -> None:
    box = page.locator('[data-role="valid-lens"]')
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    page.locator(f'input[data-valid-len="{i}"]').fill(text)


def expect_engine(page, x: dict) -> np.ndarray:
    """The page's weights table shows the numpy engine's weights for ``x``, within 1e-9."""
    want = engine_weights(x, x["Q"], x["score"])
    expect_numbers(page, WEIGHT_CELLS, want.ravel(), abs_tol=1e-9)
    return want


def test_in_jupyterlab_a_keyboard_toggle_and_a_valid_length_reach_w_mask(tab, lab, notebook_dir):
    run_notebook(
        tab,
        lab,
        notebook_dir,
        f"""from attnwidget import AttentionWidget
import numpy as np
rng = np.random.default_rng(4)
w = AttentionWidget(rng.normal(size=({M}, 3)), rng.normal(size=({N}, 3)), score="general")
w""",
    )
    root = widget_root(tab)
    expect(root).to_be_visible(timeout=30_000)
    toggle_by_keyboard(tab, 1, 2)
    want = np.ones((M, N), bool)
    want[1, 2] = False
    assert wait_for_kernel(tab, "None if w.mask is None else w.mask.tolist()", want.tolist()) == (
        want.tolist()
    )
    expect(root).to_have_attribute("data-state", "ready")
    x = {**kernel_json(tab, _KERNEL), "score": "general"}
    assert x["weights"][1][2] == 0.0  # exactly
    engine = expect_engine(tab, x)
    np.testing.assert_allclose(np.array(x["weights"])[1], engine[1], rtol=0, atol=1e-9)
    expect(cell(tab, 1, 2)).to_have_attribute("data-masked", "true")
    expect(cell(tab, 1, 2)).to_have_attribute("aria-label", "0.000, masked")

    # query 3 sees its first 2 keys only (d2l's valid_lens)
    set_valid_len(tab, 3, "2")
    want[3, 2:] = False
    assert wait_for_kernel(tab, "w.mask.tolist()", want.tolist()) == want.tolist()
    expect(root).to_have_attribute("data-state", "ready")
    x = {**kernel_json(tab, _KERNEL), "score": "general"}
    expect_engine(tab, x)
    assert kernel_json(tab, "bool((w.weights[3, 2:] == 0).all())") is True
    expect(tab.locator('input[data-valid-len="1"]')).to_have_value("")  # not a prefix: mixed
    expect(tab.locator('input[data-valid-len="0"]')).to_have_value(str(N))

    # a bad length: said beside the input, the kernel's mask kept
    set_valid_len(tab, 0, "9")
    error = tab.locator('[data-role="valid-lens"] [data-role="input-error"]')
    expect(error).to_be_visible()
    expect(error).to_contain_text(f"must be 0 to {N}")
    assert kernel_json(tab, "w.mask.tolist()") == want.tolist()

    toggle_by_keyboard(tab, 1, 2)  # back on: the kernel follows again
    want[1, 2] = True
    assert wait_for_kernel(tab, "w.mask.tolist()", want.tolist()) == want.tolist()


def test_on_a_to_html_page_the_js_engine_follows_the_mask_edits(tab, tmp_path):
    rng = np.random.default_rng(8)
    w = AttentionWidget(rng.normal(size=(M, 2)), rng.normal(size=(N, 2)), score="additive")
    path = tmp_path / "mask.html"
    w.to_html(path)
    assert open_offline(tab, path) == []
    root = widget_root(tab)
    expect(root).to_have_attribute("data-state", "ready")
    x = {n: getattr(w, n) for n in ("Q", "K", "V", "temperature", "param_sets")}
    x.update(mask=np.ones((M, N), bool), score="additive")  # (the page's mask, as it is edited)

    toggle_by_keyboard(tab, 2, 4)
    x["mask"][2, 4] = False
    expect(cell(tab, 2, 4)).to_have_attribute("data-masked", "true")
    expect(cell(tab, 2, 4)).to_have_attribute("data-value", "0")
    expect_engine(tab, x)

    set_valid_len(tab, 0, "0")  # every key masked: zero weights, said in a note
    x["mask"][0] = False
    expect_engine(tab, x)
    expect(tab.locator('[data-role="masked-rows"]')).to_contain_text("Every key is masked for q0")

    # shift-click on the heatmap's cell (3, 1)
    canvas = tab.locator('canvas[data-view="heatmap"]')
    box = canvas.bounding_box()
    assert box is not None
    canvas.click(
        position={"x": box["width"] * 1.5 / N, "y": box["height"] * 3.5 / M}, modifiers=["Shift"]
    )
    x["mask"][3, 1] = False
    expect(cell(tab, 3, 1)).to_have_attribute("data-masked", "true")
    expect_engine(tab, x)
