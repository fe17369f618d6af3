"""What the browser benchmarks share: headless Chromium pages, the widget in JupyterLab, the
bare kernel round trip (the floor the live figures are ratios to) and a few measures.

The servers, notebooks and Chromium come from the browser tests' harness: importing this
module puts ``tests/browser`` on ``sys.path``, so that ``harness`` can be imported after it.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from harness import (  # noqa: E402
    CHROMIUM,
    NOTEBOOK,
    expect,
    jupyter_server,
    launch_chromium,
    open_notebook,
    run_all,
    write_notebook,
)

FRAME_MS = 1000 / 60  # the frame budget at 60 Hz

# The view as users get it. The sections also measure diagnosis variants (not what users get):
# parts of the view taken out of rendering, to measure what they cost.
SHIPPED = "as shipped"

# Disables Nagle's algorithm on the kernel websockets (jupyter_server does not call
# set_nodelay); the same lines as the project recipe, written to a temp file per run.
NODELAY_CONFIG = """\
from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

_orig_open = KernelWebsocketHandler.open


async def _open(self, kernel_id):
    self.set_nodelay(True)
    return await _orig_open(self, kernel_id)


KernelWebsocketHandler.open = _open
print("attnwidget-bench: TCP_NODELAY on kernel websockets", flush=True)
"""


# --- helpers -----------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def unavailable() -> str | None:
    """Why the browser sections cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM}"
    bundle = ROOT / "attnwidget" / "static" / "widget.js"
    if not bundle.is_file() or bundle.stat().st_size < 1000:
        return "the frontend bundle is not built (cd js && npm run build)"
    return None


def skipped(reason: str) -> list[dict[str, Any]]:
    return [{"skipped": reason, "ratio": float("nan")}]


@contextlib.contextmanager
def headless_chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Any, *, block_network: bool = False) -> tuple[Any, Any, list[str]]:
    """A fresh context and page (1280x1000, light); console errors go to stderr."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, color_scheme="light")
    context.set_default_timeout(60_000)
    page = context.new_page()
    external: list[str] = []
    if block_network:

        def abort(route: Any) -> None:
            external.append(route.request.url)
            route.abort()

        page.route(re.compile(r"^https?://"), abort)
    page.on("pageerror", lambda exc: sys.stderr.write(f"[browser_bench] pageerror: {exc}\n"))
    return context, page, external


@contextlib.contextmanager
def lab_widget(code: str, *, nodelay: bool = False) -> Iterator[Any]:
    """JupyterLab (optionally with TCP_NODELAY) showing a notebook whose cell runs ``code``
    (which must end by displaying ``w``); yields the page once the widget is settled."""
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="attnwidget-bench-"))
    try:
        root = tmp / "nb"
        root.mkdir()
        write_notebook(root, code)
        extra: list[str] = []
        if nodelay:
            cfg = tmp / "nodelay_config.py"
            cfg.write_text(NODELAY_CONFIG)
            extra.append(f"--config={cfg}")
        with (
            jupyter_server("lab", root, extra_args=extra) as server,
            headless_chromium() as browser,
        ):
            context, page, _ = new_page(browser)
            try:
                open_notebook(page, server, NOTEBOOK)
                run_all(page)
                expect(page.locator(".attnwidget")).to_be_visible(timeout=60_000)
                expect(page.locator(".attnwidget")).to_have_attribute(
                    "data-state", "ready", timeout=60_000
                )
                if nodelay and "TCP_NODELAY" not in server.log():
                    raise RuntimeError("the TCP_NODELAY server config was not loaded")
                yield page
            finally:
                context.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


_FLOOR = """async (n) => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const out = [];
    for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await kernel.requestExecute({code: 'pass', silent: false, store_history: false}).done;
        out.push(performance.now() - t0);
    }
    return out;
}"""


# The same round trip, then the end of the next frame's rendering (a rAF, then a MessageChannel
# message, as for `painted` in roundtrip_bench.py): what a round trip that paints costs when the
# view itself costs nothing. `painted` can only be compared fairly with this one.
_FLOOR_FRAME = """async () => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const t0 = performance.now();
    await kernel.requestExecute({code: 'pass', silent: false, store_history: false}).done;
    const done = performance.now() - t0;
    await new Promise((resolve) => requestAnimationFrame(() => {
        const ch = new MessageChannel();
        ch.port1.onmessage = resolve;
        ch.port2.postMessage(0);
    }));
    return [done, performance.now() - t0];
}"""


# Resolves once the page has rendered two frames and then had 20 ms to itself, so that a
# measurement does not start behind rendering work left over from the previous one.
IDLE = """() => new Promise((resolve) =>
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 20))))"""

# The same, then a random part of a 60 Hz frame: a measurement that ends with a painted frame
# starts at a random phase of the display's frames, so that the wait for the next frame is
# sampled over its whole range (0-16.7 ms) rather than locked to the same phase every time.
IDLE_ANY_PHASE = """() => new Promise((resolve) =>
    requestAnimationFrame(() => requestAnimationFrame(() =>
        setTimeout(resolve, 20 + Math.random() * 1000 / 60))))"""


def floor_round_trips(page: Any, n: int) -> list[float]:
    """``n`` bare ``requestExecute('pass')`` round trips from an idle page (ms)."""
    out = []
    for _ in range(n):
        page.evaluate(IDLE)
        out += page.evaluate(_FLOOR, 1)
    return out


def floor_round_trip_frame(page: Any) -> tuple[float, float]:
    """One bare round trip from an idle page: (until done, until the next frame is rendered)
    in ms."""
    page.evaluate(IDLE_ANY_PHASE)
    done, frame = page.evaluate(_FLOOR_FRAME)
    return float(done), float(frame)


def open_numbers(page: Any, is_open: bool) -> None:
    """Open or close the widget's Numbers section (its tables update only while open)."""
    page.evaluate(
        "(o) => document.querySelectorAll('details.aw-numbers').forEach(d => { d.open = o; })",
        is_open,
    )
