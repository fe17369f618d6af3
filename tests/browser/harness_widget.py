"""The widget in a page, against its kernel: what the browser tests need to compare the two
(the root element, the kernel's state, the numbers the page shows, the active score)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from harness_pages import kernel_exec

from attnwidget import AttentionWidget, attention

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail, in CI) before any test body runs
    PlaywrightError = Exception
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

__all__ = [
    "QUERY_CELLS",
    "STATIC_STATUS",
    "WEIGHT_CELLS",
    "expect",
    "expect_active_score",
    "engine_weights",
    "expect_js_engine",
    "expect_numbers",
    "exact_q",
    "flat",
    "kernel_inputs",
    "kernel_state",
    "read_numbers",
    "settled_state",
    "statuses_seen",
    "watch_statuses",
    "widget_root",
]

_STATE_CODE = """print(__import__("json").dumps({
    "score": w.score, "Q": w.Q.tolist(), "weights": w.weights.tolist(),
    "error": w.error, "edit_id": w.edit_id, "result_id": w.result_id}))"""


def widget_root(page: Page) -> Locator:
    """The widget's root element (exactly one on the page)."""
    return page.locator(".attnwidget")


def kernel_state(page: Page) -> dict[str, Any]:
    """The kernel's ``w``: score, Q, weights (nested lists), error, edit_id, result_id."""
    return json.loads(kernel_exec(page, _STATE_CODE))


_INPUTS_CODE = """print(__import__("json").dumps({{
    "Q": {w}.Q.tolist(), "K": {w}.K.tolist(), "V": None if {w}.V is None else {w}.V.tolist(),
    "mask": None if {w}.mask is None else {w}.mask.tolist(), "temperature": {w}.temperature,
    "selected": {w}.selected_query, "score": {w}.score, "weights": {w}.weights.tolist(),
    "output": {w}.output.tolist(), "error": {w}.error,
    "param_sets": {{s: {{n: a.tolist() for n, a in p.items()}}
                   for s, p in {w}.param_sets.items()}}}}))"""


def kernel_inputs(page: Page, name: str = "w") -> dict[str, Any]:
    """The kernel's widget ``name``: its inputs (Q, K, V, mask, temperature, selected, score,
    param_sets) and results (weights, output, error), as JSON (for :func:`engine_weights`)."""
    return json.loads(kernel_exec(page, _INPUTS_CODE.format(w=name)))


def flat(matrix: Sequence[Sequence[float]]) -> list[float]:
    """Row-major values of a nested list."""
    return [float(v) for row in matrix for v in row]


# Reads numbers from the elements matching a selector, in document order (or ordered by an
# attribute), preferring an exact data-value attribute over what is displayed. When the
# document has none, they are looked for in shadow roots (marimo renders anywidgets in one).
_READ_NUMBERS = """([selector, orderBy]) => {
    const deep = (root) => [...root.querySelectorAll(selector), ...[...root.querySelectorAll('*')]
        .filter((e) => e.shadowRoot).flatMap((e) => deep(e.shadowRoot))];
    let els = Array.from(document.querySelectorAll(selector));
    if (els.length === 0) els = deep(document);
    const key = (e) => Number(e.getAttribute(orderBy));
    if (orderBy) els.sort((a, b) => key(a) - key(b));
    return els.map((e) => {
        const text = e.hasAttribute('data-value') ? e.getAttribute('data-value')
            : ('value' in e ? e.value : e.textContent);
        return text === null || text.trim() === '' ? null : Number(text);
    });
}"""

_NUMBERS_MATCH = f"""([selector, orderBy, want, rel, abs]) => {{
    const got = ({_READ_NUMBERS})([selector, orderBy]);
    return got.length === want.length && got.every((g, i) =>
        g !== null && Math.abs(g - want[i]) <= Math.max(abs, rel * Math.abs(want[i])));
}}"""


def read_numbers(page: Page, selector: str, order_by: str | None = None) -> list[float | None]:
    """Numbers shown by the elements matching ``selector`` (None where there is none)."""
    return page.evaluate(_READ_NUMBERS, [selector, order_by])


def expect_numbers(
    page: Page,
    selector: str,
    want: Sequence[float],
    *,
    order_by: str | None = None,
    rel_tol: float = 0.0,
    abs_tol: float = 1e-6,
    timeout_ms: float = 10_000,
) -> None:
    """Wait until the elements matching ``selector`` show ``want`` (within the tolerances).

    Each element contributes its ``data-value`` attribute if it has one, else its ``value``
    (inputs) or its text; it matches when ``|page - want| <= max(abs_tol, rel_tol * |want|)``.
    ``order_by`` names a numeric attribute to order them by (default: document order).

    Raises
    ------
    AssertionError
        With what the page showed, if it does not match within ``timeout_ms``.
    """
    want = [float(v) for v in want]
    try:
        page.wait_for_function(
            _NUMBERS_MATCH, arg=[selector, order_by, want, rel_tol, abs_tol], timeout=timeout_ms
        )
    except PlaywrightError:
        got = read_numbers(page, selector, order_by)
        bad = [
            f"  [{i}] page {g!r} != kernel {w!r}"
            for i, (g, w) in enumerate(zip(got, want, strict=False))
            if g is None or not math.isclose(g, w, rel_tol=rel_tol, abs_tol=abs_tol)
        ]
        raise AssertionError(
            f"{selector}: the page shows {len(got)} numbers, expected {len(want)} "
            f"(rel_tol {rel_tol:g}, abs_tol {abs_tol:g}) after {timeout_ms / 1000:g} s\n"
            + "\n".join(bad)
        ) from None


