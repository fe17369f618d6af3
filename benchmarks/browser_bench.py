"""Browser benchmarks: the widget in headless Chromium, in JupyterLab and in exported pages.

Every figure is a ratio to a baseline measured in the same run:

``live_roundtrip``
    A query edit typed in JupyterLab until the kernel's weights are painted, against the bare
    ``kernel.requestExecute('pass')`` round trip (the floor), default server and TCP_NODELAY.
``drag``
    Frame time while a query point is dragged (against the 16.7 ms frame budget), and the
    time from the last of 200 edits made in one second until the kernel's answer is shown
    (against the floor).
``render``
    Heatmap repaint of a static page at 512x512 and 2048x2048 (against the frame budget), and
    the DOM nodes of the view per cell.
``cell_to_ready``
    Running a cell that displays the default widget until its view is ready, with the PNG
    fallback on against the same with it off.
``export_heads``
    Page size and time to first paint of ``AttentionWidget.from_weights(...).to_html()`` for a
    (12, 12, 128, 128) tensor, against inspectus, circuitsvis and bertviz on the same tensor.
``heads_scale``
    AttentionHeads at 12 x 12 x 512 (first paint, head switch from the model view, against the
    floor) and 32 x 32 x 1024 float16 (kernel memory against the input's bytes, first paint).
``export_heads_512``
    The same page at (12, 12, 512, 512) against inspectus.
``field_drag``
    Frame work while a query point is dragged at 64 keys, d = 64, under every score function,
    with the attention field on and off (against the frame budget, and on against off).
``publish``
    A notebook of six widgets exported by ``nbconvert --to attnwidget`` against the same six as
    six ``to_html`` pages: bytes, and first paint against one page.

Times inside the page are taken with ``performance.now()`` by code the benchmark installs
(capture listeners, a MutationObserver, ``requestAnimationFrame`` and a ``MessageChannel``
message that runs once the frame's rendering work is done); see ``benchmarks/RESULTS.md``.

One module a section (``roundtrip_bench``, ``drag_bench``, ``render_bench``,
``export_bench``, ``publish_bench``, ``field_bench``); what they share (Chromium pages, the
widget in JupyterLab, the floor) is in ``browser_session``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cell_bench import cell_to_ready
from drag_bench import drag
from export_bench import export_heads, export_heads_512
from field_bench import field_drag
from heads_scale_bench import heads_scale
from publish_bench import publish
from render_bench import render
from roundtrip_bench import live_roundtrip

SECTIONS: dict[str, Callable[[bool], list[dict[str, Any]]]] = {
    "live_roundtrip": live_roundtrip,
    "drag": drag,
    "render": render,
    "export_heads": export_heads,
    "cell_to_ready": cell_to_ready,
    "publish": publish,
    "heads_scale": heads_scale,
    "export_heads_512": export_heads_512,
    "field_drag": field_drag,
}
