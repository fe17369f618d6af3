"""AttentionWidget: the engine's three steps as a live, editable notebook view."""

from __future__ import annotations

import base64
import contextlib
import pathlib
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import anywidget
import numpy as np
from traitlets import Bool, Dict, Int, TraitError, Unicode, observe, validate

from ._checks import check_params, check_score, freeze, params_fit
from .codec import (
    array_serialization,
    param_sets_serialization,
    params_serialization,
    row_patch_serialization,
)
from .engine import SCORES, AttentionResult, attention, init_params
from .examples import default_example
from .traits import (
    AttentionInputError,
    BoolMatrix,
    Index,
    Matrix,
    Temperature,
    Tokens,
    validate_as,
)

if TYPE_CHECKING:
    from .heads import AttentionHeads

__all__ = ["AttentionWidget"]

_STATIC = pathlib.Path(__file__).parent / "static"

MAX_PAIRS = 2048 * 2048
"""Most query-key pairs a widget shows (its scores and weights cross the wire on every edit)."""
MAX_VALUES = 2048 * 2048
"""Most numbers in each of Q, K and V."""

# The traits the results depend on, and those only the kernel may set.
_INPUTS = ("Q", "K", "V", "score", "params", "mask", "temperature")
_RESULTS = ("scores", "weights", "output")
# What a view may set: the inputs it edits, the selection, the edit's id, and the DOM options
# a frontend may own. Anything else (results, parameters, plumbing such as _esm) is refused.
_VIEW_EDITS = frozenset(
    {*_INPUTS, "query_tokens", "key_tokens", "selected_query", "edit_id"} - {"params"}
) | {"layout", "tabbable", "tooltip"}
# Assignments to these go through the widget's lock: one change at a time, from any thread.
_LOCKED = frozenset({*_INPUTS, "query_tokens", "key_tokens", "selected_query"})


