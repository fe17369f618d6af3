"""The Sphinx extension: ``extensions = ["myst_nb", "attnwidget.sphinx"]`` (see
:mod:`attnwidget.publish.sphinx`)."""

from __future__ import annotations

from .publish.sphinx import setup

__all__ = ["setup"]
