"""Exported pages in a real browser, opened from disk with every network request aborted."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from harness import WEIGHT_CELLS, engine_weights, expect_numbers, open_offline, read_numbers
from playwright.sync_api import Page, expect

from attnwidget import SCORES, AttentionWidget

pytestmark = pytest.mark.browser

EDITOR = "input[data-query][data-dim]"
HOSTILE = [
    '<img src=x onerror="window.__pwned=1">',
    "<script>window.__pwned=1</script>",
    '"><svg onload="window.__pwned=1">',
    "</script><script>window.__pwned=1</script>",
    "\u202egnp.exe",
    "x" * 500,
]


def ready(page: Page) -> None:
    expect(page.locator(".attnwidget")).to_have_attribute("data-state", "ready")


def page_q(page: Page, m: int, d: int) -> np.ndarray:
    values = read_numbers(page, EDITOR)
    return np.array(values, dtype=float).reshape(m, d)


@pytest.fixture
def demo(tmp_path) -> tuple[AttentionWidget, Path]:
    w = AttentionWidget()
    path = tmp_path / "demo.html"
    w.to_html(path, title="demo")
    return w, path


def test_page_works_offline_and_every_score_matches_python(tab, demo):
    w, path = demo
    errors: list[str] = []
    tab.on("console", lambda m: m.type == "error" and errors.append(m.text))
    attempted = open_offline(tab, path)
    ready(tab)
    expect(tab.locator(".attnwidget")).to_have_attribute("data-mode", "static")
    for score in SCORES:
        tab.locator(f'button[data-score="{score}"]').click()
        expect(tab.locator(f'button[data-score="{score}"]')).to_have_attribute(
            "aria-pressed", "true"
        )
        ready(tab)
        expect_numbers(tab, WEIGHT_CELLS, engine_weights(w, w.Q, score).ravel(), abs_tol=1e-6)
    assert attempted == []
    assert errors == []  # includes Content-Security-Policy violations


def test_typing_a_query_value_recomputes_in_the_page(tab, demo):
    w, path = demo
    open_offline(tab, path)
    ready(tab)
    tab.locator('button[data-score="additive"]').click()
    cell = tab.locator('input[data-query="1"][data-dim="2"]')
    cell.fill("1.75")
    cell.press("Enter")
    ready(tab)
    Q = w.Q.copy()
    Q[1, 2] = 1.75
    expect_numbers(tab, WEIGHT_CELLS, engine_weights(w, Q, "additive").ravel(), abs_tol=1e-6)


@pytest.mark.parametrize("text", ["abc", "", "1, 2", "[1 2]", "1e999", "NaN"])
def test_bad_text_is_refused_and_keeps_the_last_good_weights(tab, demo, text):
    w, path = demo
    open_offline(tab, path)
    ready(tab)
    before = read_numbers(tab, WEIGHT_CELLS)
    cell = tab.locator('input[data-query="0"][data-dim="0"]')
    cell.fill(text)
    cell.press("Enter")
    error = tab.locator('[data-view="editor"] [data-role="input-error"]')  # by the field
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    assert error.inner_text().strip()
    assert read_numbers(tab, WEIGHT_CELLS) == before
    cell.fill("0.5")
    cell.press("Enter")
    expect(error).to_be_hidden()


def test_dragging_a_query_point_moves_the_query_and_the_weights_follow(tab, demo):
    w, path = demo
    open_offline(tab, path)
    ready(tab)
    point = tab.locator('[data-query-point="1"]')
    box = point.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    tab.mouse.move(x, y)
    tab.mouse.down()
    for step in range(1, 11):
        tab.mouse.move(x - 6 * step, y + 5 * step)
    tab.mouse.up()
    ready(tab)
    m, d = w.Q.shape
    Q = page_q(tab, m, d)
    assert np.abs(Q[1] - w.Q[1]).max() > 0.05, "the drag moved the query"
    np.testing.assert_allclose(Q[[0, 2]], w.Q[[0, 2]], atol=1e-9)
    # the inputs show 6 significant digits: compare within what that rounding allows
    expect_numbers(tab, WEIGHT_CELLS, engine_weights(w, Q, "scaled_dot").ravel(), abs_tol=1e-5)


def test_arrow_keys_move_a_focused_query_point(tab, demo):
    w, path = demo
    open_offline(tab, path)
    ready(tab)
    point = tab.locator('[data-query-point="0"]')
    point.focus()
    tab.keyboard.press("ArrowRight")
    ready(tab)
    Q = page_q(tab, *w.Q.shape)
    assert np.abs(Q[0] - w.Q[0]).max() > 1e-3


def test_hostile_tokens_and_title_are_shown_as_text(tab, tmp_path):
    K = np.random.default_rng(0).normal(size=(len(HOSTILE), 3))
    w = AttentionWidget(K[:2], K, query_tokens=HOSTILE[:2], key_tokens=HOSTILE)
    path = tmp_path / "hostile.html"
    w.to_html(path, title=HOSTILE[0])
    open_offline(tab, path)
    ready(tab)
    tab.locator('button[data-score="dot"]').click()
    heat = tab.locator('canvas[data-view="heatmap"]')
    box = heat.bounding_box()
    tab.mouse.move(box["x"] + 5, box["y"] + 5)
    expect(tab.locator('[data-role="tooltip"]')).to_contain_text(HOSTILE[0])
    ready(tab)
    assert tab.evaluate("window.__pwned") is None
    headers = tab.locator('table[data-view="weights"] thead th')
    texts = [t.strip() for t in headers.all_inner_texts()]
    for token in HOSTILE[:4]:
        assert token in texts
    assert tab.locator("h1").inner_text() == HOSTILE[0]
    assert tab.locator(".attnwidget img, .attnwidget script, .attnwidget iframe").count() == 0


@pytest.mark.parametrize("damage", ["truncate", "corrupt-json", "corrupt-buffer", "no-state"])
def test_damaged_page_shows_a_readable_error(tab, demo, damage):
    _, path = demo
    html = path.read_text()
    start = html.index('id="attnwidget-state">') + len('id="attnwidget-state">')
    if damage == "truncate":
        html = html[: start + 2000]
    elif damage == "corrupt-json":
        html = html[:start] + "{" + html[start + 40 :]
    elif damage == "corrupt-buffer":
        state_end = html.index("</script>", start)
        doc = json.loads(html[start:state_end])
        doc["buffers"][0]["data"] = "!!not base64!!"
        html = html[:start] + json.dumps(doc) + html[state_end:]
    else:
        html = re.sub(
            r'<script type="application/json" id="attnwidget-state">.*?</script>',
            "",
            html,
            flags=re.S,
        )
    path.write_text(html)
    open_offline(tab, path)
    error = tab.locator('[data-role="error"]').first
    expect(error).to_be_visible()
    assert "could not show" in error.inner_text() or error.inner_text().strip()
