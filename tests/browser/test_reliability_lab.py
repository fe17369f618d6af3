"""Reliability in a real JupyterLab: bursts of edits, two views, hostile tokens, heads."""

from __future__ import annotations

import numpy as np
import pytest
from harness import (
    WEIGHT_CELLS,
    expect,
    expect_numbers,
    flat,
    kernel_exec,
    kernel_json,
    run_notebook,
)

pytestmark = pytest.mark.browser

HOSTILE = [
    '<img src=x onerror="window.__pwned=1">',
    "<script>window.__pwned=1</script>",
    "\"'><svg onload=window.__pwned=1>",
    "\u202eevil",
]

# Sends comm messages straight to the kernel, as a frontend does, without any coalescing.
_RAW_BURST = """async ([commId, count]) => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const t0 = performance.now();
    for (let i = 1; i <= count; i++) {
        kernel.sendShellMessage({
            header: { msg_id: crypto.randomUUID(), msg_type: "comm_msg", username: "",
                      session: kernel.clientId, date: new Date().toISOString(), version: "5.3" },
            parent_header: {}, metadata: {}, channel: "shell", buffers: [],
            content: { comm_id: commId,
                       data: { method: "update", buffer_paths: [],
                               state: { temperature: 0.5 + i / 1000, edit_id: 100000 + i } } },
        }, false, true);
    }
    return performance.now() - t0;
}"""


def test_a_burst_of_1000_edits_keeps_the_kernel_responsive(tab, lab, notebook_dir):
    run_notebook(
        tab,
        lab,
        notebook_dir,
        "from attnwidget import AttentionWidget\nw = AttentionWidget()\nw",
        "import resource\nrss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss",
    )
    root = tab.locator(".attnwidget")
    expect(root).to_have_attribute("data-state", "ready")
    # 1) 1000 raw edits, no coalescing: every one reaches the kernel
    comm_id = kernel_exec(tab, "print(w.model_id)").strip()
    tab.evaluate(_RAW_BURST, [comm_id, 1000])
    state = None
    for _ in range(100):
        # (a shared 2-core machine may take over 30 s, the harness's default, to work through
        # the burst before it answers: what is asserted is that every edit arrives and applies)
        state = kernel_json(
            tab, "{'t': w.temperature, 'r': w.result_id, 'e': w.error}", timeout_ms=120_000
        )
        if state["r"] == 101000:
            break
    assert state == {"t": 1.5, "r": 101000, "e": ""}
    # 2) 1000 edits typed into the page at once: coalesced, the last one wins
    last = tab.evaluate("""() => {
        const cell = document.querySelector('input[data-query="0"][data-dim="0"]');
        let v = 0;
        for (let i = 1; i <= 1000; i++) {
            v = i / 100;
            cell.value = String(v);
            cell.dispatchEvent(new Event('change', { bubbles: true }));
        }
        return v;
    }""")
    expect(root).to_have_attribute("data-state", "ready", timeout=30_000)
    q00 = kernel_json(tab, "w.Q[0, 0]")
    assert q00 == last
    weights = kernel_json(tab, "w.weights.tolist()")
    expect_numbers(tab, WEIGHT_CELLS, flat(weights), abs_tol=1e-6)
    grown_kb = int(
        kernel_exec(tab, "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0)").strip()
    )
    assert grown_kb < 50_000, f"kernel memory grew by {grown_kb} KB"
    log = lab.log()
    assert "Traceback" not in log and "Error" not in log.split("Kernel started")[-1], log[-3000:]


def test_two_views_of_one_widget_stay_in_sync(tab, lab, notebook_dir):
    run_notebook(
        tab,
        lab,
        notebook_dir,
        "from attnwidget import AttentionWidget\nw = AttentionWidget()\ndisplay(w)\ndisplay(w)",
    )
    views = tab.locator(".attnwidget")
    expect(views).to_have_count(2)
    first, second = views.nth(0), views.nth(1)
    cell = first.locator('input[data-query="2"][data-dim="1"]')
    cell.fill("1.25")
    cell.press("Enter")
    for view in (first, second):
        expect(view).to_have_attribute("data-state", "ready")
        expect(view.locator('input[data-query="2"][data-dim="1"]')).to_have_value("1.25")
    second.locator('button[data-score="concat"]').click()
    for view in (first, second):
        expect(view.locator('button[data-score="concat"]')).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(view).to_have_attribute("data-state", "ready")
    weights = flat(kernel_json(tab, "w.weights.tolist()"))
    assert kernel_json(tab, "[w.score, w.Q[2, 1]]") == ["concat", 1.25]
    for index in (0, 1):
        cells = f'.attnwidget >> nth={index} >> table[data-view="weights"] td[data-value]'
        got = [
            float(v)
            for v in tab.locator(cells).evaluate_all(
                "els => els.map(e => e.getAttribute('data-value'))"
            )
        ]
        np.testing.assert_allclose(got, weights, atol=1e-6)


def test_hostile_tokens_are_text_in_the_live_widget(tab, lab, notebook_dir):
    run_notebook(
        tab,
        lab,
        notebook_dir,
        f"""from attnwidget import AttentionWidget
import numpy as np
tokens = {HOSTILE!r}
K = np.random.default_rng(0).normal(size=(4, 3))
w = AttentionWidget(K[:2], K, query_tokens=tokens[:2], key_tokens=tokens)
w""",
    )
    root = tab.locator(".attnwidget")
    expect(root).to_have_attribute("data-state", "ready")
    heat = root.locator('canvas[data-view="heatmap"]')
    box = heat.bounding_box()
    tab.mouse.move(box["x"] + 4, box["y"] + 4)
    expect(root.locator('[data-role="tooltip"]')).to_contain_text(HOSTILE[0])
    headers = [
        t.strip() for t in root.locator('table[data-view="weights"] thead th').all_inner_texts()
    ]
    for token in HOSTILE:
        assert token in headers
    assert tab.evaluate("window.__pwned") is None
    assert root.locator("img, script, iframe, svg [onload]").count() == 0
