"""Benchmark 9, ``cell_to_ready``: running a notebook cell that displays the default widget in
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
    const late = new Promise((_, reject) => setTimeout(() => reject(new Error(
        'no new widget was ready 30 s after running: ' + cell.node.innerText.slice(0, 2000))),
        30000));
    const [tReady, tPaint] = await Promise.race([ready, late]);
    return {ready: tReady - t0, painted: tPaint - t0};
}"""

_CELL = "import attnwidget as aw\naw.AttentionWidget.png_fallback = {on}\naw.AttentionWidget()"
# A diagnosis variant: the fallback as it was before issue 14, plot() as a PNG at 72 dpi.
_OLD = (
    "import attnwidget as aw\nfrom attnwidget import figures as _f\n"
    "aw.AttentionWidget.png_fallback = True\n"
    "_w = aw.AttentionWidget()\n"
    "_w._fallback_png = lambda: _f.png_bytes(_w.plot())\n"
    "_w"
)
VARIANTS = {
    "on": _CELL.format(on=True),
    "off": _CELL.format(on=False),
    "old": _OLD,
}


def cell_to_ready(quick: bool) -> list[dict[str, Any]]:
    """9. A cell displaying the default widget until its view is ready: fallback on vs off
    (and, as a diagnosis, the fallback figure of before)."""
    reason = unavailable()
    if reason:
        return skipped(reason)
    rounds = 3 if quick else 15
    names = list(VARIANTS)
    ready: dict[str, list[float]] = {k: [] for k in names}
    painted: dict[str, list[float]] = {k: [] for k in names}
    with lab_widget("import attnwidget as aw\nw = aw.AttentionWidget()\nw") as page:
        for name in names:  # warm-up: the first figure loads matplotlib's fonts
            page.evaluate(_RUN_CELL, VARIANTS[name])
        for k in range(rounds):
            for name in names[k % 3 :] + names[: k % 3]:  # each variant first as often
                kernel_exec(page, "pass")  # the kernel is idle
                page.evaluate(IDLE)
                got = page.evaluate(_RUN_CELL, VARIANTS[name])
                ready[name].append(float(got["ready"]))
                painted[name].append(float(got["painted"]))
    off50 = pct(ready["off"], 50)
    rows = []
    for name, case in (
        ("on", "default widget, PNG fallback on (as shipped)"),
        ("old", "diagnosis: the fallback before issue 14 (plot() as PNG)"),
    ):
        on50 = pct(ready[name], 50)
        rows.append(
            {
                "case": case,
                "runs_each": rounds,
                "ready_p50_ms": on50,
                "fallback_off_p50_ms": off50,
                "ready_p90_ms": pct(ready[name], 90),
                "fallback_off_p90_ms": pct(ready["off"], 90),
                "painted_p50_ms": pct(painted[name], 50),
                "painted_off_p50_ms": pct(painted["off"], 50),
                "ratio": on50 / off50,
                "target_ratio": 1.25,
                "met": on50 <= 1.25 * off50,
            }
        )
    return rows
