"""The selected query under every score function: :meth:`Comparison.compare` (a mixin)."""

from __future__ import annotations

from typing import Any

from ..core.engine import SCORES, AttentionResult, attention

__all__ = ["Comparison"]


class Comparison:
    """``compare()`` of :class:`~attnwidget.AttentionWidget`: its inputs, every score function."""

    def compare(self) -> dict[str, AttentionResult]:
        """The widget's inputs under every score function, each with its own parameter set.

        Each result is ``attention(w.Q, w.K, w.V, score=s, params=w.param_sets[s],
        mask=w.mask, temperature=w.temperature)``: the widget keeps one parameter set per
        score function (the current score's is ``w.params``), so these are the numbers the
        widget shows after switching to ``s``. The selected query's weights under ``s`` are
        ``w.compare()[s].weights[w.selected_query]``; the comparison view and
        ``w.plot(compare=True)`` show those rows.

        Returns
        -------
        dict of str to AttentionResult
            Keyed by score name in :data:`attnwidget.SCORES` order. ``dot`` and
            ``scaled_dot`` need queries and keys of the same width: when d_q != d_k they are
            left out (they are not defined for these inputs).

        Examples
        --------
        >>> from attnwidget import AttentionWidget
        >>> w = AttentionWidget()
        >>> rows = {s: r.weights[w.selected_query] for s, r in w.compare().items()}
        >>> list(rows)
        ['dot', 'general', 'scaled_dot', 'concat', 'additive']
        """
        w: Any = self
        same_width = w.Q.shape[1] == w.K.shape[1]
        results: dict[str, AttentionResult] = {}
        for s in SCORES:
            if s in ("dot", "scaled_dot") and not same_width:
                continue
            params = w.params if s == w.score else w.param_sets[s]
            results[s] = attention(
                w.Q, w.K, w.V, score=s, params=params, mask=w.mask, temperature=w.temperature
            )
        return results
