"""Drive JupyterLab, Notebook 7 and Voila headless, and the widget inside them.

Servers
    :func:`jupyter_server` starts one app on a free loopback port. Every directory Jupyter
    would read or write for the user (runtime, config, data, settings, workspaces) lives in a
    temp dir, so the tests neither see nor change the machine's Jupyter setup; the kernel
    imports ``attnwidget`` from this checkout (``PYTHONPATH``).

Pages
    :func:`open_notebook`, :func:`run_all` and :func:`kernel_exec` work in JupyterLab and
    Notebook 7, which both expose ``window.jupyterapp`` when started by this module.

Widget
    :func:`widget_root`, :func:`kernel_state`, :func:`settled_state`, :func:`expect_numbers`,
    :func:`expect_active_score`: what the tests need to compare the page with the kernel.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail, in CI) before any test body runs
    PlaywrightError = Exception
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page, Playwright

__all__ = [
    "ARTIFACTS",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "NOTEBOOK",
    "REPO_ROOT",
    "WEIGHT_CELLS",
    "KernelError",
    "Server",
    "ServerError",
    "expect",
    "expect_active_score",
    "expect_numbers",
    "flat",
    "jupyter_server",
    "kernel_exec",
    "kernel_json",
    "kernel_state",
    "launch_chromium",
    "open_notebook",
    "read_numbers",
    "run_all",
    "settled_state",
    "widget_root",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"  # screenshots of every run (gitignored)
NOTEBOOK = "NB.ipynb"  # the test notebook's name, in its fresh directory

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


# --- servers ------------------------------------------------------------------------------

TOKEN = "attnwidget-browser-tests"  # loopback only
APPS = ("lab", "notebook", "voila")
STARTUP_TIMEOUT_S = 60.0
SHUTDOWN_TIMEOUT_S = 10.0


class ServerError(RuntimeError):
    """A Jupyter server did not start; the message ends with its log."""


class KernelError(RuntimeError):
    """Code sent with :func:`kernel_exec` raised in the kernel."""


@dataclass
class Server:
    """A running Jupyter server.

    Attributes
    ----------
    app : str
        ``"lab"``, ``"notebook"`` or ``"voila"``.
    port : int
    root_dir : Path
        The directory it serves (Voila: the notebook's directory).
    log_path : Path
        Its stdout and stderr.
    proc : subprocess.Popen
    startup_s : float
        Seconds from launch to the first answer.
    """

    app: str
    port: int
    root_dir: Path
    log_path: Path
    proc: subprocess.Popen
    startup_s: float = 0.0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        """``path`` on this server, carrying the token (Voila runs without one)."""
        if self.app == "voila":
            return self.base_url + path
        sep = "&" if "?" in path else "?"
        return f"{self.base_url}{path}{sep}token={TOKEN}"

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError as exc:
            return f"(no log: {exc})"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyter_server(
    app: str, root_dir: Path, notebook: str | None = None, *, extra_args: Sequence[str] = ()
) -> Iterator[Server]:
    """Run ``app`` on a free loopback port for the duration of the ``with`` block.

    Parameters
    ----------
    app : {"lab", "notebook", "voila"}
    root_dir : Path
        What Lab and Notebook serve; Voila's working directory.
    notebook : str, optional
        Voila only: the notebook it renders at ``/`` (relative to ``root_dir``).
    extra_args : sequence of str
        Appended to the server's command line (e.g. ``--config=FILE``).

    Raises
    ------
    ServerError
        If the server exits or does not answer within a minute; the message has its log.
    """
    if app not in APPS:
        raise ValueError(f"app must be one of {APPS}, got {app!r}")
    if app == "voila" and notebook is None:
        raise ValueError("voila needs a notebook")
    tmp = Path(tempfile.mkdtemp(prefix=f"attnwidget-{app}-"))
    try:
        server = _start(app, Path(root_dir), notebook, tmp, tuple(extra_args))
        try:
            yield server
        finally:
            _stop(server)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _environment(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_PATH", "JUPYTER_PATH", "JUPYTER_TOKEN"):
        env.pop(name, None)
    env.update(
        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
        JUPYTER_CONFIG_DIR=str(tmp / "config"),
        JUPYTER_DATA_DIR=str(tmp / "data"),
        IPYTHONDIR=str(tmp / "ipython"),
        PYTHONUNBUFFERED="1",
        # The kernel must import attnwidget (and its bundle) from this checkout.
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])),
    )
    return env


def _write_settings(tmp: Path) -> Path:
    """User settings with no news and no update checks (no pop-up over the notebook)."""
    settings = tmp / "user-settings"
    notification = settings / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    return settings


def _command(app: str, port: int, root_dir: Path, notebook: str | None, tmp: Path) -> list[str]:
    if app == "voila":
        return [
            sys.executable,
            "-m",
            "voila",
            str(notebook),
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            "--Voila.port_retries=0",
            "--show_tracebacks=True",
        ]
    module, app_class = (
        ("jupyterlab", "LabApp") if app == "lab" else ("notebook", "JupyterNotebookApp")
    )
    command = [
        sys.executable,
        "-m",
        module,
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={root_dir}",
        f"--LabServerApp.user_settings_dir={_write_settings(tmp)}",
        f"--LabServerApp.workspaces_dir={tmp / 'workspaces'}",
        f"--{app_class}.expose_app_in_browser=True",
    ]
    if app == "lab":
        command += [
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
    return command


def _start(
    app: str, root_dir: Path, notebook: str | None, tmp: Path, extra_args: tuple[str, ...] = ()
) -> Server:
    port = free_port()
    log_path = tmp / "server.log"
    started = time.monotonic()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [*_command(app, port, root_dir, notebook, tmp), *extra_args],
            cwd=root_dir,
            env=_environment(tmp),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kernels included, see _stop
        )
    server = Server(app, port, root_dir, log_path, proc)
    # Lab and Notebook answer /api/status once ready. Voila executes the notebook on GET /,
    # so ask for a page that does not exist: any HTTP answer means it is up.
    probe = "/api/status" if app != "voila" else "/__attnwidget_ready__"
    try:
        _wait_until_answering(server, server.url(probe))
    except ServerError as exc:
        _stop(server)
        raise ServerError(f"{exc}\n--- {app} server log ---\n{server.log()}") from None
    server.startup_s = time.monotonic() - started
    return server


def _wait_until_answering(server: Server, url: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise ServerError(f"{server.app} exited with code {server.proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise ServerError(f"{server.app} did not answer {url} within {STARTUP_TIMEOUT_S:.0f} s")


def _stop(server: Server) -> None:
    """Graceful first (Lab/Notebook: the shutdown API also stops kernels; Voila: SIGTERM),
    then anything left in the server's process group is terminated."""
    proc = server.proc
    if proc.poll() is None:
        if server.app == "voila":
            proc.send_signal(signal.SIGTERM)
        else:
            request = urllib.request.Request(server.url("/api/shutdown"), method="POST", data=b"")
            with contextlib.suppress(OSError):
                urllib.request.urlopen(request, timeout=5).close()
        try:
            proc.wait(timeout=SHUTDOWN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    _reap_group(proc.pid)


def _reap_group(pgid: int) -> None:
    """Stop what is left of the process group we created (e.g. a kernel Voila left behind)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


# --- JupyterLab / Notebook 7 pages -----------------------------------------------------------

_KERNEL = "window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel"

_NOTEBOOK_READY = f"""(path) => {{
    const panel = window.jupyterapp?.shell?.currentWidget;
    const kernel = {_KERNEL};
    return panel?.context?.path === path && !!kernel
        && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}}"""

# Wraps a promise so page.evaluate cannot hang forever on a kernel that never answers.
_WITH_DEADLINE = """
const withDeadline = (promise, ms, what) => {
    let timer;
    const late = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
};
"""

_RUN_ALL = f"""async (ms) => {{
    {_WITH_DEADLINE}
    const run = window.jupyterapp.commands.execute('notebook:run-all-cells');
    return await withDeadline(run, ms, 'notebook:run-all-cells');
}}"""

_EXECUTE = f"""async ([code, ms]) => {{
    {_WITH_DEADLINE}
    const kernel = {_KERNEL};
    if (!kernel) throw new Error('no kernel in the current notebook');
    const stdout = [], stderr = [], errors = [];
    const future = kernel.requestExecute({{code, silent: false, store_history: false}});
    future.onIOPub = (msg) => {{
        const c = msg.content;
        switch (msg.header.msg_type) {{
            case 'stream': (c.name === 'stdout' ? stdout : stderr).push(c.text); break;
            case 'error': errors.push([`${{c.ename}}: ${{c.evalue}}`, ...c.traceback].join('\\n'));
        }}
    }};
    const reply = await withDeadline(future.done, ms, 'kernel');
    return {{stdout: stdout.join(''), stderr: stderr.join(''), errors,
             status: reply.content.status}};
}}"""

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def open_notebook(page: Page, server: Server, path: str, *, timeout_ms: float = 60_000) -> None:
    """Open ``path`` in Lab or Notebook 7 and wait until its kernel is connected and idle."""
    if server.app == "lab":
        page.goto(server.url(f"/lab/tree/{path}") + "&reset")
    elif server.app == "notebook":
        page.goto(server.url(f"/notebooks/{path}"))
    else:
        raise ValueError(f"open_notebook needs Lab or Notebook 7, not {server.app}")
    page.wait_for_function(_NOTEBOOK_READY, arg=path, timeout=timeout_ms)


def run_all(page: Page, *, timeout_ms: float = 60_000) -> None:
    """Run every cell of the current notebook and wait until they have run."""
    page.evaluate(_RUN_ALL, timeout_ms)


def kernel_exec(page: Page, code: str, *, timeout_ms: float = 30_000) -> str:
    """Run ``code`` in the current notebook's kernel, no cell involved; return its stdout.

    Raises
    ------
    KernelError
        If the code raised (the message has the traceback and stderr).
    """
    result = page.evaluate(_EXECUTE, [code, timeout_ms])
    if result["errors"] or result["status"] != "ok":
        details = "\n".join(_ANSI.sub("", e) for e in result["errors"]) or result["status"]
        raise KernelError(f"kernel raised running:\n{code}\n{details}\n{result['stderr']}")
    return result["stdout"]


# --- the widget ---------------------------------------------------------------------------

_STATE_CODE = """print(__import__("json").dumps({
    "score": w.score, "Q": w.Q.tolist(), "weights": w.weights.tolist(),
    "error": w.error, "edit_id": w.edit_id, "result_id": w.result_id}))"""


def widget_root(page: Page) -> Locator:
    """The widget's root element (exactly one on the page)."""
    return page.locator(".attnwidget")


def kernel_json(page: Page, expr: str) -> Any:
    """The value of a Python expression in the kernel, through JSON."""
    return json.loads(kernel_exec(page, f"import json; print(json.dumps({expr}))"))


def wait_for_kernel(page: Page, expr: str, want: Any, *, tries: int = 50) -> Any:
    """Poll a Python expression in the kernel until it equals ``want`` (an edit from the page
    reaches the kernel after a round trip); returns its last value, for the caller to assert."""
    value = kernel_json(page, expr)
    for _ in range(tries):
        if value == want:
            break
        value = kernel_json(page, expr)
    return value


def write_notebook(root: Path, *cells: str, name: str = NOTEBOOK) -> Path:
    """Write a notebook of code ``cells`` (Python 3 kernel) into ``root``; returns its path."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    path = root / name
    nbformat.write(nb, path)
    return path


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
