"""The causal-mask switch in a real JupyterLab: the kernel's mask and weights follow it."""

from __future__ import annotations

import numpy as np
import pytest
from harness import (
    WEIGHT_CELLS,
    expect,
    expect_numbers,
    kernel_json,
    run_notebook,
    wait_for_kernel,
)

pytestmark = pytest.mark.browser


def test_causal_mask_switch_reaches_the_kernel(tab, lab, notebook_dir):
    run_notebook(
        tab,
        lab,
        notebook_dir,
        """from attnwidget import AttentionWidget
import numpy as np
rng = np.random.default_rng(1)
w = AttentionWidget(rng.normal(size=(4, 3)), rng.normal(size=(4, 3)))
w""",
    )
    root = tab.locator(".attnwidget")
    box = root.locator('input[data-role="causal-mask"]')
    expect(box).to_be_enabled()
    box.check()
    expect(root).to_have_attribute("data-state", "ready")
    causal = np.tril(np.ones((4, 4), bool)).tolist()
    mask = wait_for_kernel(tab, "None if w.mask is None else w.mask.tolist()", causal)
    np.testing.assert_array_equal(np.array(mask), causal)
    weights = np.array(kernel_json(tab, "w.weights.tolist()"))
    assert np.all(weights[np.triu_indices(4, 1)] == 0)
    expect_numbers(tab, WEIGHT_CELLS, weights.ravel())
    box.uncheck()
    assert wait_for_kernel(tab, "w.mask is None", True) is True
    expect_numbers(tab, WEIGHT_CELLS, np.array(kernel_json(tab, "w.weights.tolist()")).ravel())
