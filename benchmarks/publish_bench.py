"""Benchmark 8, ``publish``: one executed notebook holding six different widgets, exported by
``jupyter nbconvert --to attnwidget`` (the frontend once), against the same six widgets as six
``to_html`` pages (the frontend six times): bytes, and first paint of the notebook page against
one ``to_html`` page, both measured in the same run."""

from __future__ import annotations

import gzip
import os
import pathlib
import shutil
import tempfile
import time
from typing import Any

from browser_session import headless_chromium, pct, skipped, unavailable
from export_bench import _CANVAS_DRAWN, _PAINT_CONDITIONS, _first_paint

# Six different widgets: the built-in example under two score functions, random inputs of
# d = 8 and d = 16, a causal mask, and AttentionHeads. The same cells make the notebook and,
# run here, the six widgets of the to_html pages (the same seed: the same inputs).
SETUP = "from attnwidget import AttentionWidget\nimport numpy as np\nrng = np.random.default_rng(0)"
WIDGETS = [
    "AttentionWidget()",
    "AttentionWidget(score='additive')",
    "AttentionWidget(rng.standard_normal((4, 8)), rng.standard_normal((8, 8)), score='dot')",
    "X = rng.standard_normal((5, 4))\nAttentionWidget(X, X, mask=np.tril(np.ones((5, 5), bool)))",
    "AttentionWidget(rng.standard_normal((6, 16)), rng.standard_normal((10, 16)),"
    " score='general', temperature=0.5)",
    "AttentionWidget.from_weights(rng.dirichlet(np.ones(12), size=(2, 4, 12)),"
    " [f't{i}' for i in range(12)])",
]

# Every widget of the page is ready and its first canvas (the heatmap) drawn.
_ALL_DRAWN = f"""() => {{
    const roots = [...document.querySelectorAll('.attnwidget')];
    return roots.length === 6 && roots.every((r) => r.dataset.state === 'ready'
        && ({_CANVAS_DRAWN})(r.querySelector('canvas[data-view="heatmap"]')
                             ?? r.querySelector('canvas')));
}}"""


def _widgets() -> list[Any]:
    """The six widgets, made here by the notebook's own cells."""
    namespace: dict[str, Any] = {}
    exec(SETUP, namespace)  # noqa: S102 - our own cells
    made = []
    for cell in WIDGETS:
        *body, last = cell.split("\n")
        exec("\n".join(body), namespace)  # noqa: S102
        made.append(eval(last, namespace))  # noqa: S307
    return made


def _notebook_page(tmp: pathlib.Path) -> pathlib.Path:
    """The six cells executed (widget state stored) and exported by the attnwidget exporter."""
    import nbformat
    from nbclient import NotebookClient

    from attnwidget.publish.nbconvert import AttnwidgetExporter

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in [SETUP, *WIDGETS]]
    os.environ.setdefault("MPLBACKEND", "Agg")
    NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(tmp)}}).execute()
    page, _ = AttnwidgetExporter().from_notebook_node(nb)
    path = tmp / "notebook.html"
    path.write_text(page, encoding="utf-8")
    return path


def _paints(browser: Any, path: pathlib.Path, condition: str, reps: int) -> dict[str, Any]:
    paints, external = [], []
    for _ in range(reps):
        fp = _first_paint(browser, path, condition, 60_000)
        external += fp["external"]
        if fp["paint_ms"] is None:
            break
        paints.append(fp["paint_ms"])
    return {
        "paint_ms": pct(paints, 50) if paints else float("nan"),
        "paint_runs": len(paints),
        "external_requests_blocked": ", ".join(sorted(set(external))),
    }


def publish(quick: bool) -> list[dict[str, Any]]:
    """8. The exporter's notebook page of six widgets vs six to_html pages: bytes (target
    <= 0.4 x the six pages' total) and first paint (target <= 1.5 x one page's)."""
    reason = unavailable()
    if reason:
        return skipped(reason)
    reps = 3 if quick else 9
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="attnwidget-bench-publish-"))
    try:
        t = time.perf_counter()
        notebook = _notebook_page(tmp)
        export_s = time.perf_counter() - t
        pages = []
        for i, widget in enumerate(_widgets()):
            pages.append(tmp / f"page{i}.html")
            widget.to_html(pages[-1])
        sizes = {
            "six": sum(p.stat().st_size for p in pages),
            "six_gzip": sum(len(gzip.compress(p.read_bytes(), 6)) for p in pages),
            "nb": notebook.stat().st_size,
            "nb_gzip": len(gzip.compress(notebook.read_bytes(), 6)),
        }
        first = _PAINT_CONDITIONS["attnwidget"]
        with headless_chromium() as browser:
            one = _paints(browser, pages[0], first, reps)  # the first widget's own page
            nb_first = _paints(browser, notebook, first, reps)  # the page's first widget
            nb_all = _paints(browser, notebook, _ALL_DRAWN, reps)  # all six drawn
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    bytes_ratio = sizes["nb"] / sizes["six"]
    paint_ratio = nb_first["paint_ms"] / one["paint_ms"]
    return [
        {
            "page": "notebook (--to attnwidget), six widgets",
            "KB": sizes["nb"] / 1e3,
            "gzip_KB": sizes["nb_gzip"] / 1e3,
            "paint_ms": nb_first["paint_ms"],
            "paint_all_six_ms": nb_all["paint_ms"],
            "paint_runs": nb_first["paint_runs"],
            "make_s": export_s,
            "ratio_bytes": bytes_ratio,
            "ratio_gzip_bytes": sizes["nb_gzip"] / sizes["six_gzip"],
            "ratio_paint": paint_ratio,
            "ratio_paint_all_six": nb_all["paint_ms"] / one["paint_ms"],
            "target": "bytes <= 0.4, paint <= 1.5",
            "met": bytes_ratio <= 0.4 and paint_ratio <= 1.5,
            "external_requests_blocked": nb_first["external_requests_blocked"]
            + nb_all["external_requests_blocked"],
        },
        {
            "page": "six to_html pages (total); paint: the first one",
            "KB": sizes["six"] / 1e3,
            "gzip_KB": sizes["six_gzip"] / 1e3,
            "paint_ms": one["paint_ms"],
            "paint_runs": one["paint_runs"],
            "ratio_bytes": 1.0,  # the baselines of the ratios above
            "ratio_paint": 1.0,
            "external_requests_blocked": one["external_requests_blocked"],
        },
    ]
