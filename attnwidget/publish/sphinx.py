"""Sphinx + myst-nb: ``extensions = ["myst_nb", "attnwidget.sphinx"]``.

Every page built from an executed notebook (stored widget state, as ``nbconvert --execute``
or myst-nb's own execution writes it) shows each AttentionWidget and AttentionHeads output as
the static view of an exported page: live on the JS engine, no kernel, nothing remote. It is a
myst-nb render plugin (entry point ``myst_nb.renderers``: ``attnwidget``), which this extension
selects (``nb_render_plugin = "attnwidget"``) unless the project chose another one. Builders
without JavaScript (LaTeX, text) get the PNG, as myst-nb selects it for them.

Per page: the frontend (bundle, CSS, loader) once, in the first widget's output, and each
widget's state in its own output. myst-nb's widget manager scripts (``nb_ipywidgets_js``, from
CDNs) are added only if the page also shows widgets that are not ours. Sphinx themes bring
their own scripts and styles, so these pages carry no Content-Security-Policy of ours.
"""

from __future__ import annotations

import json
from typing import Any

from docutils import nodes
from myst_nb.core.render import MimeData, NbElementRenderer

from ..export import json_for_html
from .outputs import WIDGET_VIEW, StoredWidgets

__all__ = ["AttnwidgetRenderer", "setup"]

PLUGIN = "attnwidget"


class AttnwidgetRenderer(NbElementRenderer):
    """myst-nb's renderer; widget views of ours become static views at the notebook's end
    (when the stored state is complete, whichever execution mode ran it)."""

    def render_widget_view(self, data: MimeData) -> list[nodes.Element]:
        """A placeholder, filled in by :meth:`render_nb_finalise`."""
        node = nodes.raw("", "", format="html")
        content = data.content if isinstance(data.content, dict) else json.loads(data.string)
        self.__dict__.setdefault("_attnwidget_views", []).append((node, content))
        return [node]

    def render_nb_finalise(self, metadata: dict) -> None:
        """Fill the widget views in; hand the state of the other widgets to myst-nb."""
        views = self.__dict__.pop("_attnwidget_views", [])
        stored = StoredWidgets(metadata)
        for node, content in views:
            model_id = content.get("model_id") if isinstance(content, dict) else None
            if model_id in stored:  # (the frontend comes with the page's first view)
                html = stored.view_html(model_id, frontend=True)
            else:  # as myst-nb writes it, for the widget manager
                html = f'<script type="{WIDGET_VIEW}">{json_for_html(content)}</script>'
            node.children = [nodes.Text(html)]
        if stored.ours:
            metadata = json.loads(json.dumps(metadata))
            stored.strip(metadata)
        super().render_nb_finalise(metadata)


def _select_plugin(app: Any, config: Any) -> None:
    if config.nb_render_plugin == "default":
        config.nb_render_plugin = PLUGIN


def setup(app: Any) -> dict[str, Any]:
    """Register with Sphinx (after myst-nb); select the ``attnwidget`` render plugin."""
    app.setup_extension("myst_nb")
    app.connect("config-inited", _select_plugin)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
