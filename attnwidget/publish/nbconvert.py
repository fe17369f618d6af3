"""``jupyter nbconvert --to attnwidget nb.ipynb``: nbconvert's HTML page, with every stored
AttentionWidget and AttentionHeads view live on the JS engine, and nothing loaded remotely.

Registered as the ``attnwidget`` exporter (entry point ``nbconvert.exporters``). The page is
what ``--to html`` gives (the lab template) less what it would fetch from CDNs: require.js, the
widget manager, MathJax (math shows as its TeX source) and mermaid (diagrams show as text), and
JupyterLab's stylesheets are trimmed to what the page uses (:mod:`.csstrim`). With
``--execute``, widget state is stored (it is what the static views are built from). The page
carries a Content-Security-Policy that allows no remote source and no ``eval``: inline scripts
(the loader, and any script a notebook's own outputs hold) and ``blob:`` (the frontend) only.
"""

from __future__ import annotations

import pathlib
from typing import Any

import markupsafe
from nbconvert.exporters import HTMLExporter
from traitlets import Bool, default

from ..export import frontend_blocks
from ..wire.bundle import read_static
from .csstrim import trim_page_styles
from .outputs import static_outputs

__all__ = ["AttnwidgetExporter", "PAGE_CSP"]

TEMPLATES = pathlib.Path(__file__).with_name("templates")

PAGE_CSP = (
    "default-src 'none'; script-src 'unsafe-inline' blob:; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; object-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)
"""The page's Content-Security-Policy (no remote source, no ``eval``)."""


class AttnwidgetExporter(HTMLExporter):
    """nbconvert's HTML exporter, attnwidget outputs live and offline (see the module)."""

    export_from_notebook = "HTML, attnwidget live offline"

    csp = Bool(
        True, help="Give the page a Content-Security-Policy (no remote source, no eval)."
    ).tag(config=True)

    trim_css = Bool(
        True,
        help="Leave out the rules of JupyterLab's CSS that no element of the page can match, "
        "and the custom properties nothing uses (see attnwidget.publish.csstrim).",
    ).tag(config=True)

    @default("template_name")
    def _template_name_default(self) -> str:
        return "attnwidget"

    @default("extra_template_basedirs")
    def _default_extra_template_basedirs(self) -> list[str]:
        return [*super()._default_extra_template_basedirs(), str(TEMPLATES)]

    def from_notebook_node(  # type: ignore[override]
        self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        """The page; its JupyterLab CSS trimmed to what it uses (unless ``trim_css`` is off)."""
        page, resources = super().from_notebook_node(nb, resources, **kw)
        if self.trim_css:
            page = trim_page_styles(page, keep=read_static("widget.js") + read_static("widget.css"))
        return page, resources

    def _preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """nbconvert's preprocessors (``--execute`` among them), then the static views."""
        nb, resources = super()._preprocess(nb, resources)
        published = static_outputs(nb)
        page: dict[str, Any] = {"csp": PAGE_CSP if self.csp else ""}
        if published.replaced:
            style, scripts = frontend_blocks()
            page["style"] = markupsafe.Markup(style)
            page["scripts"] = markupsafe.Markup("\n".join(scripts))
        resources["attnwidget"] = page
        return published.notebook, resources
