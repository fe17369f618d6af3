"""nbconvert's JupyterLab CSS, less what a static page cannot use.

The lab template inlines all of JupyterLab's stylesheets (about 260 KB): the rules of every
panel, menu and icon of the application, of which a static notebook page uses a few dozen.
:func:`trim_css` keeps every rule that may match an element of the page (any rule whose
selectors name only classes the page's markup holds; rules on elements, ids and attributes are
always kept; ``:is``, ``:where`` and ``:has`` selectors too), every at-rule but the emptied
``@media``/``@supports``, and the custom properties (``--jp-*``) that something uses: a kept
declaration, another kept property, the page's own markup or scripts, or the text given in
``keep`` (the widget's bundle and CSS, which read JupyterLab's variables). A class that only a
script of an output would add later is not seen: ``--AttnwidgetExporter.trim_css=False`` keeps
the stylesheets whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

__all__ = ["trim_css", "trim_page_styles"]

_CLASS = re.compile(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)")
_VAR_REF = re.compile(r"var\(\s*(--[\w-]+)")
_CUSTOM = re.compile(r"--[A-Za-z_][\w-]*")
_GROUPS = re.compile(r"@(media|supports|layer|container|document)\b")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_STYLE = re.compile(r'(<style type="text/css">)(.*?)(</style>)', re.S)
_CLASS_ATTR = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _unquoted(text: str) -> Iterator[tuple[int, str]]:
    """The characters of ``text`` (with their index) that are not inside a quoted string."""
    quote = ""
    for i, c in enumerate(text):
        if quote:
            if c == quote and text[i - 1] != "\\":
                quote = ""
        elif c in "\"'":
            quote = c
        else:
            yield i, c


def _split(text: str, sep: str) -> list[str]:
    """``text`` split at ``sep`` outside strings, parentheses and brackets."""
    out, depth, start = [], 0, 0
    for i, c in _unquoted(text):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == sep and depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return out


def _rules(css: str) -> list[tuple[str, str | None]]:
    """The top-level rules of ``css`` (comments gone): (prelude, block), block None for a
    statement such as ``@charset "utf-8";``."""
    out: list[tuple[str, str | None]] = []
    depth, start, brace = 0, 0, 0
    for i, c in _unquoted(css):
        if c == "{":
            if depth == 0:
                brace = i
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                out.append((css[start:brace].strip(), css[brace + 1 : i]))
                start = i + 1
        elif c == ";" and depth == 0:
            out.append((css[start:i].strip(), None))
            start = i + 1
    return out


def _may_match(selector: str, classes: set[str]) -> bool:
    if re.search(r":(is|where|has|matches)\(", selector):
        return True
    required = re.sub(r":not\([^)]*\)", "", selector)  # (a :not() class need not be there)
    return set(_CLASS.findall(required)) <= classes


def _declarations(block: str) -> list[str]:
    return [d.strip() for d in _split(block, ";") if d.strip()]


def _prune_rules(rules: list[tuple[str, str | None]], classes: set[str]) -> list:
    """The rules that may match, as (prelude, block or nested rules or None)."""
    kept: list = []
    for prelude, block in rules:
        if block is None or (prelude.startswith("@") and not _GROUPS.match(prelude)):
            kept.append((prelude, block))  # @charset, @font-face, @keyframes, ...
        elif prelude.startswith("@"):
            inner = _prune_rules(_rules(block), classes)
            if inner:
                kept.append((prelude, inner))
        else:
            selectors = [s.strip() for s in _split(prelude, ",") if _may_match(s, classes)]
            if selectors:
                kept.append((", ".join(selectors), block))
    return kept


def _walk_declarations(rules: list) -> Iterable[str]:
    for prelude, block in rules:
        if isinstance(block, list):
            yield from _walk_declarations(block)
        elif block is not None and not prelude.startswith("@"):
            yield from _declarations(block)


def _write(rules: list, used: set[str]) -> str:
    parts = []
    for prelude, block in rules:
        if block is None:
            parts.append(prelude + ";")
        elif isinstance(block, list):
            inner = _write(block, used)
            if inner:
                parts.append(f"{prelude} {{\n{inner}\n}}")
        elif prelude.startswith("@"):
            parts.append(f"{prelude} {{{block}}}")
        else:
            kept = [
                d
                for d in _declarations(block)
                if not d.startswith("--") or d.partition(":")[0].strip() in used
            ]
            if kept:
                parts.append(f"{prelude} {{ {'; '.join(kept)} }}")
    return "\n".join(parts)


def _used(rules: list, uses: str) -> set[str]:
    """The custom properties something uses (see the module)."""
    definitions: dict[str, list[str]] = {}
    used = set(_CUSTOM.findall(uses))
    for declaration in _walk_declarations(rules):
        name, _, value = declaration.partition(":")
        if name.strip().startswith("--"):
            definitions.setdefault(name.strip(), []).append(value)
        else:
            used.update(_VAR_REF.findall(value))
    todo = list(used)
    while todo:  # properties used by used properties
        for value in definitions.get(todo.pop(), []):
            for name in _VAR_REF.findall(value):
                if name not in used:
                    used.add(name)
                    todo.append(name)
    return used


def trim_css(css: str, classes: set[str], uses: str = "") -> str:
    """``css`` less the rules no element with ``classes`` can match and the custom properties
    nothing uses (see the module).

    Parameters
    ----------
    css : str
        A stylesheet.
    classes : set of str
        Every class name the page's elements carry.
    uses : str
        Text whose mentions of ``--name`` keep those custom properties (markup, scripts).

    Returns
    -------
    str
        The stylesheet that is left.
    """
    rules = _prune_rules(_rules(_COMMENT.sub("", css)), classes)
    return _write(rules, _used(rules, uses))


def trim_page_styles(page: str, keep: str = "") -> str:
    """``page`` with its ``<style type="text/css">`` blocks (nbconvert's) trimmed as one
    stylesheet by :func:`trim_css`, for the classes and custom properties of the rest of the
    page and ``keep``. Other ``<style>`` blocks (attnwidget's own) are left whole."""
    rest = _STYLE.sub("", page)
    classes = {c for m in _CLASS_ATTR.finditer(rest) for c in "".join(m.groups("")).split()}
    blocks = [
        _prune_rules(_rules(_COMMENT.sub("", m.group(2))), classes) for m in _STYLE.finditer(page)
    ]
    used = _used([rule for block in blocks for rule in block], rest + keep)
    written = iter(_write(block, used) for block in blocks)
    return _STYLE.sub(lambda m: m.group(1) + next(written) + m.group(3), page)
