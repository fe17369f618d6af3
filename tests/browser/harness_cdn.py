"""Pages that load their frontend from a CDN, opened with no network: local copies of the very
files those CDN URLs name answer them instead (Playwright routing), and every other request that
is not ``file:``, ``data:``, ``blob:`` or to the loopback is aborted and recorded.

Where the local copies come from:

- ``@jupyter-widgets/html-manager`` and ``requirejs`` (what a stock ``jupyter nbconvert --to
  html`` page loads from unpkg / cdnjs): ``npm pack`` of the pinned versions below, from the npm
  registry, unpacked once into ``build/npm-copies/`` (gitignored; ``npm pack`` checks each
  tarball against the registry's integrity hash).
- ``anywidget``'s AMD module (which html-manager asks jsdelivr for): the installed Python
  package ships the same file as the npm package of its version (``anywidget/nbextension/``).
- marimo's frontend (``@marimo-team/frontend@<version>/dist/`` on jsdelivr, what ``marimo export
  html`` pages load): the installed marimo wheel ships that ``dist/`` as ``marimo/_static/``.
"""

from __future__ import annotations

import mimetypes
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from harness_servers import REPO_ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

__all__ = [
    "NPM_COPIES",
    "CdnRoute",
    "Traffic",
    "marimo_routes",
    "npm_copy",
    "open_offline",
    "serve_offline",
    "stock_html_routes",
]

# The npm packages behind a stock nbconvert page's CDN URLs. html-manager: the page asks for
# "@*" (the newest); 1.0.15 is the newest of the ipywidgets 8 line. requirejs: the page
# names 2.1.10.
NPM_COPIES = {
    "html-manager": "@jupyter-widgets/html-manager@1.0.15",
    "requirejs": "requirejs@2.1.10",
}
COPIES_DIR = REPO_ROOT / "build" / "npm-copies"


def npm_copy(spec: str) -> Path:
    """The unpacked npm package ``spec`` (``name@version``): its ``package/`` directory,
    packed from the registry with ``npm pack`` the first time, then reused."""
    target = COPIES_DIR / re.sub(r"[^\w.-]+", "_", spec.lstrip("@"))
    package = target / "package"
    if package.is_dir():
        return package
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(f"npm is needed to fetch {spec} (the CDN stand-in)")
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [npm, "pack", spec, "--pack-destination", tmp, "--silent"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            raise RuntimeError(f"npm pack {spec} failed:\n{done.stderr}")
        (tarball,) = Path(tmp).glob("*.tgz")
        unpacked = Path(tmp) / "unpacked"
        with tarfile.open(tarball) as tar:
            tar.extractall(unpacked, filter="data")
        target.mkdir(parents=True, exist_ok=True)
        shutil.move(str(unpacked / "package"), package)
    return package


@dataclass(frozen=True)
class CdnRoute:
    """Requests whose URL matches ``pattern`` get the file ``target`` (or, when the pattern
    has a group, the file at that relative path under the directory ``target``)."""

    pattern: str
    target: Path

    def file_for(self, url: str) -> Path | None:
        m = re.search(self.pattern, url)
        if m is None:
            return None
        path = self.target / m.group(1) if m.groups() else self.target
        # (a group can only name a file inside target)
        if m.groups() and not path.resolve().is_relative_to(self.target.resolve()):
            return None
        return path if path.is_file() else None


@dataclass
class Traffic:
    """What a page asked for beyond its own file: ``served`` from the local copies (URL ->
    file), ``blocked`` (aborted, in order)."""

    served: dict[str, Path] = field(default_factory=dict)
    blocked: list[str] = field(default_factory=list)


def _content_type(path: Path) -> str:
    if path.suffix in (".js", ".mjs"):
        return "application/javascript"
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


_NOT_LOCAL = re.compile(r"^(?!file:|data:|blob:|https?://(127\.0\.0\.1|localhost)[:/]).*")


def serve_offline(page: Page, routes: Sequence[CdnRoute]) -> Traffic:
    """Route ``page``'s requests: the CDN URLs of ``routes`` from their local copies, every
    other one that is not ``file:``, ``data:``, ``blob:`` or to the loopback (the test's own
    server) aborted. Call before ``goto``."""
    traffic = Traffic()

    def handle(route: Route) -> None:
        url = route.request.url
        for r in routes:
            path = r.file_for(url)
            if path is not None:
                traffic.served[url] = path
                # (module scripts and fonts from another origin need CORS, as the CDNs send)
                route.fulfill(
                    path=str(path),
                    content_type=_content_type(path),
                    headers={"access-control-allow-origin": "*"},
                )
                return
        traffic.blocked.append(url)
        route.abort()

    page.route(_NOT_LOCAL, handle)
    return traffic


def open_offline(page: Page, path: Path) -> list[str]:
    """Open the page file ``path`` with nothing remote (:func:`serve_offline` with no CDN
    copies); returns the remote requests it attempted, a list filled as the page runs."""
    traffic = serve_offline(page, ())
    page.goto(path.as_uri())
    return traffic.blocked


def stock_html_routes() -> list[CdnRoute]:
    """The CDN files of a stock ``nbconvert --to html`` page with widget state."""
    import anywidget

    amd = Path(anywidget.__file__).parent / "nbextension" / "index.js"
    return [
        CdnRoute(
            r"/require\.js/2\.1\.10/require(?:\.min)?\.js$",
            npm_copy(NPM_COPIES["requirejs"]) / "require.js",
        ),
        CdnRoute(
            r"/@jupyter-widgets/html-manager@[^/]*/dist/embed-amd\.js$",
            npm_copy(NPM_COPIES["html-manager"]) / "dist" / "embed-amd.js",
        ),
        CdnRoute(r"/anywidget@[^/]*/dist/index\.js$", amd),
    ]


def marimo_routes() -> list[CdnRoute]:
    """marimo's frontend, for a ``marimo export html`` page of the installed marimo."""
    import marimo

    static = Path(marimo.__file__).parent / "_static"
    version = re.escape(marimo.__version__)
    return [CdnRoute(rf"/npm/@marimo-team/frontend@{version}/dist/([^?#]+)", static)]