WEIGHT_CELLS = 'table[data-view="weights"] td[data-value]'
QUERY_CELLS = "input[data-query][data-dim]"  # the query editor, row-major
STATIC_STATUS = "static page \u00b7 JS engine"  # the status of a view run by the JS engine


def engine_weights(w: AttentionWidget | dict, Q: Any, score: str) -> np.ndarray:
    """The numpy engine's weights for the inputs of ``w`` (a widget, or a dict of its traits
    ``K``, ``V``, ``mask``, ``temperature`` and ``param_sets``, e.g. read from a kernel or a
    page as JSON) with queries ``Q`` and score function ``score``."""
    x = w if isinstance(w, dict) else {n: getattr(w, n) for n in _ENGINE_INPUTS}
    V, mask = (None if x[n] is None else np.asarray(x[n]) for n in ("V", "mask"))
    return attention(
        np.asarray(Q, dtype=float), np.asarray(x["K"]), V, score=score,
        params={n: np.asarray(a) for n, a in x["param_sets"][score].items()},
        mask=None if mask is None else mask.astype(bool), temperature=x["temperature"],
    ).weights  # fmt: skip


_ENGINE_INPUTS = ("K", "V", "mask", "temperature", "param_sets")


def exact_q(page: Page, shape: tuple[int, int]) -> list[list[float]]:
    """The page's Q, every digit (the editor's data-value attributes hold them)."""
    values = [float(v) for v in read_numbers(page, QUERY_CELLS)]
    m, d = shape
    assert len(values) == m * d, f"the editor shows {len(values)} values, not {m} x {d}"
    return [values[i * d : (i + 1) * d] for i in range(m)]


# Records every text the widget's status shows, from the first view on, in the document and
# in every shadow root (marimo renders anywidgets in one).
_WATCH_STATUSES = """() => {
    const seen = window.__attnwidgetStatuses = [];
    const roots = [document];
    const look = () => roots.forEach((r) => r.querySelectorAll('.aw-status').forEach(
        (s) => seen.push(s.textContent)));
    const watch = (root) => new MutationObserver(look).observe(root,
        {subtree: true, childList: true, characterData: true, attributes: true});
    const attach = Element.prototype.attachShadow;
    Element.prototype.attachShadow = function (init) {
        const root = attach.call(this, init);
        roots.push(root);
        watch(root);
        return root;
    };
    watch(document);
}"""


def watch_statuses(page: Page) -> None:
    """From the next page load on, record every text the widget's status shows (call
    before ``goto``; read with :func:`statuses_seen`)."""
    page.add_init_script(f"({_WATCH_STATUSES})()")


def statuses_seen(page: Page) -> set[str]:
    """Every text the status has shown since the page loaded (:func:`watch_statuses`)."""
    return set(page.evaluate("window.__attnwidgetStatuses"))


def settled_state(page: Page, *, timeout_ms: float = 15_000) -> dict[str, Any]:
    """Wait until the widget has no edit in flight, read the kernel's ``w``, and check that
    the page's weights table shows the kernel's weights (row-major, within 1e-6).

    Returns
    -------
    dict
        :func:`kernel_state`.
    """
    expect(widget_root(page)).to_have_attribute("data-state", "ready", timeout=timeout_ms)
    state = kernel_state(page)
    expect_numbers(page, WEIGHT_CELLS, flat(state["weights"]), abs_tol=1e-6)
    return state


def expect_active_score(page: Page, score: str) -> None:
    """Exactly the button of ``score`` is pressed."""
    buttons = page.locator("button[data-score]")
    expect(buttons.and_(page.locator('[aria-pressed="true"]'))).to_have_count(1)
    expect(page.locator(f'button[data-score="{score}"]')).to_have_attribute("aria-pressed", "true")


def expect_js_engine(page: Page, w: AttentionWidget) -> np.ndarray:
    """The page's widget (showing ``w``'s state, with no kernel) runs on its JS engine and never
    waits: static mode and the status of a to_html page; a click on ``additive`` and an arrow
    key on query point 0 each answered (``data-state`` ready) within a second, the weights the
    numpy engine's for the new state within 1e-9; 2.5 s later the status has shown nothing
    else (a live view would say "computing…", then "waiting for the kernel…") and no
    connection banner. Call after ``watch_statuses`` and ``goto``; returns the page's Q."""
    root = widget_root(page)
    expect(root).to_have_attribute("data-mode", "static")
    expect(root.locator(".aw-status")).to_have_text(STATIC_STATUS)
    expect(root).to_have_attribute("data-state", "ready")
    expect_numbers(page, WEIGHT_CELLS, w.weights.ravel(), abs_tol=1e-9)  # the stored state

    page.locator('button[data-score="additive"]').click()
    expect(root).to_have_attribute("data-state", "ready", timeout=1000)
    expect_numbers(page, WEIGHT_CELLS, engine_weights(w, w.Q, "additive").ravel(), abs_tol=1e-9)

    page.locator('[data-query-point="0"]').focus()
    page.keyboard.press("ArrowRight")
    expect(root).to_have_attribute("data-state", "ready", timeout=1000)
    Q = np.array(exact_q(page, w.Q.shape))
    assert np.abs(Q[0] - w.Q[0]).max() > 1e-3, "the arrow key moved query 0"
    np.testing.assert_array_equal(Q[1:], w.Q[1:])
    expect_numbers(page, WEIGHT_CELLS, engine_weights(w, Q, "additive").ravel(), abs_tol=1e-9)

    page.wait_for_timeout(2500)  # past the 2 s after which a live view says it waits
    expect(root).to_have_attribute("data-state", "ready", timeout=0)
    assert statuses_seen(page) == {STATIC_STATUS}  # never "computing…", never "waiting…"
    expect(root.locator('[data-role="connection"]')).to_be_hidden()
    return Q