class AttentionWidget(anywidget.AnyWidget):
    """Attention you can touch: edit queries, toggle score functions, watch the weights.

    The traits are the whole contract with the frontend (see ``docs/how-it-works.md``).
    ``scores``, ``weights`` and ``output`` always equal::

        attention(w.Q, w.K, w.V, score=w.score, params=w.params, mask=w.mask,
                  temperature=w.temperature)

    recomputed once per change, whichever side (Python or the view) made it.

    Parameters
    ----------
    Q : array_like, shape (M, d_q), optional
        Queries. With ``Q``, ``K`` and ``V`` all None, the built-in example is shown.
    K : array_like, shape (N, d_k), optional
        Keys. Required when ``Q`` is given.
    V : array_like, shape (N, d_v), optional
        Values; None means V = K.
    query_tokens, key_tokens : sequence of str, optional
        Labels; default ``"q0", "q1", ...`` and ``"k0", "k1", ...``.
    score : str
        One of :data:`attnwidget.SCORES`.
    params : dict of str to array_like, optional
        Parameters of ``score``; default ``init_params(score, d_q, d_k, seed=0)``.
    mask : array_like of bool, shape (M, N), optional
        True where a query may attend to a key.
    temperature : float
        Softmax temperature, > 0.

    Raises
    ------
    TypeError
        For an unknown keyword argument.
    ValueError
        (an :class:`AttentionInputError`, also a ``TraitError``) for input that does not fit;
        the message names the argument.

    Notes
    -----
    The widget keeps one parameter set per score function, so toggling away and back gives
    the same numbers. When a new ``Q`` or ``K`` changes d_q or d_k, parameter sets that no
    longer fit are drawn again with :func:`attnwidget.init_params` (same seed). The arrays it
    holds are read-only: assign a new array (``w.Q = new_Q``) to edit. To change several
    traits at once (e.g. ``Q`` and ``query_tokens`` with a new number of queries), use
    :meth:`update`, which validates them together and recomputes once.
    """

    _esm = _STATIC / "widget.js"
    _css = _STATIC / "widget.css"

    Q = Matrix().tag(sync=True, echo_update=False, **array_serialization)
    K = Matrix().tag(sync=True, echo_update=False, **array_serialization)
    V = Matrix(allow_none=True).tag(sync=True, echo_update=False, **array_serialization)
    query_tokens = Tokens().tag(sync=True)
    key_tokens = Tokens().tag(sync=True)
    score = Unicode("scaled_dot").tag(sync=True)
    params = Dict().tag(sync=True, **params_serialization)
    param_sets = Dict(read_only=True).tag(sync=True, **param_sets_serialization)
    mask = BoolMatrix(allow_none=True).tag(sync=True, echo_update=False, **array_serialization)
    temperature = Temperature().tag(sync=True)
    selected_query = Index().tag(sync=True)

    scores = Matrix(read_only=True).tag(sync=True, **array_serialization)
    weights = Matrix(read_only=True).tag(sync=True, **array_serialization)
    output = Matrix(read_only=True).tag(sync=True, **array_serialization)

    edit_id = Index().tag(sync=True, echo_update=False)
    result_id = Int(0).tag(sync=True)
    # An edit of some queries from a view changes those rows of the results only: they are
    # sent as {"rows", "scores", "weights", "output"} (the rows' values) instead of the whole
    # arrays, which the views patch. None after any other change (the arrays are sent whole).
    _rows = Dict(default_value=None, allow_none=True).tag(sync=True, **row_patch_serialization)
    error = Unicode("").tag(sync=True)
    _static = Bool(False).tag(sync=True)

    def __init__(
        self,
        Q: Any = None,
        K: Any = None,
        V: Any = None,
        *,
        query_tokens: Sequence[str] | None = None,
        key_tokens: Sequence[str] | None = None,
        score: str = "scaled_dot",
        params: dict[str, Any] | None = None,
        mask: Any = None,
        temperature: float = 1.0,
        **kwargs: Any,
    ) -> None:
        unknown = sorted(k for k in kwargs if k not in ("layout", "tabbable", "tooltip"))
        if unknown:
            raise TypeError(
                f"AttentionWidget() got unexpected keyword argument(s): {', '.join(unknown)}"
            )
        if Q is None and K is None and V is None:
            ex = default_example()
            Q, K, V = ex.queries, ex.keys, ex.values
            query_tokens = ex.query_tokens if query_tokens is None else query_tokens
            key_tokens = ex.key_tokens if key_tokens is None else key_tokens
        elif Q is None or K is None:
            raise AttentionInputError("Q and K are both required (or neither, for the example)")
        # Everything is validated together, before the widget exists for the frontend.
        self._lock = threading.RLock()
        self._ready = False
        self._published: tuple[tuple, AttentionResult] | None = None
        self._seeds: dict[str, int] = dict.fromkeys(SCORES, 0)
        self._param_sets: dict[str, dict[str, np.ndarray]] = {}
        self._candidate: tuple[tuple, AttentionResult] | None = None
        self._n_computations = 0
        self._row_edit: np.ndarray | None = None  # Q before a view's edit of Q alone
        self._unsent: dict[str, np.ndarray] = {}  # result arrays sent as a row patch
        q = validate_as(Matrix(), "Q", Q)
        k = validate_as(Matrix(), "K", K)
        V = validate_as(Matrix(allow_none=True), "V", V)
        mask = validate_as(BoolMatrix(allow_none=True), "mask", mask)
        temperature = validate_as(Temperature(), "temperature", temperature)
        qt = _default_tokens("q", len(q)) if query_tokens is None else query_tokens
        kt = _default_tokens("k", len(k)) if key_tokens is None else key_tokens
        qt = validate_as(Tokens(), "query_tokens", qt)
        kt = validate_as(Tokens(), "key_tokens", kt)
        try:
            check_score(score)
        except ValueError as exc:
            raise AttentionInputError(str(exc)) from None
        p = self._fit_params(score, params, q.shape[1], k.shape[1])
        result = self._compute(
            dict(Q=q, K=k, V=V, score=score, params=p, mask=mask, temperature=temperature), qt, kt
        )
        with self.hold_trait_notifications():  # before the comm opens: one state message
            self.set_trait("Q", q)
            self.set_trait("K", k)
            self.set_trait("V", V)
            self.set_trait("query_tokens", qt)
            self.set_trait("key_tokens", kt)
            self.set_trait("score", score)
            self.set_trait("params", result.params)
            self.set_trait("mask", mask)
            self.set_trait("temperature", temperature)
            self._publish(result)
        super().__init__(**kwargs)
        self._ready = True
        self.on_msg(self._on_custom_msg)

    # --- public API --------------------------------------------------------------------

    def update(self, **changes: Any) -> None:
        """Change several traits at once: validated together, recomputed once.

        Parameters
        ----------
        **changes
            Any of ``Q``, ``K``, ``V``, ``query_tokens``, ``key_tokens``, ``score``,
            ``params``, ``mask``, ``temperature``, ``selected_query``.

        Raises
        ------
        TypeError
            For a name that is not one of those.
        AttentionInputError
            If the new values do not fit together; then no trait changes.
        """
        allowed = {*_INPUTS, "query_tokens", "key_tokens", "selected_query"}
        unknown = sorted(set(changes) - allowed)
        if unknown:
            raise TypeError(f"update() got unexpected trait name(s): {', '.join(unknown)}")
        # params first: the final cross-validation then sees them already checked.
        order = sorted(changes, key=lambda n: n != "params")
        with self._lock, self.hold_sync(), self.hold_trait_notifications():
            with _as_input_error("update()"):  # any failure: traitlets rolls back every trait
                for name in order:
                    setattr(self, name, changes[name])

    def resample(self, seed: int | None = None) -> None:
        """Draw new parameters for the current score function.

        Parameters
        ----------
        seed : int, optional
            Seed for :func:`attnwidget.init_params`; default: the previous seed + 1.
        """
        with self._lock:
            score = self.score
            if score in ("dot", "scaled_dot"):
                return
            new_seed = self._seeds[score] + 1 if seed is None else int(seed)
            h = self.params["W"].shape[0] if score != "general" else None
            fresh = init_params(score, self.Q.shape[1], self.K.shape[1], hidden=h, seed=new_seed)
            self.params = _ParamSet(score, fresh)
            self._seeds[score] = new_seed

    @classmethod
    def from_weights(
        cls,
        weights: Any,
        tokens: Sequence[str],
        *,
        query_tokens: Sequence[str] | None = None,
        layer: int = 0,
        head: int = 0,
    ) -> AttentionHeads:
        """Show precomputed attention weights, as a model returns them.

        Parameters
        ----------
        weights : array_like, shape (layers, heads, M, N), (heads, M, N) or (M, N)
            Attention weights, e.g. a transformer's ``output_attentions`` stacked over
            layers (torch tensors accepted).
        tokens : sequence of str
            The key tokens (and query tokens when M == N and ``query_tokens`` is None).
        query_tokens : sequence of str, optional
        layer, head : int
            Selected at first.

        Returns
        -------
        AttentionHeads
            A widget with layer/head selectors and small multiples of every head.
        """
        from .heads import AttentionHeads

        return AttentionHeads(weights, tokens, query_tokens=query_tokens, layer=layer, head=head)

    def to_html(self, path: str | pathlib.Path | None = None, *, title: str | None = None) -> str:
        """Export as one self-contained HTML page that stays interactive offline.

        Parameters
        ----------
        path : str or Path, optional
            Where to write the page; nothing is written when None.
        title : str, optional
            Page title and heading (rendered as text).

        Returns
        -------
        str
            The page's HTML. See :func:`attnwidget.export.to_html`.
        """
        from .export import to_html

        return to_html(self, path, title=title)

    def plot(self, ax: Any = None) -> Any:
        """A matplotlib figure: weights heatmap with tokens, the selected query's three steps.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Draw only the heatmap into it.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from .figures import plot

        return plot(self, ax)

    def save_figure(self, path: str | pathlib.Path, *, dpi: int = 150) -> None:
        """Save :meth:`plot` as PNG, SVG, PDF, ... (format from the file suffix)."""
        from .figures import save_figure

        save_figure(self, path, dpi=dpi)

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        """The widget view, plus a PNG for places that cannot run widgets (GitHub, PDF)."""
        return with_png_fallback(self, super()._repr_mimebundle_(**kwargs))

    @property
    def result(self) -> AttentionResult:
        """The current :class:`~attnwidget.AttentionResult`."""
        return AttentionResult(
            scores=self.scores,
            weights=self.weights,
            output=self.output,
            score=self.score,
            params=dict(self.params),
            temperature=self.temperature,
        )

    # --- frontend edits ----------------------------------------------------------------

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Apply an edit from a view: all of it or none of it.

        A refused edit (a bad value, or a trait the view may not set, such as ``weights`` or
        ``_esm``) sets :attr:`error`, re-sends the kernel's state so the views drop the refused
        values, and changes nothing else. Either way ``result_id`` answers the edit's
        ``edit_id``.
        """
        answer = sync_data.get("edit_id")
        with self._lock, self.hold_sync():
            try:
                not_editable = sorted(k for k in sync_data if k not in _VIEW_EDITS)
                if not_editable:
                    raise AttentionInputError(
                        f"a view cannot set {', '.join(not_editable)}: only the kernel does"
                    )
                if "Q" in sync_data and set(sync_data) <= {"Q", "edit_id", "selected_query"}:
                    self._row_edit = self.Q
                # Every check of a value raises a TraitError (the traits and the codecs turn
                # any other failure into one), so traitlets rolls back the whole edit.
                super().set_state(sync_data)
            except Exception as exc:  # (any failure, even an observer's: the view is answered)
                self.error = str(exc)
                self.send_state([k for k in sync_data if k in self.keys])
            else:
                if answer is not None:
                    self.error = ""
            finally:
                self._row_edit = None
            if type(answer) is int and answer >= 0:
                self.result_id = answer

    def _on_custom_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        with self._lock, self.hold_sync():
            if content.get("type") == "resync":
                # a view could not apply a row patch: send the results whole
                self.send_state([*_RESULTS, "result_id"])
            elif content.get("type") == "resample":
                try:
                    self.resample()
                    self.error = ""
                except Exception as exc:
                    self.error = str(exc)
                answer = content.get("edit_id")
                if type(answer) is int and answer >= 0:
                    self.result_id = answer

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _LOCKED and "_lock" in self.__dict__:
            with self._lock:
                super().__setattr__(name, value)
        else:
            super().__setattr__(name, value)

    # --- validation: every input is checked against all the others ----------------------

    @validate(*_INPUTS, "query_tokens", "key_tokens")
    def _check_change(self, proposal: Any) -> Any:
        value = proposal["value"]
        if not self._ready:
            return value
        name = proposal["trait"].name
        with _as_input_error(name):
            return self._cross_checked(name, value)

    def _cross_checked(self, name: str, value: Any) -> Any:
        inputs = {n: getattr(self, n) for n in _INPUTS}
        inputs[name] = value
        qt = value if name == "query_tokens" else self.query_tokens
        kt = value if name == "key_tokens" else self.key_tokens
        if name == "params":
            inputs["params"] = self._checked_params(inputs, value)
            value = inputs["params"]
        else:
            inputs["params"] = self._params_for(inputs)
        if name in ("Q", "K"):
            qt, kt = self._tokens_for(inputs, qt, kt)
        self._compute(inputs, qt, kt)
        return value

    @validate("selected_query")
    def _check_selected(self, proposal: Any) -> int:
        i = proposal["value"]
        m = len(self.Q) if self._ready else 1
        if not 0 <= i < m:
            raise AttentionInputError(f"selected_query must be in [0, {m - 1}], got {i}")
        return i

    @observe(*_INPUTS)
    def _on_input_change(self, change: Any) -> None:
        if not self._ready:
            return
        inputs = {n: getattr(self, n) for n in _INPUTS}
        inputs["params"] = self._params_for(inputs)
        qt, kt = self._tokens_for(inputs, self.query_tokens, self.key_tokens)
        result = self._compute(inputs, qt, kt)
        with self.hold_sync(), self.hold_trait_notifications():
            self._param_sets[self.score] = result.params
            if self.params is not result.params:
                self._ready = False  # internal bookkeeping, already validated
                try:
                    self.params = result.params
                finally:
                    self._ready = True
            if qt != self.query_tokens:
                self.query_tokens = qt
            if kt != self.key_tokens:
                self.key_tokens = kt
            if self.selected_query >= len(self.Q):
                self.selected_query = 0
            self._publish(result)

    # --- helpers -------------------------------------------------------------------------

    def _compute(self, inputs: dict[str, Any], qt: list[str], kt: list[str]) -> AttentionResult:
        """The engine's result for ``inputs``, computed once per distinct set of inputs."""
        _check_size(inputs)
        _check_tokens(qt, kt, len(inputs["Q"]), len(inputs["K"]))
        key = tuple(inputs[n] for n in _INPUTS)
        if self._candidate is not None and _same(self._candidate[0], key):
            return self._candidate[1]
        q, k = inputs["Q"], inputs["K"]
        mask = inputs["mask"]
        if mask is not None and np.shape(mask) != (len(q), len(k)):
            raise AttentionInputError(
                f"mask must have shape (M, N) = ({len(q)}, {len(k)}), got {np.shape(mask)}"
            )
        try:
            result = attention(
                q,
                k,
                inputs["V"],
                score=inputs["score"],
                params=inputs["params"],
                mask=mask,
                temperature=inputs["temperature"],
            )
        except ValueError as exc:
            raise AttentionInputError(_widget_words(str(exc))) from None
        for a in (result.scores, result.weights, result.output):
            freeze(a)  # (so the traits store these arrays, not copies of them)
        result = AttentionResult(
            result.scores,
            result.weights,
            result.output,
            result.score,
            inputs["params"],
            result.temperature,
        )
        self._candidate = (key, result)
        self._n_computations += 1
        return result

    def _publish(self, result: AttentionResult) -> None:
        """Store ``result`` (the last one :meth:`_compute` returned) and send it to the views."""
        assert self._candidate is not None and self._candidate[1] is result
        key = self._candidate[0]
        if self._published is not None and result is self._published[1]:
            return  # e.g. score and params changed together: one result, one message
        rows = self._changed_rows(key)
        self._published = (key, result)
        with self.hold_sync():
            if rows is None:
                self._unsent = {}
                for name in _RESULTS:
                    self.set_trait(name, getattr(result, name))
                self.set_trait("_rows", None)
            else:
                # The views hold the arrays published before: only these rows changed.
                # Patched copies of those arrays, so the kernel holds what the views show.
                self._unsent = {}
                patch = {}
                for name in _RESULTS:
                    patch[name] = getattr(result, name)[rows]
                    a = np.array(getattr(self, name))
                    a[rows] = patch[name]
                    freeze(a)  # (stored as it is: the identity marks it unsent)
                    self._unsent[name] = a
                    self.set_trait(name, a)
                self.set_trait("_rows", {"rows": rows.tolist(), **patch})
            self._param_sets[result.score] = result.params
            sets = self._all_param_sets()
            if any(sets[s] is not self.param_sets.get(s) for s in SCORES):
                self.set_trait("param_sets", sets)

    def _changed_rows(self, key: tuple) -> np.ndarray | None:
        """The queries a view's edit of Q changed, when only their rows of the results change
        and they are at most half of them; else None (send the arrays whole).

        ``key`` holds the inputs of the result about to be published. Rows are patched only
        when every other input is the one the published results were computed with (an
        observer or another thread may have changed one during the edit).
        """
        if self._row_edit is None or self._published is None:
            return None
        before = self._published[0]
        if before[0].shape != key[0].shape or not _same(before[1:], key[1:]):
            return None
        rows = np.flatnonzero((key[0] != before[0]).any(axis=1))
        if len(rows) == 0 or 2 * len(rows) > len(key[0]):
            return None
        return rows

    def _should_send_property(self, key: str, value: Any) -> bool:
        if self._unsent.get(key) is value:
            return False  # sent as a row patch (_rows)
        return super()._should_send_property(key, value)

    def _all_param_sets(self) -> dict[str, dict[str, np.ndarray]]:
        d_q, d_k = self.Q.shape[1], self.K.shape[1]
        for s in SCORES:
            if s not in self._param_sets or not params_fit(s, self._param_sets[s], d_q, d_k):
                self._param_sets[s] = _ParamSet(s, init_params(s, d_q, d_k, seed=self._seeds[s]))
        return {s: self._param_sets[s] for s in SCORES}

    def _fit_params(self, score: str, params: Any, d_q: int, d_k: int) -> _ParamSet:
        if params is None:
            return _ParamSet(score, init_params(score, d_q, d_k, seed=self._seeds.get(score, 0)))
        try:
            return _ParamSet(score, check_params(score, params, d_q, d_k))
        except ValueError as exc:
            raise AttentionInputError(str(exc)) from None

    def _checked_params(self, inputs: dict[str, Any], value: Any) -> dict[str, np.ndarray]:
        """A new ``params`` from the user, for the current score."""
        d_q, d_k = np.shape(inputs["Q"])[1], np.shape(inputs["K"])[1]
        if isinstance(value, _ParamSet) and value.score == inputs["score"]:
            return value  # already checked
        return self._fit_params(inputs["score"], value, d_q, d_k)

    def _params_for(self, inputs: dict[str, Any]) -> dict[str, np.ndarray]:
        """The parameters that go with ``inputs``' score and widths (kept or redrawn)."""
        score = inputs["score"]
        d_q, d_k = np.shape(inputs["Q"])[1], np.shape(inputs["K"])[1]
        params = self.params
        if isinstance(params, _ParamSet) and params.score == score:
            current: dict | None = params
        else:
            current = self._param_sets.get(score)
        if score not in SCORES:
            return {}
        if current is not None and params_fit(score, current, d_q, d_k):
            return current
        return self._redrawn(score, d_q, d_k)

    def _redrawn(self, score: str, d_q: int, d_k: int) -> dict[str, np.ndarray]:
        cache = self.__dict__.setdefault("_redrawn_cache", {})
        key = (score, d_q, d_k, self._seeds[score])
        if key not in cache:
            cache.clear()
            cache[key] = _ParamSet(score, init_params(score, d_q, d_k, seed=self._seeds[score]))
        return cache[key]

    def _tokens_for(
        self, inputs: dict[str, Any], qt: list[str], kt: list[str]
    ) -> tuple[list[str], list[str]]:
        """Default tokens follow a change of M or N; user tokens must be changed with it."""
        m, n = len(inputs["Q"]), len(inputs["K"])
        if len(qt) != m and qt == _default_tokens("q", len(qt)):
            qt = _default_tokens("q", m)
        if len(kt) != n and kt == _default_tokens("k", len(kt)):
            kt = _default_tokens("k", n)
        return qt, kt


