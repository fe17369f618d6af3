"""The widget's parameters: one set per score function, kept while it fits Q and K.

Toggling away from a score function and back gives the same numbers; a new width of Q or K
draws the sets that no longer fit again, from the same seed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.checks import check_params, params_fit
from ..core.engine import SCORES, init_params
from ..wire.traits import AttentionInputError

__all__ = ["ParamSet", "ParamSets"]


class ParamSet(dict):
    """Parameter arrays, checked, that know which score function they belong to."""

    def __init__(self, score: str, arrays: dict[str, np.ndarray]) -> None:
        super().__init__(arrays)
        self.score = score


class ParamSets:
    """The parameter set of every score function, and the seeds they were drawn with."""

    def __init__(self) -> None:
        self.seeds: dict[str, int] = dict.fromkeys(SCORES, 0)
        self.kept: dict[str, ParamSet] = {}
        self._drawn: dict[tuple, ParamSet] = {}  # the last set drawn for new widths

    def checked(self, score: str, params: Any, d_q: int, d_k: int) -> ParamSet:
        """``params`` (None: drawn) checked for ``score`` and the widths d_q, d_k."""
        if isinstance(params, ParamSet) and params.score == score:
            return params  # checked already
        if params is None:
            return ParamSet(score, init_params(score, d_q, d_k, seed=self.seeds[score]))
        try:
            return ParamSet(score, check_params(score, params, d_q, d_k))
        except ValueError as exc:
            raise AttentionInputError(str(exc)) from None

    def fitting(self, current: Any, score: str, d_q: int, d_k: int) -> dict[str, np.ndarray]:
        """The set that goes with ``score`` and the widths: ``current`` (the widget's params)
        or the one kept for ``score`` while it fits, else one drawn again."""
        if score not in SCORES:
            return {}  # (the score check names the problem)
        if not (isinstance(current, ParamSet) and current.score == score):
            current = self.kept.get(score)
        if current is not None and params_fit(score, current, d_q, d_k):
            return current
        key = (score, d_q, d_k, self.seeds[score])
        if key not in self._drawn:
            self._drawn = {key: ParamSet(score, init_params(score, d_q, d_k, seed=key[3]))}
        return self._drawn[key]

    def keep(self, score: str, params: dict[str, np.ndarray]) -> None:
        """Remember ``params`` as the set of ``score``."""
        self.kept[score] = params if isinstance(params, ParamSet) else ParamSet(score, params)

    def every(self, d_q: int, d_k: int) -> dict[str, ParamSet]:
        """A fitting set for every score function (the ones kept, or drawn)."""
        for s in SCORES:
            if s not in self.kept or not params_fit(s, self.kept[s], d_q, d_k):
                self.kept[s] = ParamSet(s, init_params(s, d_q, d_k, seed=self.seeds[s]))
        return {s: self.kept[s] for s in SCORES}

    def resampled(self, score: str, d_q: int, d_k: int, hidden: int | None, seed: int | None):
        """A new set for ``score`` drawn with ``seed`` (default: the previous seed + 1)."""
        new_seed = self.seeds[score] + 1 if seed is None else int(seed)
        fresh = ParamSet(score, init_params(score, d_q, d_k, hidden=hidden, seed=new_seed))
        return fresh, new_seed
