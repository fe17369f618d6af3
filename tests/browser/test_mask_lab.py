"""The causal-mask switch in a real JupyterLab: the kernel's mask and weights follow it."""

from __future__ import annotations

import numpy as np
import pytest
from harness import (
    NOTEBOOK,
    WEIGHT_CELLS,
    expect,
    expect_numbers,
    kernel_json,
    open_notebook,
    run_all,
)
from test_reliability_lab import write_notebook

pytestmark = pytest.mark.browser


def test_causal_mask_switch_reaches_the_kernel(tab, lab, notebook_dir):
    write_notebook(
        notebook_dir,
        """from attnwidget import AttentionWidget
import numpy as np
rng = np.random.default_rng(1)
w = AttentionWidget(rng.normal(size=(4, 3)), rng.normal(size=(4, 3)))
w""",
    )
    open_notebook(tab, lab, NOTEBOOK)
    run_all(tab)
    root = tab.locator(".attnwidget")
    box = root.locator('input[data-role="causal-mask"]')
    expect(box).to_be_enabled()
    box.check()
    expect(root).to_have_attribute("data-state", "ready")
    for _ in range(50):
        if kernel_json(tab, "None if w.mask is None else w.mask.tolist()") is not None:
            break
    mask = np.array(kernel_json(tab, "w.mask.tolist()"))
    np.testing.assert_array_equal(mask, np.tril(np.ones((4, 4), bool)))
    weights = np.array(kernel_json(tab, "w.weights.tolist()"))
    assert np.all(weights[np.triu_indices(4, 1)] == 0)
    expect_numbers(tab, WEIGHT_CELLS, weights.ravel())
    box.uncheck()
    for _ in range(50):
        if kernel_json(tab, "w.mask is None"):
            break
    assert kernel_json(tab, "w.mask is None")
    expect_numbers(tab, WEIGHT_CELLS, np.array(kernel_json(tab, "w.weights.tolist()")).ravel())
