"""Benchmark 6, ``render``: heatmap repaint of a static page at 512x512 and 2048x2048 (against
the frame budget), and the DOM nodes of the view per cell."""

from __future__ import annotations

import pathlib
import shutil
import tempfile
import time
from typing import Any

import numpy as np
from browser_session import (
    FRAME_MS,
    SHIPPED,
    headless_chromium,
    new_page,
    pct,
    skipped,
    unavailable,
)

# A diagnosis variant: every card but the heatmap's hidden (CSS), "Numbers" closed.
HEATMAP_ONLY = "diagnosis: heatmap card only"
_HEATMAP_ONLY_JS = """() => {
    const root = document.querySelector('.attnwidget');
    root.querySelector('details.aw-numbers').open = false;
    for (const card of root.querySelectorAll('section.aw-card'))
        if (!card.querySelector('canvas[data-view="heatmap"]')) card.style.display = 'none';
}"""

# One click dispatched in the page, timed around: handler (window capture -> bubble), the
# widget's rAF paint (a rAF registered in the capture listener runs before it, one registered
# in the bubble listener after it), and the browser's rendering of that frame (until a
# MessageChannel message posted from the last rAF runs).
_CLICK = """async ([selector, fx, fy]) => {
    const el = document.querySelector(selector);
    const r = {};
    const done = new Promise((resolve) => {
        window.addEventListener('click', () => {
            r.t0 = performance.now();
            requestAnimationFrame(() => { r.tA = performance.now(); });
        }, {capture: true, once: true});
        window.addEventListener('click', () => {
            r.t1 = performance.now();
            requestAnimationFrame(() => {
                r.tB = performance.now();
                const ch = new MessageChannel();
                ch.port1.onmessage = () => { r.tC = performance.now(); resolve(); };
                ch.port2.postMessage(0);
            });
        }, {once: true});
    });
    const box = el.getBoundingClientRect();
    el.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, view: window,
        clientX: box.left + fx * box.width, clientY: box.top + fy * box.height}));
    await done;
    return {handler: r.t1 - r.t0, paint: r.tB - r.tA, render: r.tC - r.tB,
            total: (r.t1 - r.t0) + (r.tC - r.tA), toFrame: r.tC - r.t0};
}"""

_DOM_COUNT = """() => {
    const root = document.querySelector('.attnwidget');
    const canvas = root.querySelector('canvas[data-view="heatmap"]');
    const note = root.querySelector('table[data-view="weights"]')
        ?.closest('.aw-table-wrap')?.querySelector('[data-role="truncated"]');
    return {nodes: root.querySelectorAll('*').length + 1,
            cells: root.querySelectorAll('table[data-view="weights"] td').length,
            canvasW: canvas.width, canvasH: canvas.height,
            truncated: note && !note.hidden ? note.textContent : ''};
}"""

_READY = """() => {
    const root = document.querySelector('.attnwidget');
    const c = root && root.querySelector('canvas[data-view="heatmap"]');
    return !!c && root.getAttribute('data-state') === 'ready' && c.width > 0;
}"""


def _static_page(n: int, d: int, path: pathlib.Path) -> int:
    from attnwidget import AttentionWidget

    rng = np.random.default_rng(n)
    AttentionWidget(rng.normal(size=(n, d)), rng.normal(size=(n, d))).to_html(path)
    return path.stat().st_size


def _selections(page: Any, n: int, reps: int) -> list[dict[str, float]]:
    """Clicks on heatmap rows (a new selected query each time; the first is a warm-up)."""
    canvas = '.attnwidget canvas[data-view="heatmap"]'
    out = []
    for k in range(reps + 1):
        row = (37 * (k + 1)) % n
        r = page.evaluate(_CLICK, [canvas, 0.5, (row + 0.5) / n])
        if k:
            out.append(r)
    return out


def _stat(rs: list[dict[str, float]], key: str, q: float) -> float:
    return pct([r[key] for r in rs], q)


def _repaint_fields(sel: list[dict[str, float]]) -> dict[str, Any]:
    total50, total95 = _stat(sel, "total", 50), _stat(sel, "total", 95)
    return {
        "repaint_p50_ms": total50,
        "repaint_p95_ms": total95,
        "js_paint_p50_ms": _stat(sel, "paint", 50),
        "browser_render_p50_ms": _stat(sel, "render", 50),
        "click_to_frame_p50_ms": _stat(sel, "toFrame", 50),
        "ratio": total50 / FRAME_MS,
        "ratio_p95": total95 / FRAME_MS,
    }


def render(quick: bool) -> list[dict[str, Any]]:
    """6. Heatmap repaint of static pages (row selection, score toggle); DOM nodes per cell."""
    reason = unavailable()
    if reason:
        return skipped(reason)
    sizes = [64, 128] if quick else [512, 2048]
    d = 16
    rows = []
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="attnwidget-bench-render-"))
    try:
        with headless_chromium() as browser:
            for n in sizes:
                path = tmp / f"static-{n}.html"
                size = _static_page(n, d, path)
                context, page, _ = new_page(browser, block_network=True)
                try:
                    t = time.perf_counter()
                    page.goto(path.as_uri())
                    page.wait_for_function(_READY, timeout=300_000, polling=100)
                    load_s = time.perf_counter() - t
                    reps = 3 if quick else (12 if n <= 512 else 6)
                    sel = _selections(page, n, reps)
                    toggles = []
                    for score in ["dot", "scaled_dot"] * (1 if quick else 2):
                        button = f'button[data-score="{score}"]'
                        toggles.append(page.evaluate(_CLICK, [button, 0.5, 0.5]))
                    dom = page.evaluate(_DOM_COUNT)
                    lean = None
                    if not quick:
                        page.evaluate(_HEATMAP_ONLY_JS)
                        page.wait_for_timeout(200)
                        lean = _selections(page, n, 6)
                finally:
                    context.close()
                target = 16.0 if n == 512 else float("nan")
                row = {
                    "M=N": n,
                    "d": d,
                    "variant": SHIPPED,
                    "page_MB": size / 1e6,
                    "load_s": load_s,
                    **_repaint_fields(sel),
                    "score_toggle_p50_ms": _stat(toggles, "total", 50),
                    "score_toggle_js_ms": _stat(toggles, "handler", 50)
                    + _stat(toggles, "paint", 50),
                    "ratio_score_toggle": _stat(toggles, "total", 50) / FRAME_MS,
                    "dom_nodes": dom["nodes"],
                    "table_cells": dom["cells"],
                    "nodes_per_cell_ratio": dom["nodes"] / (n * n),
                    "canvas_px": f"{dom['canvasW']}x{dom['canvasH']}",
                    "table_note": dom["truncated"],
                    "target_ms": target,
                    "met": (_stat(sel, "total", 50) <= target) if n == 512 else "",
                }
                rows.append(row)
                if lean:
                    rows.append(
                        {
                            "M=N": n,
                            "d": d,
                            "variant": HEATMAP_ONLY,
                            **_repaint_fields(lean),
                            "target_ms": target,
                            "met": (_stat(lean, "total", 50) <= target) if n == 512 else "",
                        }
                    )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows
