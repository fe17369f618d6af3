"""The frontend bundle the package ships: ``attnwidget/static/widget.{js,css}``, built from js/."""

from __future__ import annotations

import pathlib

__all__ = ["STATIC", "read_static"]

STATIC = pathlib.Path(__file__).parent.parent / "static"
"""Where the bundle lies (built by ``make``, i.e. ``npm run build`` in js/)."""


def read_static(name: str) -> str:
    """The text of one bundle file, with a clear error when it was never built."""
    file = STATIC / name
    if not file.is_file():
        raise FileNotFoundError(
            f"{file} is missing: the frontend bundle is built with `make` (npm run build in js/)"
        )
    return file.read_text(encoding="utf-8")
