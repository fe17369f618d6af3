"""The shared core of publishing: stored widget views become static views of the same state.

An executed notebook (``nbconvert --execute``, nbclient, myst-nb) keeps the state of every
widget it displayed in ``metadata.widgets["application/vnd.jupyter.widget-state+json"]``
(binary buffers in base64, by path), and each displayed widget as an output holding
``application/vnd.jupyter.widget-view+json`` (its model id), beside our ``image/png`` figure.
:func:`static_outputs` replaces every such output of an AttentionWidget or AttentionHeads by
``text/html`` that mounts the static view from that stored state (as a ``to_html`` page
would: the traits the protocol marks ``page``, no kernel, no edits yet), keeps the PNG (for
renderers without JavaScript) and removes those widgets' stored state, so that no host loads a
widget manager for them. Other widgets, their outputs and their state are left as they are.
The frontend itself (bundle, CSS, loader) goes once per page: see
:func:`attnwidget.export.frontend_blocks`.
"""

from __future__ import annotations

import base64
import copy
import html
import re
from dataclasses import dataclass
from typing import Any

from ..export import frontend_blocks, json_for_html, state_for_page
from ..wire.protocol import ATTENTION, HEADS, Traits

__all__ = [
    "WIDGET_STATE",
    "WIDGET_VIEW",
    "StaticOutputs",
    "StoredWidgets",
    "static_outputs",
    "widget_protocol",
]

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_MODEL_REF = re.compile(r"IPY_MODEL_([0-9A-Za-z_-]+)")
_SAFE_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


@dataclass
class StaticOutputs:
    """What :func:`static_outputs` made.

    Attributes
    ----------
    notebook : NotebookNode
        A copy of the notebook: our widgets' outputs replaced, their stored state removed.
    replaced : int
        How many outputs now show a static view (0: the page needs no frontend).
    """

    notebook: Any
    replaced: int


def widget_protocol(model: Any) -> Traits | None:
    """The protocol of a stored widget model if it is one of ours, else None.

    Ours are anywidget models holding every trait a page carries (AttentionHeads also says
    ``_kind: "heads"``); the frontend's text (``_esm``) is not compared, so the state of an
    older or newer attnwidget is recognised as long as its traits are the same.
    """
    if not isinstance(model, dict) or model.get("model_module") != "anywidget":
        return None
    state = model.get("state")
    if not isinstance(state, dict):
        return None
    keys = set(state) | {b["path"][0] for b in model.get("buffers", []) if b.get("path")}
    if state.get("_kind") == "heads":
        return HEADS if set(HEADS.on_page) <= keys else None
    return ATTENTION if set(ATTENTION.on_page) <= keys else None


def _page_doc(model: dict[str, Any], protocol: Traits) -> dict[str, Any]:
    """The stored model as a page embeds it (``{"state", "buffers"}``, as ``to_html``)."""
    state = {k: copy.deepcopy(v) for k, v in model["state"].items() if k in protocol.on_page}
    for entry in model.get("buffers", []):
        *parents, last = entry["path"]
        obj: Any = state
        for key in parents:
            obj = obj.get(key) if isinstance(obj, dict) else None
        # A buffer whose place is gone is stale: nbclient keeps a trait's last buffer after
        # a later change sets the trait to a value without an array (e.g. a mask to None).
        if isinstance(obj, dict) and parents:
            obj[last] = base64.b64decode(entry["data"])
    return state_for_page(state, protocol.on_page)


class StoredWidgets:
    """The attnwidget widgets in a notebook's stored widget state, as static views.

    Parameters
    ----------
    metadata : dict
        The notebook's metadata (its ``widgets`` entry is read, never changed).
    """

    def __init__(self, metadata: Any) -> None:
        widgets = (metadata or {}).get("widgets") or {}
        self.models: dict[str, Any] = (widgets.get(WIDGET_STATE) or {}).get("state") or {}
        self.ours = {mid: p for mid, m in self.models.items() if (p := widget_protocol(m))}
        self._block_ids: dict[str, str] = {}  # model id -> its state block's id (written once)
        self._frontend_written = False

    def __contains__(self, model_id: object) -> bool:
        return model_id in self.ours

    def view_html(self, model_id: str, *, frontend: bool = False) -> str:
        """The HTML of one static view: its mount point, and (the first time a model is shown)
        its state block. Every view on a page also needs the frontend once
        (:func:`attnwidget.export.frontend_blocks`): with ``frontend``, the first view this
        object writes carries it (a page template may put it elsewhere instead)."""
        doc = None
        if model_id not in self._block_ids:
            safe = model_id if _SAFE_ID.fullmatch(model_id) else str(len(self._block_ids))
            self._block_ids[model_id] = f"attnwidget-state-{safe}"
            doc = _page_doc(self.models[model_id], self.ours[model_id])
        block_id = self._block_ids[model_id]
        out = f'<div class="attnwidget-published" data-attnwidget-state="{block_id}"></div>'
        if doc is not None:
            out += (
                f'<script type="application/json" id="{html.escape(block_id)}">'
                f"{json_for_html(doc)}</script>"
            )
        if frontend and not self._frontend_written:
            style, scripts = frontend_blocks()
            out = style + out + "".join(scripts)
            self._frontend_written = True
        return out

    def strip(self, metadata: Any) -> None:
        """Remove our models, and the models only they refer to (their layouts), from the
        stored state in ``metadata`` (in place); an emptied ``widgets`` entry goes too."""
        if not self.ours:
            return
        others = {mid: m for mid, m in self.models.items() if mid not in self.ours}
        theirs = _referenced({mid: self.models[mid] for mid in self.ours})
        kept = _referenced(others) | {mid for mid in others if mid not in theirs}
        remaining = {mid: m for mid, m in others.items() if mid in kept}
        widgets = metadata["widgets"]
        if remaining:
            widgets[WIDGET_STATE] = {**widgets[WIDGET_STATE], "state": remaining}
        else:
            del widgets[WIDGET_STATE]
            if not widgets:
                del metadata["widgets"]


def _referenced(models: dict[str, Any]) -> set[str]:
    """The model ids the given models' states refer to (``IPY_MODEL_<id>``), transitively."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            for ref in _MODEL_REF.findall(value):
                if ref not in found:
                    found.add(ref)
                    walk(models.get(ref, {}).get("state"))
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for model in models.values():
        walk(model.get("state"))
    return found


def static_outputs(nb: Any) -> StaticOutputs:
    """Replace the stored views of attnwidget widgets by static views of their stored state.

    Parameters
    ----------
    nb : NotebookNode
        An executed notebook (nbformat 4). It is not changed.

    Returns
    -------
    StaticOutputs
        The changed copy and how many outputs were replaced. A notebook without stored
        attnwidget state comes back equal to ``nb``.
    """
    nb = copy.deepcopy(nb)
    stored = StoredWidgets(nb.get("metadata"))
    if not stored.ours:
        return StaticOutputs(nb, 0)
    replaced = 0
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = output.get("data") or {}
            view = data.get(WIDGET_VIEW)
            model_id = view.get("model_id") if isinstance(view, dict) else None
            if model_id in stored:
                del data[WIDGET_VIEW]
                data["text/html"] = stored.view_html(model_id)
                replaced += 1
    stored.strip(nb.metadata)
    return StaticOutputs(nb, replaced)
