"""Benchmark 7, ``export_heads``: page size and time to first paint of
``AttentionWidget.from_weights(...).to_html()`` for a (12, 12, 128, 128) tensor, against
inspectus, circuitsvis and bertviz on the same tensor; ``export_heads_512``: the same at
(12, 12, 512, 512) against inspectus (benchmark 10)."""

from __future__ import annotations

import contextlib
import gzip
import io
import math
import pathlib
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from browser_session import headless_chromium, new_page, pct, skipped, unavailable

# Installed before the page's own scripts: at every animation frame, `cond` is checked; the
# first frame where it holds is the first paint (performance.now(), from navigation start).
_FIRST_PAINT = """(() => {
    const cond = %s;
    window.__fp = null;
    window.__fpError = null;
    const tick = () => {
        const t = performance.now();  // the frame's start: the check's own cost is left out
        try {
            if (cond()) { window.__fp = t; return; }
        } catch (e) { window.__fpError = String(e); }
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
})();"""

# "Drawn" = the canvas is sized and its centre pixel is not transparent.
_CANVAS_DRAWN = """(c) => {
    if (!c || !c.width || !c.height) return false;
    const g = c.getContext('2d');
    if (!g) return false;
    return g.getImageData(c.width >> 1, c.height >> 1, 1, 1).data[3] > 0;
}"""

# Per tool: what "the heatmap has been drawn" means (see RESULTS.md).
_PAINT_CONDITIONS = {
    "attnwidget": f"""() => {{
        const root = document.querySelector('.attnwidget[data-state="ready"]');
        return !!root && ({_CANVAS_DRAWN})(root.querySelector('canvas[data-view="heatmap"]'));
    }}""",
    "inspectus": """() => document.querySelectorAll('svg rect').length >= CELLS""",
    "circuitsvis": f"""() => {{
        const cs = [...document.querySelectorAll('canvas')];
        if (cs.length < HEADS) return false;
        const big = cs.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
        return ({_CANVAS_DRAWN})(big);
    }}""",
    "bertviz": """() => !!document.querySelector('#vis svg line, #vis svg rect')""",
    "baseline": f"""() => ({_CANVAS_DRAWN})(document.querySelector('canvas'))""",
}


def _weights_tensor(layers: int, heads: int, tokens: int) -> np.ndarray:
    """Softmax rows of N(0, 2^2) logits: like a model's attention, not smooth (float32)."""
    rng = np.random.default_rng(7)
    out = np.empty((layers, heads, tokens, tokens), np.float32)
    for i in range(layers):  # (the same draws as one call; a layer's float64 temporaries only)
        logits = rng.normal(scale=2.0, size=(heads, tokens, tokens))
        w = np.exp(logits - logits.max(-1, keepdims=True))
        out[i] = w / w.sum(-1, keepdims=True)
    return out


def _html_doc(body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>attention</title>'
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _page_default(w: np.ndarray, tokens: list[str], path: pathlib.Path) -> str:
    from attnwidget import AttentionWidget

    AttentionWidget().to_html(path)
    return "AttentionWidget().to_html(): the built-in example, as `make demo` writes it"


def _page_ours(w: np.ndarray, tokens: list[str], path: pathlib.Path) -> str:
    from attnwidget import AttentionWidget

    AttentionWidget.from_weights(w, tokens).to_html(path)
    return ""


def _page_inspectus(w: np.ndarray, tokens: list[str], path: pathlib.Path) -> str:
    """inspectus.attention() displays HTML (its bundle inline); the page is what it displays."""
    import inspectus
    import IPython.display

    shown: list[Any] = []
    original = IPython.display.display
    IPython.display.display = lambda *objs, **kw: shown.extend(objs)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            inspectus.attention(w, tokens)
    finally:
        IPython.display.display = original
    path.write_text(_html_doc("".join(getattr(o, "data", "") for o in shown)), encoding="utf-8")
    return "inline bundle"


def _page_circuitsvis(w: np.ndarray, tokens: list[str], path: pathlib.Path) -> str:
    """circuitsvis.attention.attention_heads over all layers x heads (named L{l}H{h}).

    Its ``_repr_html_`` probes http://google.com to choose between a page that imports the
    bundle from unpkg.com (``str()``, what ``show_code()`` gives) and one with the bundle
    inline (``local_src``); we take ``local_src`` directly (no network)."""
    import circuitsvis.attention as cva

    layers, heads = w.shape[:2]
    names = [f"L{layer}H{head}" for layer in range(layers) for head in range(heads)]
    with contextlib.redirect_stdout(io.StringIO()):
        html = cva.attention_heads(w.reshape(layers * heads, *w.shape[2:]), tokens, names)
    path.write_text(_html_doc(html.local_src), encoding="utf-8")
    return "local_src (bundle inline; str() would load it from unpkg.com)"


def _page_bertviz(w: np.ndarray, tokens: list[str], path: pathlib.Path) -> str:
    import torch
    from bertviz import head_view

    attention = [torch.from_numpy(w[layer][None]) for layer in range(w.shape[0])]
    html = head_view(attention, tokens, html_action="return")
    path.write_text(_html_doc(html.data), encoding="utf-8")
    return "loads require.js, d3 and jquery from cdnjs.cloudflare.com"


def _page_baseline(w: np.ndarray, tokens: list[str], path: pathlib.Path) -> str:
    """A trivial page: one canvas filled by an inline script (the quick-mode baseline)."""
    path.write_text(
        _html_doc(
            '<canvas width="64" height="64"></canvas><script>'
            "const g = document.querySelector('canvas').getContext('2d');"
            "g.fillStyle = '#345'; g.fillRect(0, 0, 64, 64);</script>"
        ),
        encoding="utf-8",
    )
    return "one canvas filled by an inline script"


def _first_paint(
    browser: Any, path: pathlib.Path, condition: str, timeout_ms: float
) -> dict[str, Any]:
    """Load ``path`` from disk (network blocked) in a fresh context; ms to the first frame where
    ``condition`` holds (None if it never does within ``timeout_ms``)."""
    context, page, external = new_page(browser, block_network=True)
    try:
        page.add_init_script(_FIRST_PAINT % condition)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)[:200]))
        t = time.perf_counter()
        page.goto(path.as_uri(), wait_until="commit", timeout=timeout_ms)
        painted = True
        try:
            page.wait_for_function("() => window.__fp !== null", timeout=timeout_ms, polling=200)
        except Exception:  # did not paint in time (e.g. its scripts are blocked)
            painted = False
        wall = time.perf_counter() - t
        fp = page.evaluate("() => window.__fp") if painted else None
        return {"paint_ms": fp, "wall_s": wall, "external": sorted(set(external)), "errors": errors}
    finally:
        context.close()


