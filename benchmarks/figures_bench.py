"""Figure benchmarks: the PNG fallback, plot() and save_figure to SVG at the size limits.

Each time is a ratio to the same figure of the default example, measured in the same run;
the target is absolute all the same (a display must not hang the kernel): at most 1 s at
every size the widget and AttentionHeads accept.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from attnwidget import AttentionHeads, AttentionWidget
from attnwidget.figures import plot, plot_heads
from attnwidget.wire.protocol import MAX_PAIRS, MAX_WEIGHTS

TARGET_S = 1.0


def _keys(n: int, seed: int) -> AttentionWidget:
    """One query, n keys of width 1 (the most keys the widget accepts is MAX_PAIRS)."""
    return AttentionWidget(np.ones((1, 1)), np.random.default_rng(seed).normal(size=(n, 1)))


def _square(m: int, seed: int) -> AttentionWidget:
    rng = np.random.default_rng(seed)
    return AttentionWidget(rng.normal(size=(m, 2)), rng.normal(size=(m, 2)))


def _one_head(m: int, n: int) -> AttentionHeads:
    w = np.random.default_rng(5).random((1, 1, m, n)) / n
    tokens = [f"t{i}" for i in range(max(m, n))]
    return AttentionHeads(w, tokens[:n], query_tokens=tokens[:m])


def _many_heads(count: int, m: int) -> AttentionHeads:
    w = np.full((1, count, m, m), 1.0 / m)
    return AttentionHeads(w, [f"t{i}" for i in range(m)], head=count // 2)


def _cases(quick: bool) -> list[tuple[str, Callable[[], Any]]]:
    if quick:
        return [
            ("1 x 500 keys", lambda: _keys(500, 1)),
            ("heads 1 x 40 x 4 x 4", lambda: _many_heads(40, 4)),
        ]
    return [
        ("1 x 100,000 keys", lambda: _keys(100_000, 1)),
        (f"1 x {MAX_PAIRS:,} keys (d=1)", lambda: _keys(MAX_PAIRS, 1)),
        ("2048 x 2048", lambda: _square(2048, 2)),
        (f"4 x {MAX_PAIRS // 4:,} keys", lambda: _keys_4(MAX_PAIRS // 4)),
        (
            f"heads 1 x 1 x 4096 x {MAX_WEIGHTS // 4096:,} (the largest head)",
            lambda: _one_head(4096, MAX_WEIGHTS // 4096),
        ),
        (
            f"heads 1 x {MAX_WEIGHTS // 16:,} x 4 x 4 (the most heads)",
            lambda: _many_heads(MAX_WEIGHTS // 16, 4),
        ),
    ]


def _keys_4(n: int) -> AttentionWidget:
    rng = np.random.default_rng(4)
    return AttentionWidget(rng.normal(size=(4, 1)), rng.normal(size=(n, 1)))


def _figures(obj: Any) -> dict[str, Callable[[], Any]]:
    """The three figures timed: what a display adds (the PNG fallback), plot(), an SVG."""
    draw = plot_heads if isinstance(obj, AttentionHeads) else plot

    def svg() -> None:  # what save_figure(path.svg) does, into memory
        draw(obj).savefig(io.BytesIO(), format="svg", dpi=150)

    return {
        "png_fallback": lambda: obj._repr_mimebundle_()[0]["image/png"],
        "plot": lambda: draw(obj),
        "save_svg": svg,
    }


def _seconds(fn: Callable[[], Any], quick: bool) -> tuple[float, float]:
    """Wall and CPU seconds of one call: the best of 3 after a warm-up (quick: one call).

    Figures are drawn in one thread, so on a machine shared with other work the CPU time is
    about what the wall time would be on an idle one.
    """
    if not quick:
        fn()  # warm-up
    wall = cpu = float("inf")
    for _ in range(1 if quick else 3):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - w0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu


def _row(
    case: str, what: str, t: tuple[float, float], base: tuple[float, float], **extra: Any
) -> dict[str, Any]:
    return {
        "case": case,
        "figure": what,
        "seconds": t[0],
        "default_seconds": base[0],
        "ratio": t[0] / base[0],
        "target_s": TARGET_S,
        "met": "met" if t[0] <= TARGET_S else "NOT met",
        "cpu_seconds": t[1],
        "cpu_ratio": t[1] / base[1],
        "cpu_met": "met" if t[1] <= TARGET_S else "NOT met",
        **extra,
    }


def figures(quick: bool) -> list[dict[str, Any]]:
    """Seconds per figure at each size, and the ratio to the default example's figure."""
    default = _figures(AttentionWidget())
    default["png_fallback"]()  # (matplotlib's first figure loads its fonts)
    base = {what: _seconds(fn, quick) for what, fn in default.items()}
    rows = [_row("default example", what, t, t) for what, t in base.items()]
    for case, make in _cases(quick):
        start = time.perf_counter()
        obj = make()
        build = time.perf_counter() - start  # (making the widget: not part of the target)
        for what, fn in _figures(obj).items():
            rows.append(_row(case, what, _seconds(fn, quick), base[what], build_s=build))
        del obj
    if not quick:  # the default again: how far the baseline drifted during the run
        for what, fn in default.items():
            rows.append(_row("default example, again", what, _seconds(fn, quick), base[what]))
    return rows