class _ParamSet(dict):
    """Parameter arrays that know which score function they belong to."""

    def __init__(self, score: str, arrays: dict[str, np.ndarray]) -> None:
        super().__init__(arrays)
        self.score = score


def with_png_fallback(widget: Any, bundle: tuple[dict, dict] | None) -> tuple[dict, dict] | None:
    """Add an ``image/png`` of the widget's figure to its mimebundle (made when displayed)."""
    if bundle is None:
        return None
    from .figures import png_bytes

    data, metadata = bundle
    return {**data, "image/png": base64.b64encode(png_bytes(widget)).decode("ascii")}, metadata


def _check_size(inputs: dict[str, Any]) -> None:
    """Refuse inputs too large to show live (the browser would freeze), saying what to do."""
    m, n = len(inputs["Q"]), len(inputs["K"])
    if m * n > MAX_PAIRS:
        raise AttentionInputError(
            f"Q and K are too large to show: {m} x {n} = {m * n:,} query-key pairs, the widget "
            f"shows at most {MAX_PAIRS:,} (e.g. 2048 x 2048). Show a slice (Q[:256], K[:256]), "
            "or compute with attnwidget.attention() and plot the weights."
        )
    arrays = [(n, inputs[n]) for n in ("Q", "K", "V")]
    arrays += [(f"params['{n}']", a) for n, a in (inputs["params"] or {}).items()]
    for name, a in arrays:
        if a is not None and np.size(a) > MAX_VALUES:
            raise AttentionInputError(
                f"{name} is too large to show: shape {np.shape(a)} has {np.size(a):,} values, "
                f"the widget shows at most {MAX_VALUES:,}; reduce its rows or width"
            )


