"""Static export: one self-contained HTML file that stays interactive with no kernel.

The page carries the widget's state (binary buffers in base64), the frontend bundle and its
CSS. A small loader (``js/src/page/loader.ts``, built to ``static/loader.js``) decodes the state,
imports the bundle from a ``blob:`` URL and mounts the view on a local model that recomputes with
the JS engine (``js/src/core/engine.ts``). A strict Content-Security-Policy allows no remote
source, no ``eval``, and only the loader's own inline script (by hash).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import json
import pathlib
from typing import TYPE_CHECKING, Any

from ipywidgets.widgets.widget import _remove_buffers

from .core.text import check_text
from .wire.bundle import read_static

if TYPE_CHECKING:
    from .widgets.attention import AttentionWidget

__all__ = [
    "CSP",
    "frontend_blocks",
    "json_for_html",
    "loader_hash",
    "page_state",
    "state_for_page",
    "to_html",
]


_GZIP_FROM = 4096  # bytes: smaller buffers are not worth inflating

_ERROR_CSS = """
.attnwidget-export-error { font: 14px/1.4 system-ui, sans-serif; color: #8a1c1c;
  background: #fdecea; border: 1px solid #e0a7a1; border-radius: 6px; padding: 12px 14px;
  max-width: 720px; white-space: pre-wrap; overflow-wrap: anywhere; }
body.attnwidget-page { margin: 24px; font-family: system-ui, sans-serif; }
body.attnwidget-page > h1 { font-size: 18px; font-weight: 600; margin: 0 0 12px;
  overflow-wrap: anywhere; }
