"""The queries-and-keys plane in JupyterLab (issue 14, items 5 and 10): a press takes the point
drawn under it (the selected query wins over a neighbour drawn over it), and the plane's labels
do not overlap."""

from __future__ import annotations

import pytest
from harness import (
    expect,
    kernel_exec,
    kernel_json,
    run_notebook,
    wait_for_kernel,
    widget_root,
)
from lab_feel import widths_and_themes

pytestmark = pytest.mark.browser

# 64 queries and 128 keys in 2-D, crowded; query 6 lies 0.02 from query 5 (the selected one),
# its dot (and the circle that takes a press) over query 5's centre.
CROWDED = """import numpy as np
from attnwidget import AttentionWidget
rng = np.random.default_rng(14)
Q = rng.uniform(-1, 1, size=(64, 2))
Q[6] = Q[5] + [0.02, 0.0]
w = AttentionWidget(Q, rng.uniform(-1, 1, size=(128, 2)))
w.selected_query = 5
w"""

# Where an SVG point is drawn, in client pixels: its translate in the viewBox, scaled.
_CENTRE = """(g) => {
    const svg = g.ownerSVGElement;
    const r = svg.getBoundingClientRect();
    const k = r.width / svg.viewBox.baseVal.width;
    const m = /translate\\(([-\\d.e]+)[ ,]+([-\\d.e]+)\\)/.exec(g.getAttribute('transform'));
    return [r.left + Number(m[1]) * k, r.top + Number(m[2]) * k];
}"""


def test_pressing_the_drawn_selected_query_moves_it_not_the_neighbour_drawn_over_it(
    tab, lab, notebook_dir
):
    run_notebook(tab, lab, notebook_dir, CROWDED)
    root = widget_root(tab)
    expect(root).to_be_visible(timeout=30_000)
    expect(root).to_have_attribute("data-state", "ready")
    kernel_exec(tab, "before = w.Q.copy()")
    # the selected query is highlighted: drawn again on top of the others
    shown = root.locator(".aw-pl-sel")
    expect(shown).to_have_attribute("visibility", "visible")
    x, y = shown.evaluate(_CENTRE)
    x5, y5 = root.locator('[data-query-point="5"]').evaluate(_CENTRE)
    x6, y6 = root.locator('[data-query-point="6"]').evaluate(_CENTRE)
    assert abs(x - x5) < 0.5 and abs(y - y5) < 0.5  # the highlight is query 5's
    assert 0.5 < abs(x6 - x5) < 4 and abs(y6 - y5) < 0.5  # query 6 drawn over its centre
    # the element under that point is query 6's (drawn later, on top): main took it
    under = tab.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('[data-query-point]')"
        "?.getAttribute('data-query-point')",
        [x, y],
    )
    assert under == "6", under
    tab.mouse.move(x, y)
    tab.mouse.down()
    for k in range(1, 7):
        tab.mouse.move(x + 5 * k, y - 4 * k)
    tab.mouse.up()
    moved = "np.flatnonzero((w.Q != before).any(axis=1)).tolist()"
    assert wait_for_kernel(tab, moved, [5]) == [5]  # query 5 only (on main: query 6)
    # right and up, as dragged
    assert kernel_json(tab, "(w.Q[5] > before[5]).tolist()") == [True, True]
    assert kernel_json(tab, "w.selected_query") == 5
    expect(root).to_have_attribute("data-state", "ready")


# Every label of the plane shown (keys' and queries'), and every point drawn as an SVG element
# (keys' marks, queries' dots): text and box in client pixels.
_BOXES = """() => {
    const boxes = (sel) => [...document.querySelectorAll(sel)]
        .filter((t) => t.getBBox().width > 0 && t.checkVisibility({visibilityProperty: true}))
        .map((t) => { const r = t.getBoundingClientRect();
            return {text: t.textContent, box: [r.left, r.top, r.right, r.bottom]}; });
    return {
        labels: boxes('.attnwidget .aw-pl-keylabel, .attnwidget .aw-pl-qlabel'),
        points: boxes('.attnwidget .aw-pl-keyhit, .attnwidget .aw-pl-query .aw-pl-dot'),
    };
}"""


def overlap(a: dict, b: dict) -> bool:
    ax0, ay0, ax1, ay1 = a["box"]
    bx0, by0, bx1, by1 = b["box"]
    return ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1


def expect_labels_apart(page, names: list[str], where: str) -> None:
    """The plane shows a label for each of ``names``; no label overlaps another or a point."""
    drawn = page.evaluate(_BOXES)
    labels = drawn["labels"]
    assert sorted(label["text"] for label in labels) == sorted(names), (where, labels)
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not overlap(a, b), (where, a, b)
        for p in drawn["points"]:
            assert not overlap(a, p), (where, "over a point", a, p)


DEFAULT = "from attnwidget import AttentionWidget\nw = AttentionWidget()\nw"

# Keys in a row, 0.75 apart, with wide names: each name is wider than the space to the next
# key (a width guessed from the number of characters is not).
WIDE = """import numpy as np
from attnwidget import AttentionWidget
K = np.array([[0.0, 0.0], [0.75, 0.0], [1.5, 0.0], [2.25, 0.0], [3.0, 0.0]])
Q = np.array([[0.4, 1.2], [2.6, 1.2]])
w = AttentionWidget(Q, K, key_tokens=["WWWWWW", "MMMMMM", "WWWWWW", "MMMMMM", "WWWWWW"],
                    query_tokens=["WHO", "WHAT"])
w"""


@pytest.mark.parametrize(
    ("code", "names"),
    [
        (DEFAULT, ["the", "cat", "sat", "on", "the", "mat", "who?", "where?", "did what?"]),
        (WIDE, ["WWWWWW", "MMMMMM"] * 2 + ["WWWWWW", "WHO", "WHAT"]),
    ],
    ids=["default", "wide-names"],
)
def test_plane_labels_overlap_no_other_label_and_no_point(tab, lab, notebook_dir, code, names):
    run_notebook(tab, lab, notebook_dir, code)
    root = widget_root(tab)
    expect(root).to_be_visible(timeout=30_000)
    expect(root).to_have_attribute("data-state", "ready")
    for width, dark in widths_and_themes(tab):
        for selected in range(len(names) - 6 if code == DEFAULT else 2):
            kernel_exec(tab, f"w.selected_query = {selected}")
            expect(root.locator(".aw-pl-query.is-selected")).to_have_attribute(
                "data-query-point", str(selected)
            )
            where = f"{width} px, {'dark' if dark else 'light'}, query {selected} selected"
            expect_labels_apart(tab, names, where)