def _check_tokens(qt: list[str], kt: list[str], m: int, n: int) -> None:
    for name, tokens, count, what in (
        ("query_tokens", qt, m, "query"),
        ("key_tokens", kt, n, "key"),
    ):
        if len(tokens) != count:
            raise AttentionInputError(
                f"{name} must have one token per {what}: expected {count}, got {len(tokens)}"
            )


@contextlib.contextmanager
def _as_input_error(what: str) -> Iterator[None]:
    """Turn any failure into an :class:`AttentionInputError`, so that traitlets rolls back
    every trait changed in the enclosing ``hold_trait_notifications()`` block."""
    try:
        yield
    except TraitError:
        raise
    except Exception as exc:  # e.g. OverflowError, TypeError, MemoryError from numpy
        raise AttentionInputError(f"{what} failed: {type(exc).__name__}: {exc}") from exc


def _default_tokens(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def _same(a: tuple, b: tuple) -> bool:
    return all(
        x is y or (isinstance(x, (str, float, int)) and x == y) for x, y in zip(a, b, strict=True)
    )


def _widget_words(message: str) -> str:
    """The engine names its arguments queries/keys/values; the widget's traits are Q/K/V."""
    for word, trait in (("queries", "Q"), ("keys", "K"), ("values", "V")):
        if message.startswith(word):
            return trait + message[len(word) :]
    return message
