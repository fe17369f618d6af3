"""Publishing: executed notebooks whose attnwidget outputs stay live with no kernel.

One core (:mod:`.outputs`) turns every stored AttentionWidget or AttentionHeads view of an
executed notebook into the static view of an exported page (the same state, the same loader,
the JS engine in place of the kernel); the hosts plug it in where each one renders a notebook:

- :mod:`.nbconvert`: ``jupyter nbconvert --to attnwidget nb.ipynb`` (an entry point);
- :mod:`.sphinx`: ``extensions = ["myst_nb", "attnwidget.sphinx"]`` (a myst-nb render plugin);
- :mod:`.mkdocs`: ``plugins: [mkdocs-jupyter, attnwidget]`` (on the rendered page: :mod:`.pages`).
"""

from __future__ import annotations

from .outputs import StaticOutputs, static_outputs

__all__ = ["StaticOutputs", "static_outputs"]
