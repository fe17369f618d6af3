"""The shared core, on a rendered page: for hosts that render a notebook to HTML with
nbconvert's widget markup (a ``widget-state+json`` block and one ``widget-view+json`` script per
view, as mkdocs-jupyter's pages are) and give us the page, not the notebook.

:func:`static_views_in_page` does what :func:`attnwidget.publish.static_outputs` does to a
notebook: each view of an AttentionWidget or AttentionHeads becomes the static view of its
stored state, the frontend goes once (with the first), and our models leave the stored state;
when no other widget is left, so do the state block and nbconvert's script that would load the
widget manager from a CDN.
"""

from __future__ import annotations

import json
import re

from ..export import json_for_html
from .outputs import WIDGET_STATE, WIDGET_VIEW, StoredWidgets

__all__ = ["static_views_in_page"]

_STATE_BLOCK = re.compile(rf'<script type="{re.escape(WIDGET_STATE)}">(.*?)</script>', re.S)
_VIEW = re.compile(rf'<script type="{re.escape(WIDGET_VIEW)}">(.*?)</script>', re.S)
# nbconvert's jupyter_widgets macro: an inline script that adds the html-manager from a CDN
_MANAGER_LOADER = re.compile(
    r"<script>\s*\(function\(\) \{\s*function addWidgetsRenderer.*?</script>", re.S
)


def static_views_in_page(page: str) -> tuple[str, int]:
    """``page`` with each stored view of our widgets replaced by its static view.

    Parameters
    ----------
    page : str
        An HTML page holding nbconvert's widget markup.

    Returns
    -------
    tuple
        The page, and how many views were replaced (0: the page is returned as it was).
    """
    block = _STATE_BLOCK.search(page)
    if block is None:
        return page, 0
    metadata = {"widgets": {WIDGET_STATE: json.loads(block.group(1))}}
    stored = StoredWidgets(metadata)
    if not stored.ours:
        return page, 0
    replaced = 0

    def view(match: re.Match[str]) -> str:
        nonlocal replaced
        try:
            model_id = json.loads(match.group(1)).get("model_id")
        except (ValueError, AttributeError):
            return match.group(0)
        if model_id not in stored:
            return match.group(0)
        replaced += 1
        return stored.view_html(model_id, frontend=True)

    page = _VIEW.sub(view, page)
    stored.strip(metadata)
    if "widgets" in metadata:
        rest = json_for_html(metadata["widgets"][WIDGET_STATE])
        page = _STATE_BLOCK.sub(lambda _: f'<script type="{WIDGET_STATE}">{rest}</script>', page)
    else:
        page = _MANAGER_LOADER.sub("", _STATE_BLOCK.sub("", page))
    return page, replaced
