"""Servers for the browser tests: :func:`jupyter_server` starts JupyterLab, Notebook 7 or Voila,
:func:`marimo_server` runs a marimo app (``marimo run``), each on a free loopback port, and stops
it (and its kernels) afterwards.

Every directory Jupyter would read or write for the user (runtime, config, data, settings,
workspaces) lives in a temp dir, so the tests neither see nor change the machine's Jupyter
setup; the kernel imports ``attnwidget`` from this checkout (``PYTHONPATH``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "REPO_ROOT",
    "Server",
    "ServerError",
    "jupyter_server",
    "marimo_server",
    "run_tool",
]

REPO_ROOT = Path(__file__).resolve().parents[2]

TOKEN = "attnwidget-browser-tests"  # loopback only
APPS = ("lab", "notebook", "voila")
STARTUP_TIMEOUT_S = 60.0
SHUTDOWN_TIMEOUT_S = 10.0


class ServerError(RuntimeError):
    """A Jupyter server did not start; the message ends with its log."""


@dataclass
class Server:
    """A running Jupyter server (or marimo app).

    Attributes
    ----------
    app : str
        ``"lab"``, ``"notebook"``, ``"voila"`` or ``"marimo"``.
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
        """``path`` on this server, carrying the token (Voila and marimo run without one)."""
        if self.app in ("voila", "marimo"):
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
    def start(tmp: Path) -> Server:
        return _start(app, Path(root_dir), notebook, tmp, tuple(extra_args))

    with _serving(app, start) as server:
        yield server


@contextlib.contextmanager
def marimo_server(app_file: Path) -> Iterator[Server]:
    """``marimo run APP_FILE`` (headless, no token, no sandbox) on a free loopback port for the
    duration of the ``with`` block; marimo's config, cache and state live in a temp dir, and it
    does not look for updates.

    Raises
    ------
    ServerError
        If it exits or does not answer within a minute; the message has its log.
    """
    app_file = Path(app_file).resolve()

    def start(tmp: Path) -> Server:
        port = free_port()
        command = [
            sys.executable, "-m", "marimo", "run", app_file.name,
            "--headless", "--no-token", "--no-sandbox", "--host=127.0.0.1", f"--port={port}",
        ]  # fmt: skip
        marimo_env = {
            "XDG_CONFIG_HOME": str(tmp / "xdg-config"),  # marimo's user config and state
            "XDG_STATE_HOME": str(tmp / "xdg-state"),
            "MARIMO_SKIP_UPDATE_CHECK": "1",
        }
        return _launch("marimo", command, port, app_file.parent, tmp, "/health", marimo_env)

    with _serving("marimo", start) as server:
        yield server


def run_tool(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600
) -> None:
    """Run a command-line tool (nbconvert, sphinx, mkdocs, marimo, ...) as an author does, its
    Python importing attnwidget from this checkout, with matplotlib's Agg backend and the
    variables ``env`` adds; fails the test with the tail of its output unless it exits with 0."""
    full = dict(os.environ, MPLBACKEND="Agg", **(env or {}))
    full["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), full.get("PYTHONPATH")]))
    done = subprocess.run(args, cwd=cwd, env=full, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, (
        f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )


@contextlib.contextmanager
def _serving(app: str, start: Callable[[Path], Server]) -> Iterator[Server]:
    """``start(tmp)`` with a fresh temp dir; the server is stopped and the dir removed after."""
    tmp = Path(tempfile.mkdtemp(prefix=f"attnwidget-{app}-"))
    try:
        server = start(tmp)
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
    command = [*_command(app, port, root_dir, notebook, tmp), *extra_args]
    # Lab and Notebook answer /api/status once ready. Voila executes the notebook on GET /,
    # so ask for a page that does not exist: any HTTP answer means it is up.
    probe = "/api/status" if app != "voila" else "/__attnwidget_ready__"
    return _launch(app, command, port, root_dir, tmp, probe)


def _launch(
    app: str,
    command: list[str],
    port: int,
    root_dir: Path,
    tmp: Path,
    probe: str,
    env: dict[str, str] | None = None,
) -> Server:
    """Start ``command`` (``env`` added to the environment) in its own process group; return
    once ``probe`` answers."""
    log_path = tmp / "server.log"
    started = time.monotonic()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command,
            cwd=root_dir,
            env={**_environment(tmp), **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kernels included, see _stop
        )
    server = Server(app, port, root_dir, log_path, proc)
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
    """Graceful first (Lab/Notebook: the shutdown API also stops kernels; Voila, marimo:
    SIGTERM), then anything left in the server's process group is terminated."""
    proc = server.proc
    if proc.poll() is None:
        if server.app in ("voila", "marimo"):
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
