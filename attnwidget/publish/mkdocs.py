"""MkDocs + mkdocs-jupyter: ``plugins: [mkdocs-jupyter: {execute: true}, attnwidget]``.

A MkDocs plugin (entry point ``mkdocs.plugins``: ``attnwidget``) that runs after
mkdocs-jupyter (list it after): on every page mkdocs-jupyter rendered from a notebook with
stored widget state, our widgets' views become static views (:mod:`.pages`), live with no kernel
and nothing remote. mkdocs-jupyter's own page still loads what it chooses: MathJax from a CDN on
every notebook page unless its ``mathjax_url`` is local or empty, require.js if
``include_requirejs``; mkdocs-material loads Google fonts unless ``theme: font: false``.
"""

from __future__ import annotations

from typing import Any

from mkdocs.plugins import BasePlugin

from .pages import static_views_in_page

__all__ = ["AttnwidgetPlugin"]


class AttnwidgetPlugin(BasePlugin):  # type: ignore[type-arg]
    """Static views of attnwidget widgets on the pages mkdocs-jupyter writes."""

    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        """The page, its attnwidget views static (unchanged if it shows none)."""
        return static_views_in_page(output)[0]
