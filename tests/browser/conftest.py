"""Fixtures for the real-browser tests: system Chromium, a fresh notebook, Jupyter servers.

Without Playwright or Chromium these tests are skipped, except when
``ATTNWIDGET_REQUIRE_BROWSER=1`` (set by CI): then they fail.

``chromium`` and ``tab`` launch the system Chromium (Playwright's own build cannot be
downloaded here). They are named apart from pytest-playwright's ``browser`` and ``page``, so
that plugin neither parametrizes these tests nor is needed to run them.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import (
    ARTIFACTS,
    CHROMIUM,
    NOTEBOOK,
    REPO_ROOT,
    Server,
    jupyter_server,
    launch_chromium,
    marimo_server,
    write_notebook,
)

WIDGET_CODE = "from attnwidget import AttentionWidget\nw = AttentionWidget()\nw"
BUNDLE = REPO_ROOT / "attnwidget" / "static" / "widget.js"
REQUIRE_BROWSER = os.environ.get("ATTNWIDGET_REQUIRE_BROWSER") == "1"

_servers = pytest.StashKey[list]()
_console = pytest.StashKey[list]()


def _unavailable(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason}; ATTNWIDGET_REQUIRE_BROWSER=1 requires the browser tests")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """Headless system Chromium, shared by the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[dev]')")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)  # slow CI machines; each wait still ends on success
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def tab(chromium, request: pytest.FixtureRequest) -> Iterator:
    """A fresh light-theme page in its own browser context. When the test fails: a
    screenshot in test-artifacts/, and the browser console in the report."""
    context = chromium.new_context(viewport={"width": 1280, "height": 1400}, color_scheme="light")
    context.set_default_timeout(30_000)
    page = context.new_page()
    console = request.node.stash.setdefault(_console, [])
    page.on("pageerror", lambda exc: console.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: msg.type in ("error", "warning") and console.append(f"{msg.type}: {msg.text}"),
    )
    yield page
    context.close()


@pytest.fixture(scope="session")
def frontend_bundle() -> Path:
    """The built frontend; the browser tests are meaningless with the placeholder."""
    if not BUNDLE.is_file() or BUNDLE.stat().st_size < 1000:
        pytest.fail(
            f"{BUNDLE.relative_to(REPO_ROOT)} is missing or a placeholder: "
            "run `cd js && npm run build` (or `make setup`)"
        )
    return BUNDLE


@pytest.fixture
def notebook_dir(tmp_path: Path, frontend_bundle: Path) -> Path:
    """A fresh directory holding NB.ipynb, whose one cell displays ``AttentionWidget()``."""
    write_notebook(tmp_path, WIDGET_CODE)
    return tmp_path


def _serve(request: pytest.FixtureRequest, app: str, root: Path) -> Iterator[Server]:
    with jupyter_server(app, root, notebook=NOTEBOOK if app == "voila" else None) as server:
        request.node.stash.setdefault(_servers, []).append(server)
        yield server


@pytest.fixture
def lab(request: pytest.FixtureRequest, notebook_dir: Path) -> Iterator[Server]:
    """JupyterLab serving ``notebook_dir``."""
    yield from _serve(request, "lab", notebook_dir)


@pytest.fixture
def notebook7(request: pytest.FixtureRequest, notebook_dir: Path) -> Iterator[Server]:
    """Notebook 7 serving ``notebook_dir``."""
    yield from _serve(request, "notebook", notebook_dir)


@pytest.fixture
def voila(request: pytest.FixtureRequest, notebook_dir: Path) -> Iterator[Server]:
    """Voila rendering NB.ipynb at ``/``."""
    yield from _serve(request, "voila", notebook_dir)


@pytest.fixture
def marimo_app(request: pytest.FixtureRequest, frontend_bundle: Path) -> Iterator:
    """``marimo_app(app_file)``: ``marimo run`` serving that app until the test ends."""
    with contextlib.ExitStack() as stack:

        def serve(app_file: Path) -> Server:
            server = stack.enter_context(marimo_server(app_file))
            request.node.stash.setdefault(_servers, []).append(server)
            return server

        yield serve


def _screenshot_failure(item: pytest.Item) -> None:
    """The page as the test left it, taken before fixtures stop its server."""
    page = getattr(item, "funcargs", {}).get("tab")
    if page is None or page.is_closed():
        return
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", item.name)
    try:
        page.screenshot(path=ARTIFACTS / f"failed-{name}.png", full_page=True)
    except Exception as exc:  # a report must not fail because of its screenshot
        item.stash.setdefault(_console, []).append(f"(no failure screenshot: {exc})")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """On failure: a screenshot, the servers' logs and the browser console in the report."""
    report = yield
    if report.failed:
        if report.when == "call":
            _screenshot_failure(item)
        for server in item.stash.get(_servers, []):
            report.sections.append((f"{server.app} server log", server.log()[-30_000:]))
        console = item.stash.get(_console, [])
        if console:
            report.sections.append(("browser console", "\n".join(console)[-30_000:]))
    return report
