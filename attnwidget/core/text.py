"""User text (tokens, titles): checked where it enters, shown visibly where it is drawn.

Tokens come from tokenizers and can hold anything: newlines, tabs, NUL, escape sequences,
zero-width and bidi marks, line separators, even lone surrogates (a Python ``str`` can hold
them; UTF-8 cannot). :func:`check_text` refuses what cannot be written as UTF-8;
:func:`display_text` turns a token into text every figure backend draws as it reads
(numpy-free, so anything can import it).
"""

from __future__ import annotations

import unicodedata
from typing import Any

__all__ = ["check_text", "display_text"]

# Shown escaped: control (Cc), format (Cf: zero-width, bidi, BOM), private use (Co),
# unassigned / noncharacters (Cn: U+FFFE and U+FFFF are not allowed in XML), and the line and
# paragraph separators (Zl, Zp), which break lines like "\n" does.
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Zl", "Zp"})
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
_REPLACEMENT = "\ufffd"


def check_text(value: Any, name: str) -> str:
    """Return ``value`` if it is a string of valid Unicode text, else raise ValueError.

    Parameters
    ----------
    value : object
        The value to check.
    name : str
        What it is (``"title"``, ``"key_tokens[3]"``): named in the error.

    Returns
    -------
    str
        ``value`` itself.

    Raises
    ------
    ValueError
        If ``value`` is not a ``str``, or holds a lone surrogate (U+D800 to U+DFFF), which no
        UTF-8 file, page or JSON message can carry; the message gives its index.
    """
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string, got {type(value).__name__} {value!r:.80}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"{name} must be valid Unicode text: it holds a lone surrogate "
            f"U+{ord(value[exc.start]):04X} at index {exc.start} (text decoded with "
            "errors='surrogateescape' or cut inside a UTF-16 pair?)"
        ) from None
    return value


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return _REPLACEMENT
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def display_text(s: str) -> str:
    """The visible form of a token, for figures.

    Control characters and other invisible or line-breaking characters are shown as Python
    escapes: ``"\\n"`` as ``\\n``, ``"\\x07"`` as ``\\x07``, ``"\\u200b"`` (zero-width space)
    as ``\\u200b``, ``"\\u2028"`` as ``\\u2028``. Lone surrogates are shown as U+FFFD (``�``).
    Everything else, including ``$``, ``<`` and ``&``, is kept as it is (the figures draw it as
    literal text, never as mathtext or markup). A backslash is kept as it is too.

    Parameters
    ----------
    s : str

    Returns
    -------
    str
        Text with no control, format, private-use, unassigned or separator characters and no
        surrogates.
    """
    if s.isprintable() and s.isascii():
        return s  # the common case, no per-character work
    return "".join(
        _escape(c)
        if unicodedata.category(c) in _ESCAPED_CATEGORIES or "\ud800" <= c <= "\udfff"
        else c
        for c in s
    )
