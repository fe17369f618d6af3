"""AttentionHeads at BERT-base scale (12 x 12 x 512) in a real JupyterLab: the model view picks a
head, the kernel follows, and the main heatmap's table then shows that head."""

from __future__ import annotations

import numpy as np
import pytest
from harness import WEIGHT_CELLS, expect, expect_numbers, kernel_json, run_notebook, wait_for_kernel

pytestmark = pytest.mark.browser

SHOWN = 64  # the numbers table shows the first 64 x 64 cells of a head


def test_a_12x12x512_widget_shows_and_the_model_view_picks_a_head(tab, lab, notebook_dir):
    run_notebook(
        tab,
        lab,
        notebook_dir,
        """from attnwidget import AttentionWidget
import numpy as np
rng = np.random.default_rng(0)
x = rng.standard_normal((12, 12, 512, 512), dtype=np.float32) * 2
weights = np.exp(x); weights /= weights.sum(-1, keepdims=True)
h = AttentionWidget.from_weights(weights, [f"t{i}" for i in range(512)])
h""",
    )
    root = tab.locator(".attnwidget")
    thumbs = root.locator(".aw-model-view button")
    expect(thumbs).to_have_count(144, timeout=60_000)
    numbers = root.locator("details.aw-numbers")
    expect(numbers).not_to_have_attribute("open", "")  # (512 > 64: closed, not updated)
    numbers.locator("summary").click()
    for layer, head in ((7, 3), (11, 10)):
        button = root.get_by_role("button", name=f"layer {layer}, head {head}", exact=True)
        if layer == 7:
            button.click()
        else:  # (by keyboard: focus the thumbnail and press Enter)
            button.focus()
            tab.keyboard.press("Enter")
        assert wait_for_kernel(tab, "[h.layer, h.head]", [layer, head]) == [layer, head]
        expect(button).to_have_attribute("aria-pressed", "true")
        expect(root).not_to_have_attribute("data-pending", "", timeout=20_000)
        selected = np.array(kernel_json(tab, f"h.selected[:{SHOWN}, :{SHOWN}].tolist()"))
        full_max = float(kernel_json(tab, "float(h.selected.max())"))
        expect_numbers(tab, WEIGHT_CELLS, selected.ravel(), abs_tol=full_max / 510 + 1e-6)
        expect(root.locator("h3").first).to_have_text(f"Layer {layer}, head {head}")
