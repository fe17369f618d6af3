"""Benchmark 11, ``field_drag``: frame work while a query point is dragged in JupyterLab at 64
keys, d = 64, under every score function, with the attention field on and off (p95 as a ratio
to one 16.7 ms frame; the field's own cost as the ratio of on to off).

The drag is section 5's (``drag_bench``: the same page instrumentation, a real mouse drag of
``[data-query-point="3"]`` around a circle). Before each drag the kernel selects query 0 and
the page waits until the field is refined; the press on query 3 selects it, so the drag's first
frame paints the field again (coarse: d = 64 holds another query's other coordinates), and
the rest keep it (a query moving within the plane changes nothing the field depends on)."""

from __future__ import annotations

import re
from typing import Any

from browser_session import lab_widget, skipped, unavailable
from drag_bench import _COUNTER, _DRAG_SETUP, _mouse_drag
from harness import expect, kernel_exec

SCORES = ("dot", "general", "scaled_dot", "concat", "additive")
FIELD = '.attnwidget [data-view="field"]'
TOGGLE = '.attnwidget [data-role="field-toggle"]'


def _field(page: Any, on: bool) -> None:
    """Switch the field on or off (its toggle), as a user does."""
    toggle = page.locator(TOGGLE)
    if (toggle.get_attribute("aria-pressed") == "true") != on:
        toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", str(on).lower())


def _paints(page: Any) -> int:
    """How many times the field has been computed since the view was made."""
    return int(page.locator(FIELD).get_attribute("data-paints") or 0)


def _prepare(page: Any, score: str, on: bool) -> None:
    """Score ``score``, query 0 selected, the field refined (or off), the page settled."""
    kernel_exec(page, f"w.score = {score!r}; w.selected_query = 0")
    expect(page.locator(f'.attnwidget button[data-score="{score}"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator('.attnwidget [data-query-point="0"]')).to_have_class(
        re.compile(r"\bis-selected\b")
    )
    _field(page, on)
    expect(page.locator(FIELD)).to_have_attribute(
        "data-state", "done" if on else "off", timeout=120_000
    )
    page.wait_for_timeout(200)


def field_drag(quick: bool) -> list[dict[str, Any]]:
    """11. Frame work while dragging, field on and off, every score (ratio to one frame)."""
    reason = unavailable()
    if reason:
        return skipped(reason)
    n = 16 if quick else 64
    moves = 30 if quick else 120
    scores = ("dot", "concat") if quick else SCORES
    code = (
        "import numpy as np\nfrom attnwidget import AttentionWidget\n"
        "_rng = np.random.default_rng(5)\n"
        f"w = AttentionWidget(_rng.normal(size=({n}, {n})), _rng.normal(size=({n}, {n})))\nw"
    )
    rows = []
    with lab_widget(code) as page:
        page.evaluate(_DRAG_SETUP)
        kernel_exec(page, _COUNTER)
        # a drag not recorded: the field's code and the drag's compiled before the first row
        _prepare(page, scores[0], True)
        _mouse_drag(page, '[data-query-point="3"]', n, moves // 2, "warm-up")
        for k, score in enumerate(scores):
            pair = {}
            # alternate which goes first, so drift over the run does not favour one
            for on in (True, False) if k % 2 == 0 else (False, True):
                _prepare(page, score, on)
                paints = _paints(page)
                row = _mouse_drag(
                    page, '[data-query-point="3"]', n, moves, "field on" if on else "field off"
                )
                if on:
                    row["field_paints_in_drag"] = _paints(page) - paints
                    # the coarse pass of the drag's first frame (the new query's field)
                    cell, ms = (page.locator(FIELD).get_attribute("data-coarse") or "0 nan").split()
                    row["field_coarse_cell_px"] = int(cell)
                    row["field_coarse_ms"] = float(ms)
                row["case"] = f"mouse drag {n}x{n} d={n}, {score}"
                pair[on] = row
            on_row, off_row = pair[True], pair[False]
            # _mouse_drag's ratio: frame work p95 / one frame (FRAME_MS); met: p95 <= 16 ms
            on_row["ratio_to_off"] = on_row["frame_work_p95_ms"] / off_row["frame_work_p95_ms"]
            rows += [on_row, off_row]
    return rows
