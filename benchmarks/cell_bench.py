"""Benchmark 8, ``cell_to_ready``: running a notebook cell that displays the default widget in
JupyterLab, until its view is ready, with the PNG fallback on (as shipped) against the same
with it turned off (``AttentionWidget.png_fallback = False``), alternated in one session.

The figure is the ratio of the two medians: how much of a widget cell's time the fallback
image costs (target <= 1.25)."""

from __future__ import annotations

from typing import Any

from browser_session import IDLE, lab_widget, pct, skipped, unavailable
from harness import kernel_exec

# Runs the notebook's active cell with ``code`` as its source; t0 just before JupyterLab's
# run-cell command, t1 when an .attnwidget that was not on the page before is "ready" in that
# cell (a MutationObserver on the cell), then the end of that frame's rendering.
_RUN_CELL = """async (code) => {
    const app = window.jupyterapp;
    const cell = app.shell.currentWidget.content.activeCell;
    cell.model.sharedModel.setSource(code);
    const before = new Set(document.querySelectorAll('.attnwidget'));
    const ready = new Promise((resolve) => {
        const look = () => {
            for (const el of cell.node.querySelectorAll('.attnwidget[data-state="ready"]'))
                if (!before.has(el)) return true;
            return false;
        };
        const mo = new MutationObserver(() => {
            if (!look()) return;
            mo.disconnect();
            const t = performance.now();
            requestAnimationFrame(() => {
                const ch = new MessageChannel();
                ch.port1.onmessage = () => resolve([t, performance.now()]);
                ch.port2.postMessage(0);
            });
        });
        mo.observe(cell.node, {subtree: true, childList: true, attributes: true,
                               attributeFilter: ['data-state']});
    });
    const t0 = performance.now();
    await app.commands.execute('notebook:run-cell');
    const [tReady, tPaint] = await ready;
    return {ready: tReady - t0, painted: tPaint - t0};
}"""

_CELL = "import attnwidget as aw\naw.AttentionWidget.png_fallback = {on}\naw.AttentionWidget()"


def cell_to_ready(quick: bool) -> list[dict[str, Any]]:
    """8. A cell displaying the default widget until its view is ready: fallback on vs off."""
    reason = unavailable()
    if reason:
        return skipped(reason)
    runs = 3 if quick else 15
    times: dict[bool, list[float]] = {True: [], False: []}
    painted: dict[bool, list[float]] = {True: [], False: []}
    with lab_widget("import attnwidget as aw\nw = aw.AttentionWidget()\nw") as page:
        for on in (True, False):  # warm-up: the first figure loads matplotlib's fonts
            page.evaluate(_RUN_CELL, _CELL.format(on=on))
        for k in range(2 * runs):
            on = k % 4 in (0, 3)  # on, off, off, on, ...: a drift favours neither
            kernel_exec(page, "pass")  # the kernel is idle
            page.evaluate(IDLE)
            got = page.evaluate(_RUN_CELL, _CELL.format(on=on))
            times[on].append(float(got["ready"]))
            painted[on].append(float(got["painted"]))
    on50, off50 = pct(times[True], 50), pct(times[False], 50)
    return [
        {
            "case": "default widget, cell run to view ready",
            "runs_each": runs,
            "fallback_on_p50_ms": on50,
            "fallback_off_p50_ms": off50,
            "fallback_on_p90_ms": pct(times[True], 90),
            "fallback_off_p90_ms": pct(times[False], 90),
            "painted_on_p50_ms": pct(painted[True], 50),
            "painted_off_p50_ms": pct(painted[False], 50),
            "ratio": on50 / off50,
            "target_ratio": 1.25,
            "met": on50 <= 1.25 * off50,
        }
    ]
