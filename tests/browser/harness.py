"""Drive JupyterLab, Notebook 7 and Voila headless, and the widget inside them.

The browser tests (and ``benchmarks/``) import every name from here; each part lives in its
own module, whose ``__all__`` says what it gives:

Servers (:mod:`harness_servers`)
    :func:`jupyter_server` starts one app on a free loopback port. Every directory Jupyter
    would read or write for the user (runtime, config, data, settings, workspaces) lives in a
    temp dir, so the tests neither see nor change the machine's Jupyter setup; the kernel
    imports ``attnwidget`` from this checkout (``PYTHONPATH``).

Pages (:mod:`harness_pages`)
    :func:`write_notebook`, :func:`open_notebook`, :func:`run_all`, :func:`kernel_exec`,
    :func:`kernel_json` and :func:`wait_for_kernel` work in JupyterLab and Notebook 7, which
    both expose ``window.jupyterapp`` when started by :func:`jupyter_server`.

Widget (:mod:`harness_widget`)
    :func:`widget_root`, :func:`kernel_state`, :func:`settled_state`, :func:`expect_numbers`,
    :func:`expect_active_score`: what the tests need to compare the page with the kernel.

CDN stand-ins (:mod:`harness_cdn`)
    :func:`serve_offline` opens pages that load their frontend from a CDN with no network:
    local copies of those files answer (:func:`stock_html_routes`, :func:`marimo_routes`),
    every other request is aborted and recorded.

The browser (here)
    :func:`launch_chromium`: the system Chromium, headless.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import harness_cdn
import harness_pages
import harness_servers
import harness_widget
from harness_cdn import *  # noqa: F403
from harness_pages import *  # noqa: F403
from harness_servers import *  # noqa: F403
from harness_widget import *  # noqa: F403

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

__all__ = [
    "ARTIFACTS",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "launch_chromium",
    *harness_cdn.__all__,
    *harness_pages.__all__,
    *harness_servers.__all__,
    *harness_widget.__all__,
]

ARTIFACTS = harness_servers.REPO_ROOT / "test-artifacts"  # screenshots of every run (gitignored)

# --- the browser --------------------------------------------------------------------------

CHROMIUM = os.environ.get("ATTNWIDGET_CHROMIUM", "/usr/bin/chromium")
# Playwright adds --headless, its own temp profile and its own --disable-* set; these are
# the extras a root, display-less, offline machine needs.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def launch_chromium(playwright: Playwright, **kwargs: Any) -> Browser:
    """The system Chromium, headless (Playwright's own build cannot be downloaded here)."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS), **kwargs
    )