@media (prefers-color-scheme: dark) {
  body.attnwidget-page { background: #1e1e1e; color: #ddd; }
}
"""

CSP = (
    "default-src 'none'; script-src '{script_hash}' blob:; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; object-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)
"""The page's Content-Security-Policy (``{script_hash}`` is the loader's sha256)."""


def json_for_html(value: Any) -> str:
    """JSON that is safe inside a ``<script type="application/json">`` block.

    ``<``, ``>`` and ``&`` are escaped (no ``</script>`` or ``<!--`` can end or change the
    block), and so are U+2028, U+2029 and any lone surrogate (which UTF-8 cannot carry).
    """
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    for char in ("<", ">", "&", "\u2028", "\u2029"):
        text = text.replace(char, f"\\u{ord(char):04x}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = "".join(f"\\u{ord(c):04x}" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text


def page_state(widget: AttentionWidget, **carry: Any) -> dict[str, Any]:
    """The widget's state as the page embeds it: ``{"state": ..., "buffers": [...]}``.

    Binary buffers are moved out of the state into ``buffers`` (``path`` + base64 ``data``).
    An AttentionHeads page carries the heads of its ``page_heads(**carry)`` (``layers``,
    ``heads``): a live view gets the selected head only, a page has no kernel to ask.
    """
    carrying = getattr(widget, "carrying", None)
    if carrying is None:
        if carry:
            raise TypeError(f"unexpected argument(s) for this widget: {', '.join(carry)}")
        return state_for_page(widget.get_state(), widget.protocol.on_page)
    with carrying(**carry):
        return state_for_page(widget.get_state(), widget.protocol.on_page)


def state_for_page(state: dict[str, Any], on_page: tuple[str, ...]) -> dict[str, Any]:
    """A widget's synced state (binary buffers in place) as a static page embeds it.

    Parameters
    ----------
    state : dict
        The state as the widget serialises it, its arrays' buffers in place (bytes-like).
    on_page : tuple of str
        The traits a page carries (the protocol's ``on_page``); the others are left out.

    Returns
    -------
    dict
        ``{"state": ..., "buffers": [...]}``: the state of a page that has no kernel and no
        edits yet (``_static``, ``edit_id`` and ``result_id`` 0, no error), its buffers moved
        out into ``buffers`` (``path`` + base64 ``data``, large ones gzip-compressed).
    """
    state = {k: v for k, v in state.items() if k in on_page}
    fresh = {"_static": True, "edit_id": 0, "result_id": 0, "error": ""}  # no kernel, no edits
    state.update({k: v for k, v in fresh.items() if k in on_page})
    stripped, paths, buffers = _remove_buffers(state)
    return {
        "state": stripped,
        "buffers": [_embed(p, b) for p, b in zip(paths, buffers, strict=True)],
    }


def _embed(path: list, buffer: Any) -> dict[str, Any]:
    """One buffer as base64; large ones gzip-compressed (the page inflates them natively)."""
    raw = bytes(buffer)
    entry: dict[str, Any] = {"path": list(path)}
    if len(raw) >= _GZIP_FROM:
        packed = gzip.compress(raw, compresslevel=6, mtime=0)
        if len(packed) < 0.9 * len(raw):
            entry["encoding"] = "gzip"
            raw = packed
    entry["data"] = base64.b64encode(raw).decode("ascii")
    return entry


def to_html(
    widget: AttentionWidget,
    path: str | pathlib.Path | None = None,
    *,
    title: str | None = None,
    **carry: Any,
) -> str:
    """Export a widget as one self-contained, offline, interactive HTML page.

    Parameters
    ----------
    widget : AttentionWidget
        The widget to export (its current state, every score function's parameters).
    path : str or Path, optional
        Where to write the page (UTF-8). Nothing is written when None.
    title : str, optional
        The page's title and heading (shown as text, never as HTML).
    **carry
        For an AttentionHeads widget, ``layers`` and ``heads``: the ones the page carries at
        full size (see ``AttentionHeads.page_heads``).

    Returns
    -------
    str
        The HTML text.

    Raises
    ------
    TypeError
        If ``title`` is not a string.
    ValueError
        If ``title`` holds a lone surrogate (not valid Unicode text).
    """
    if title is not None:
        if not isinstance(title, str):
            raise TypeError(f"title must be a string, got {type(title).__name__}")
        check_text(title, "title")
    css, scripts = frontend_blocks()
    csp = CSP.format(script_hash=loader_hash().strip("'"))
    heading = title if title is not None else "Attention"
    page = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp, quote=False)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="attnwidget">\n'
        f"<title>{html.escape(heading)}</title>\n"
        f"{css}\n"
        "</head>\n"
        '<body class="attnwidget-page">\n'
        f"<h1>{html.escape(heading)}</h1>\n"
        '<div id="attnwidget-root" data-attnwidget-state="attnwidget-state"></div>\n'
        "<noscript>This page needs JavaScript to show the attention widget.</noscript>\n"
        # The loader comes first (module scripts run once the page is parsed), so that a
        # truncated file still has it, and it can say what is missing.
        f"{scripts[0]}\n"
        '<script type="application/json" id="attnwidget-state">'
        f"{json_for_html(page_state(widget, **carry))}</script>\n"
        f"{scripts[1]}\n"
        "</body>\n</html>\n"
    )
    if path is not None:
        pathlib.Path(path).write_text(page, encoding="utf-8")
    return page


def frontend_blocks() -> tuple[str, tuple[str, str]]:
    """What a static page needs once, however many widgets it shows.

    Returns
    -------
    tuple
        ``(style, (loader, bundle))``: the ``<style>`` block (the widget's CSS and the error
        box's), the loader's ``<script type="module">`` (which mounts every element with a
        ``data-attnwidget-state`` attribute, the id of that widget's state block) and the
        ``#attnwidget-bundle`` block holding the frontend's text.
    """
    style = f"<style>{_css_for_html(read_static('widget.css'))}{_ERROR_CSS}</style>"
    loader = f'<script type="module">{_loader()}</script>'
    bundle = (
        '<script type="application/json" id="attnwidget-bundle">'
        f"{json_for_html(read_static('widget.js'))}</script>"
    )
    return style, (loader, bundle)


def loader_hash() -> str:
    """The CSP source of the loader's inline script: ``'sha256-...'``."""
    digest = base64.b64encode(hashlib.sha256(_loader().encode()).digest()).decode()
    return f"'sha256-{digest}'"


def _loader() -> str:
    """The page's loader (``static/loader.js``), inlined as is: the CSP hashes these exact bytes."""
    loader = read_static("loader.js")
    if "</script" in loader.lower() or "<!--" in loader:
        raise RuntimeError("static/loader.js cannot be inlined: it holds '</script' or '<!--'")
    return loader


def _css_for_html(css: str) -> str:
    return css.replace("</", "<\\/")
