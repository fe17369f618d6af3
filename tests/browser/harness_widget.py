"""The widget in a page, against its kernel: what the browser tests need to compare the two
(the root element, the kernel's state, the numbers the page shows, the active score)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from harness_pages import kernel_exec

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail, in CI) before any test body runs
    PlaywrightError = Exception
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

__all__ = [
    "WEIGHT_CELLS",
    "expect",
    "expect_active_score",
    "expect_numbers",
    "flat",
    "kernel_state",
    "read_numbers",
    "settled_state",
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


def flat(matrix: Sequence[Sequence[float]]) -> list[float]:
    """Row-major values of a nested list."""
    return [float(v) for row in matrix for v in row]


# Reads numbers from the elements matching a selector, in document order (or ordered by an
# attribute), preferring an exact data-value attribute over what is displayed.
_READ_NUMBERS = """([selector, orderBy]) => {
    let els = Array.from(document.querySelectorAll(selector));
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
