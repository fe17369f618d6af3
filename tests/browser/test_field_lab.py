"""The attention field in a real browser (issue 16, item 2): in JupyterLab against the kernel's
inputs and on a to_html page, at d = 2 and d = 5.

The field canvas ``[data-view="field"]`` says where its pixels are: ``data-edges`` (the plane
coordinates a of its left and right edges, b of its top and bottom), ``data-origin``, ``data-u``
and ``data-v`` (the query at (a, b) is origin + a u + b v). A probed pixel's query is computed
from them here; the numpy engine's weights for it must name the key whose colour
(``data-colours``: r,g,b per key, as its mark on the plane) the pixel shows, blended over
``data-bg`` by the strength (the largest weight, or 1 - normalised entropy) as ``data-alpha``
says."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from harness import (
    engine_weights,
    exact_q,
    expect,
    kernel_exec,
    kernel_inputs,
    open_offline,
    run_notebook,
    widget_root,
)
from test_lab import drag

from attnwidget import AttentionWidget

pytestmark = pytest.mark.browser

FIELD = '[data-view="field"]'

_PIXELS = """(c, pts) => {
    const ctx = c.getContext('2d');
    return pts.map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data));
}"""


def _numbers(text: str | None, sep: str = " ") -> np.ndarray:
    assert text, "missing attribute"
    return np.array([float(x) for x in text.split(sep)])


def check_field(root: Any, inputs: dict[str, Any], *, probes: int = 8) -> set[int]:
    """Wait for the refined field; for a grid of pixels, the engine's owner for the pixel's
    query (with the selected query's mask row) is the key the pixel's colour names, at the
    engine's strength. Returns the owners seen."""
    canvas = root.locator(FIELD)
    expect(canvas).to_have_attribute("data-state", "done", timeout=20_000)
    attr = canvas.get_attribute
    a0, a1, b0, b1 = _numbers(attr("data-edges"))
    origin, u, v = (_numbers(attr(n)) for n in ("data-origin", "data-u", "data-v"))
    bg = _numbers(attr("data-bg"), ",")
    lo, hi = _numbers(attr("data-alpha"))
    W, H = int(attr("width")), int(attr("height"))
    strength = attr("data-strength")
    sel = inputs["selected"]
    Q = np.asarray(inputs["Q"], float)
    d = Q.shape[1]
    # the plane passes through the selected query, along orthonormal axes
    assert len(origin) == d and len(u) == d and len(v) == d
    if d > 1:
        np.testing.assert_allclose([u @ u, v @ v, u @ v], [1, 1, 0], atol=1e-9)
    rel = Q[sel] - origin
    np.testing.assert_allclose(rel - (rel @ u) * u - (rel @ v) * v, 0, atol=1e-9)
    N = np.asarray(inputs["K"]).shape[0]
    colours = np.array([_numbers(c, ",") for c in (attr("data-colours") or "").split(" ")])
    assert colours.shape == (N, 3)
    assert len({tuple(c) for c in colours}) == N, "two keys share a colour"

    grid = [(i + 0.5) / probes for i in range(probes)]
    pts = [(int(W * gx), int(H * gy)) for gx in grid for gy in grid]
    pixels = np.array(canvas.evaluate(_PIXELS, pts), float)
    row = {**inputs, "mask": None if inputs["mask"] is None else [inputs["mask"][sel]]}
    checked = 0
    owners = set()
    for (x, y), px in zip(pts, pixels, strict=True):
        a = a0 + (x + 0.5) / W * (a1 - a0)
        b = b0 + (y + 0.5) / H * (b1 - b0)
        w = engine_weights(row, (origin + a * u + b * v)[None], inputs["score"])[0]
        top = np.sort(w)[::-1]
        if top[0] - top[1] < 1e-9:
            continue  # a tie: on a boundary
        owner = int(np.argmax(w))
        live = w[w > 0] if row["mask"] is None else w[np.asarray(row["mask"][0], bool)]
        if strength == "max":
            s = w[owner]
        else:
            ent = -np.sum(live[live > 0] * np.log(live[live > 0]))
            s = 1 - ent / np.log(len(live)) if len(live) > 1 else 1.0
        alpha = lo + (hi - lo) * s
        blends = bg + (colours - bg) * alpha
        dist = np.abs(blends - px[:3]).max(axis=1)
        assert px[3] == 255
        where = f"pixel {x},{y}: {px[:3]}"
        assert dist[owner] <= 1.01, f"{where} is not key {owner}'s {blends[owner]}"
        assert int(np.argmin(dist)) == owner, f"{where} names key {np.argmin(dist)}, not {owner}"
        checked += 1
        owners.add(owner)
    assert checked >= probes * probes * 0.8
    return owners


def _toggle(root: Any) -> None:
    """The switch hides the field and shows it again."""
    toggle = root.locator('[data-role="field-toggle"]')
    canvas = root.locator(FIELD)
    expect(toggle).to_have_attribute("aria-pressed", "true")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(canvas).to_be_hidden()
    expect(root.locator('[data-role="field-legend"]')).to_be_hidden()
    expect(canvas).to_have_attribute("data-state", "off")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(canvas).to_be_visible()


def test_in_jupyterlab_the_field_names_the_kernels_strongest_key(tab, lab, notebook_dir):
    run_notebook(
        tab,
        lab,
        notebook_dir,
        """from attnwidget import AttentionWidget
import numpy as np
rng = np.random.default_rng(3)
mask = np.ones((4, 5), bool); mask[0, 2] = False
w5 = AttentionWidget(rng.normal(size=(4, 5)), rng.normal(size=(5, 5)), score="additive",
                     mask=mask, temperature=0.6)
w5""",
        """w2 = AttentionWidget(rng.normal(size=(3, 2)), rng.normal(size=(4, 2)), score="dot")
w2""",
    )
    roots = tab.locator(".attnwidget")
    expect(roots).to_have_count(2)
    for root, name in ((roots.nth(0), "w5"), (roots.nth(1), "w2")):
        root.scroll_into_view_if_needed()
        inputs = kernel_inputs(tab, name)
        assert len(check_field(root, inputs)) >= 2, "one region: nothing checked about regions"
        canvas = root.locator(FIELD)
        paints = canvas.get_attribute("data-paints")
        # a drag within the plane keeps the field (nothing it depends on changed)
        drag(tab, root.locator('[data-query-point="0"]'), dx=-30, dy=20)
        expect(root).to_have_attribute("data-state", "ready")
        moved = kernel_inputs(tab, name)
        assert moved["Q"][0] != inputs["Q"][0], "the drag did not move query 0"
        assert canvas.get_attribute("data-paints") == paints
        check_field(root, moved)
        # another score function, and another query (d = 5: other held coordinates)
        concat = root.locator('button[data-score="concat"]')
        concat.click()
        expect(concat).to_have_attribute("aria-pressed", "true")
        expect(root).to_have_attribute("data-state", "ready")
        check_field(root, kernel_inputs(tab, name))
        kernel_exec(tab, f"{name}.selected_query = 2")
        expect(root.locator('[data-query-point="2"]')).to_have_class("aw-pl-query is-selected")
        check_field(root, kernel_inputs(tab, name))
        _toggle(root)
        check_field(root, kernel_inputs(tab, name))


@pytest.mark.parametrize("d", [2, 5])
def test_on_a_to_html_page_the_field_names_the_js_engines_strongest_key(tab, tmp_path, d):
    rng = np.random.default_rng(11 + d)
    mask = np.ones((3, 6), bool)
    mask[1, 3] = False
    w = AttentionWidget(
        rng.normal(size=(3, d)), rng.normal(size=(6, d)), score="general", mask=mask,
        temperature=0.8,
    )  # fmt: skip
    w.selected_query = 1
    path = tmp_path / "field.html"
    w.to_html(path)
    assert open_offline(tab, path) == []
    root = widget_root(tab)
    expect(root).to_have_attribute("data-state", "ready")
    inputs = {
        "Q": w.Q, "K": w.K, "V": None, "mask": w.mask.tolist(), "temperature": w.temperature,
        "selected": 1, "score": "general", "param_sets": dict(w.param_sets),
    }  # fmt: skip
    assert len(check_field(root, inputs)) >= 2, "one region: nothing checked about regions"
    _toggle(root)

    # the shade: 1 - normalised entropy
    root.locator('[data-strength="entropy"]').click()
    expect(root.locator(FIELD)).to_have_attribute("data-strength", "entropy")
    expect(root.locator('[data-role="field-legend"]')).to_contain_text("entropy")
    check_field(root, inputs)

    # every score function, after the query moved by the keyboard
    tab.locator('[data-query-point="1"]').focus()
    tab.keyboard.press("ArrowRight")
    expect(root).to_have_attribute("data-state", "ready")
    Q = np.array(exact_q(tab, w.Q.shape))
    assert np.abs(Q[1] - w.Q[1]).max() > 1e-3, "the arrow key did not move query 1"
    owners = set()
    for score in ("dot", "scaled_dot", "concat", "additive"):
        root.locator(f'button[data-score="{score}"]').click()
        expect(root).to_have_attribute("data-state", "ready")
        owners |= check_field(root, {**inputs, "Q": Q, "score": score}, probes=6)
    assert len(owners) >= 2