def export_heads(quick: bool) -> list[dict[str, Any]]:
    """7. from_weights(...).to_html(): page size and first paint vs inspectus, circuitsvis,
    bertviz on the same (12, 12, 128, 128) tensor (quick: a tiny tensor vs a trivial page)."""
    reason = unavailable()
    if reason:
        return skipped(reason)
    shape = (2, 2, 16, 16) if quick else (12, 12, 128, 128)
    layers, heads, t_count, _ = shape
    w = _weights_tensor(*shape[:3])
    tokens = [f"t{i}" for i in range(t_count)]
    tools: list[tuple[str, str, Callable[..., str], np.ndarray, int]] = [
        ("attnwidget", "attnwidget", _page_ours, w, 5 if not quick else 3),
    ]
    if quick:
        tools.append(("baseline", "baseline", _page_baseline, w, 3))
    else:
        tools += [
            ("inspectus", "inspectus", _page_inspectus, w, 3),
            ("circuitsvis", "circuitsvis", _page_circuitsvis, w, 1),
            ("circuitsvis (one layer)", "circuitsvis", _page_circuitsvis, w[:1], 2),
            ("bertviz", "bertviz", _page_bertviz, w, 1),
        ]
    rows: list[dict[str, Any]] = []
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="attnwidget-bench-export-"))
    try:
        with headless_chromium() as browser:
            rows += _compared(browser, tmp, tools, tokens, quick)
            # The default page (what `make demo` writes), and the browser's own floor for a
            # page from disk: both first paints are also given as ratios to the trivial page.
            extra = [("attnwidget default page", "attnwidget", _page_default, w, 5)]
            if not quick:
                extra.append(("trivial page", "baseline", _page_baseline, w, 5))
            for name, kind, make, tensor, reps in extra:
                row = _measure_page(browser, tmp, name, kind, make, tensor, tokens, reps)
                row["tensor"] = "the built-in example" if make is _page_default else "-"
                rows.append(row)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    trivial = next(r for r in rows if r["tool"] in ("baseline", "trivial page"))
    for r in rows:  # every page's first paint vs the browser's floor for a page from disk
        r["ratio_paint_to_trivial"] = r["paint_ms"] / trivial["paint_ms"]
    return rows


def export_heads_512(quick: bool) -> list[dict[str, Any]]:
    """10. from_weights(...).to_html() at (12, 12, 512, 512) (BERT-base at full length): page
    size and first paint vs inspectus (circuitsvis does not paint all 144 heads at 256 and
    bertviz stays blank offline: left out). Quick: (2, 2, 32, 32) vs the trivial page."""
    reason = unavailable()
    if reason:
        return skipped(reason)
    t_count = 32 if quick else 512
    w = _weights_tensor(2 if quick else 12, 2 if quick else 12, t_count)
    tokens = [f"t{i}" for i in range(t_count)]
    other = ("baseline", _page_baseline) if quick else ("inspectus", _page_inspectus)
    tools = [
        ("attnwidget", "attnwidget", _page_ours, w, 3),
        (other[0], other[0], other[1], w, 3 if quick else 2),
    ]
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="attnwidget-bench-export-"))
    try:
        with headless_chromium() as browser:
            return _compared(browser, tmp, tools, tokens, quick)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _compared(
    browser: Any,
    tmp: pathlib.Path,
    tools: list[tuple[str, str, Callable[..., str], np.ndarray, int]],
    tokens: list[str],
    quick: bool,
) -> list[dict[str, Any]]:
    """Each tool's page measured (ours first), with our ratios to the others."""
    rows = [_measure_page(browser, tmp, *tool[:4], tokens, tool[4]) for tool in tools]
    _export_ratios(rows, quick)
    return rows


