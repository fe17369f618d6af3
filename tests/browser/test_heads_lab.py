"""AttentionHeads (from_weights) in a real JupyterLab."""

from __future__ import annotations

import numpy as np
import pytest
from harness import (
    WEIGHT_CELLS,
    expect,
    expect_numbers,
    kernel_exec,
    kernel_json,
    run_notebook,
    wait_for_kernel,
)

pytestmark = pytest.mark.browser


def test_heads_widget_selecting_a_head_shows_its_weights(tab, lab, notebook_dir):
    run_notebook(
        tab,
        lab,
        notebook_dir,
        """from attnwidget import AttentionWidget
import numpy as np
rng = np.random.default_rng(0)
x = rng.normal(size=(2, 3, 5, 5)) * 2
weights = np.exp(x) / np.exp(x).sum(-1, keepdims=True)
h = AttentionWidget.from_weights(weights, ["a", "b", "c", "d", "e"])
h""",
    )
    root = tab.locator(".attnwidget")
    expect(root.locator('table[data-view="weights"]')).to_be_visible()
    for layer, head in ((0, 2), (1, 1)):
        root.locator('select[data-role="layer"]').select_option(str(layer))
        root.locator('select[data-role="head"]').select_option(str(head))
        assert wait_for_kernel(tab, "[h.layer, h.head]", [layer, head]) == [layer, head]
        selected = np.array(kernel_json(tab, "h.selected.tolist()"))
        tolerance = selected.max() / 510 + 1e-7  # 8-bit per-row quantisation
        expect_numbers(tab, WEIGHT_CELLS, selected.ravel(), abs_tol=float(tolerance))
    kernel_exec(tab, "h.head = 0")
    selected = np.array(kernel_json(tab, "h.selected.tolist()"))
    expect_numbers(tab, WEIGHT_CELLS, selected.ravel(), abs_tol=float(selected.max() / 510))
