"""Notebooks for the browser tests: write one, open it in JupyterLab or Notebook 7 (both expose
``window.jupyterapp`` when started by :mod:`harness_servers`), run its cells, and run code in
its kernel with no cell involved.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness_servers import Server
    from playwright.sync_api import Page

__all__ = [
    "NOTEBOOK",
    "KernelError",
    "kernel_exec",
    "kernel_json",
    "open_notebook",
    "run_all",
    "run_notebook",
    "wait_for_kernel",
    "write_notebook",
]

NOTEBOOK = "NB.ipynb"  # the test notebook's name, in its fresh directory


class KernelError(RuntimeError):
    """Code sent with :func:`kernel_exec` raised in the kernel."""


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


def kernel_json(page: Page, expr: str, *, timeout_ms: float = 30_000) -> Any:
    """The value of a Python expression in the kernel, through JSON."""
    code = f"import json; print(json.dumps({expr}))"
    return json.loads(kernel_exec(page, code, timeout_ms=timeout_ms))


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


def run_notebook(page: Page, server: Server, root: Path, *cells: str) -> None:
    """Write a notebook of code ``cells`` into ``root``, open it and run every cell."""
    write_notebook(root, *cells)
    open_notebook(page, server, NOTEBOOK)
    run_all(page)