def _measure_page(
    browser: Any,
    tmp: pathlib.Path,
    name: str,
    kind: str,
    make: Callable[..., str],
    tensor: np.ndarray,
    tokens: list[str],
    reps: int,
) -> dict[str, Any]:
    """Write one tool's page and load it ``reps`` times from disk: size and first paint."""
    path = tmp / (re.sub(r"\W+", "_", name) + ".html")
    row: dict[str, Any] = {"tool": name, "tensor": "x".join(map(str, tensor.shape))}
    try:
        t = time.perf_counter()
        row["note"] = make(tensor, tokens, path)
        row["make_s"] = time.perf_counter() - t
    except Exception as exc:  # e.g. a package that is not installed
        row.update(page_MB=float("nan"), paint_ms=float("nan"))
        row["note"] = f"could not run: {type(exc).__name__}: {exc}"[:300]
        return row
    t_count = len(tokens)
    row["page_MB"] = path.stat().st_size / 1e6
    row["page_gzip_MB"] = len(gzip.compress(path.read_bytes(), 6)) / 1e6
    cond = (
        _PAINT_CONDITIONS[kind]
        .replace("CELLS", str(t_count * t_count))
        .replace("HEADS", str(tensor.shape[0] * tensor.shape[1]))
    )
    timeout = 20_000 if kind == "bertviz" else 180_000
    paints, external, errors = [], [], []
    for _ in range(reps):
        fp = _first_paint(browser, path, cond, timeout)
        external += fp["external"]
        errors += fp["errors"]
        if fp["paint_ms"] is None:
            break
        paints.append(fp["paint_ms"])
    row["paint_ms"] = pct(paints, 50) if paints else float("nan")
    row["paint_runs"] = len(paints)
    row["external_requests_blocked"] = ", ".join(sorted(set(external)))
    if not paints:
        row["note"] += f"; did not paint offline within {timeout / 1000:g} s" + (
            f" ({errors[0]})" if errors else ""
        )
    return row


# Measured elsewhere for the (12, 12, 128, 128) tensor (the brief): MB, seconds to first draw.
ELSEWHERE = {"bertviz": (105.0, 5.0), "circuitsvis": (6.0, 13.0), "inspectus": (13.0, 1.3)}


def _export_ratios(rows: list[dict[str, Any]], quick: bool) -> None:
    """Ratios of our page size and first paint to the smallest and fastest competitor."""
    ours = rows[0]
    others = [r for r in rows[1:] if not math.isnan(r.get("page_MB", float("nan")))]
    same = [r for r in others if "one layer" not in r["tool"]]
    painted = [r for r in others if not math.isnan(r.get("paint_ms", float("nan")))]
    for r in rows:
        r.setdefault("ratio", float("nan"))
    if math.isnan(ours.get("page_MB", float("nan"))):
        return
    if not same and not quick:  # no competitor could run: the figures measured elsewhere
        smallest = min(v[0] for v in ELSEWHERE.values())
        fastest = min(v[1] for v in ELSEWHERE.values()) * 1000
        ours["baseline"] = "figures measured elsewhere (no competitor ran here)"
    else:
        smallest_row = min(same, key=lambda r: r["page_MB"])
        same_painted = [r for r in painted if r in same]
        fastest_row = min(same_painted, key=lambda r: r["paint_ms"]) if same_painted else None
        smallest = smallest_row["page_MB"]
        fastest = fastest_row["paint_ms"] if fastest_row else float("nan")
        ours["baseline"] = (
            f"size: {smallest_row['tool']}; paint: {fastest_row['tool'] if fastest_row else '-'}"
        )
    ours["ratio"] = ours["page_MB"] / smallest
    ours["ratio_paint"] = ours["paint_ms"] / fastest
    if not quick:
        ours["target_size_ratio"] = 0.25
        ours["target_paint_ratio"] = 0.5
        any_smallest = min([r["page_MB"] for r in others] or [smallest])
        ours["ratio_size_any_page"] = ours["page_MB"] / any_smallest
        any_fastest = min([r["paint_ms"] for r in painted] or [fastest])
        ours["ratio_paint_any_page"] = ours["paint_ms"] / any_fastest
        ours["met"] = ours["ratio"] <= 0.25 and ours["ratio_paint"] <= 0.5
    for r in rows[1:]:  # ours / theirs, as in our row
        if not math.isnan(r.get("page_MB", float("nan"))):
            r["ratio"] = ours["page_MB"] / r["page_MB"]
        if not math.isnan(r.get("paint_ms", float("nan"))):
            r["ratio_paint"] = ours["paint_ms"] / r["paint_ms"]
