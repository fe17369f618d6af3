"""AttentionWidget: the engine's three steps as a live, editable notebook view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from traitlets import Bool, Dict, Int, Unicode, observe, validate

from ..core.checks import check_score
from ..core.engine import AttentionResult
from ..core.examples import default_example
from ..core.masks import causal_mask, lengths_mask
from ..wire.codec import (
    array_serialization,
    param_sets_serialization,
    params_serialization,
    row_patch_serialization,
)
from ..wire.protocol import ATTENTION
from ..wire.traits import (
    AttentionInputError,
    BoolMatrix,
    Index,
    Matrix,
    Temperature,
    Tokens,
    validate_as,
)
from .base import WidgetBase, check_options
from .comparison import Comparison
from .exports import Exports
from .heads import AttentionHeads
from .paramsets import ParamSets
from .results import Results, as_input_error, default_tokens, tokens_for
from .viewedits import ViewEdits

__all__ = ["AttentionWidget"]

_INPUTS = ATTENTION.inputs  # the traits the results depend on


class AttentionWidget(Exports, Comparison, ViewEdits, WidgetBase):
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
        True where a query may attend to a key. Float masks and torch's causal mask written
        as True = blocked are refused with a message.
    temperature : float
        Softmax temperature, > 0.
    causal : bool
        Start with the causal mask: query i sees key j when ``j <= i + (N - M)`` (with
        ``mask`` too: both apply). It becomes the ``mask`` trait, editable like any mask.

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

    protocol = ATTENTION

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
    # An edit of some queries (or their rows of the mask) from a view changes those rows of the
    # results only: they are sent as {"rows", "scores", "weights", "output"} (the rows' values)
    # instead of the whole arrays, which the views patch. None after any other change (the
    # arrays are sent whole).
    _row_patch = Dict(default_value=None, allow_none=True).tag(sync=True, **row_patch_serialization)
    # A view's edit of a few queries sends only their rows up, {"rows", "Q"}: applied as the
    # edit of Q it stands for (results.edit_of_q), so this trait itself stays None here.
    _query_patch = Dict(default_value=None, allow_none=True).tag(
        sync=True, **row_patch_serialization
    )
    # The same for keys and values: a view's edit of a few sends {"rows", "K"?, "V"?} up
    # (keyedits.edit_of_keys), answered with only what changed: weights and output whole, and
    # {"keys", "scores"?: their columns, "K"?, "V"?: their rows} here (None otherwise).
    _key_patch = Dict(default_value=None, allow_none=True).tag(sync=True, **row_patch_serialization)
    _col_patch = Dict(default_value=None, allow_none=True).tag(sync=True, **row_patch_serialization)
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
        causal: bool = False,
        **kwargs: Any,
    ) -> None:
        check_options("AttentionWidget", kwargs)
        if Q is None and K is None and V is None:
            ex = default_example()
            Q, K, V = ex.queries, ex.keys, ex.values
            query_tokens = ex.query_tokens if query_tokens is None else query_tokens
            key_tokens = ex.key_tokens if key_tokens is None else key_tokens
        elif Q is None or K is None:
            raise AttentionInputError("Q and K are both required (or neither, for the example)")
        # Everything is validated together, before the widget exists for the frontend.
        self._ready = False
        self._param_sets = ParamSets()
        self._results = Results()
        self._init_view_edits()
        q = validate_as(Matrix(), "Q", Q)
        k = validate_as(Matrix(), "K", K)
        V = validate_as(Matrix(allow_none=True), "V", V)
        mask = validate_as(BoolMatrix(allow_none=True), "mask", mask)
        if causal is not False:
            mask = self._causal(causal, mask, len(q), len(k))
        temperature = validate_as(Temperature(), "temperature", temperature)
        qt = default_tokens("q", len(q)) if query_tokens is None else query_tokens
        kt = default_tokens("k", len(k)) if key_tokens is None else key_tokens
        qt = validate_as(Tokens(), "query_tokens", qt)
        kt = validate_as(Tokens(), "key_tokens", kt)
        try:
            check_score(score)
        except ValueError as exc:
            raise AttentionInputError(str(exc)) from None
        p = self._param_sets.checked(score, params, q.shape[1], k.shape[1])
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
        with self._guard(), self.hold_sync(), self.hold_trait_notifications():
            with as_input_error("update()"):  # any failure: traitlets rolls back every trait
                for name in order:
                    setattr(self, name, changes[name])

    def set_valid_lens(self, valid_lens: Any) -> None:
        """Let each query attend to its first ``valid_lens`` keys only (d2l's padding lengths).

        Sets ``mask`` to the mask the view's "valid lengths" inputs send (row i: keys 0 to
        ``valid_lens[i] - 1``), so the weights equal ``attention(..., valid_lens=valid_lens)``.
        A length of 0 masks every key of that query: its weights and output are 0.

        Parameters
        ----------
        valid_lens : int or array_like of int, shape (M,)
            One length for every query, or one per query, each in [0, N].

        Raises
        ------
        ValueError
            For lengths that are not integers in [0, N] or of another shape; the mask is kept.
        """
        m, n = self.weights.shape
        self.mask = np.broadcast_to(lengths_mask(valid_lens, (), m, n), (m, n)).copy()

    def resample(self, seed: int | None = None) -> None:
        """Draw new parameters for the current score function.

        Parameters
        ----------
        seed : int, optional
            Seed for :func:`attnwidget.init_params`; default: the previous seed + 1.
        """
        with self._guard():
            score = self.score
            if score in ("dot", "scaled_dot"):
                return
            h = self.params["W"].shape[0] if score != "general" else None
            d_q, d_k = self.Q.shape[1], self.K.shape[1]
            fresh, used = self._param_sets.resampled(score, d_q, d_k, h, seed)
            self.params = fresh
            self._param_sets.seeds[score] = used

    @classmethod
    def from_weights(
        cls,
        weights: Any,
        tokens: Sequence[str],
        *,
        query_tokens: Sequence[str] | None = None,
        layer: int = 0,
        head: int = 0,
        batch: int | None = None,
    ) -> AttentionHeads:
        """Show precomputed attention weights, as a model returns them.

        Parameters
        ----------
        weights : array_like or tuple of array_like
            A model's ``outputs.attentions`` (a tuple of per-layer (batch, heads, M, N)
            tensors, as bertviz takes), (layers, batch, heads, M, N), or one example's
            (layers, heads, M, N), (heads, M, N) or (M, N). Numpy arrays or torch tensors,
            any float dtype (float16 and bfloat16 too).
        tokens : sequence of str
            The key tokens (and query tokens when M == N and ``query_tokens`` is None), e.g.
            ``tokenizer.convert_ids_to_tokens(ids)``.
        query_tokens : sequence of str, optional
        layer, head : int
            Selected at first.
        batch : int, optional
            The example of a batch to show (default 0). A 4-D torch tensor with a first axis
            > 1 needs it (a model's single layer is (batch, heads, M, N), which would
            otherwise read as layers); give stacked layers of torch as ``list(weights)``.

        Returns
        -------
        AttentionHeads
            A widget with layer/head selectors and a model view of every head.

        Raises
        ------
        ValueError
            (an :class:`AttentionInputError`) saying what was received and how to pass it
            (an empty ``outputs.attentions``: load the model with
            ``attn_implementation="eager"``).

        Notes
        -----
        The kernel keeps its own copy of the weights (float16/32 in their dtype). For 64 MiB
        and more of float16/32, that copy is made in a background thread while the first head
        is shown from your array: do not change your array in place until it is made (a
        moment; assigning a new array to your variable is fine).

        Examples
        --------
        >>> outputs = model(**inputs, output_attentions=True)   # doctest: +SKIP
        >>> tokens = tokenizer.convert_ids_to_tokens(inputs["input_ids"][0])  # doctest: +SKIP
        >>> AttentionWidget.from_weights(outputs.attentions, tokens)  # doctest: +SKIP
        """
        return AttentionHeads(
            weights, tokens, query_tokens=query_tokens, layer=layer, head=head, batch=batch
        )

    @property
    def _n_computations(self) -> int:
        return self._results.computations

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

    # --- validation: every input is checked against all the others ----------------------

    @validate(*_INPUTS, "query_tokens", "key_tokens")
    def _check_change(self, proposal: Any) -> Any:
        value = proposal["value"]
        if not self._ready:
            return value
        name = proposal["trait"].name
        with as_input_error(name):
            return self._cross_checked(name, value)

    def _cross_checked(self, name: str, value: Any) -> Any:
        inputs = {n: getattr(self, n) for n in _INPUTS}
        inputs[name] = value
        qt = value if name == "query_tokens" else self.query_tokens
        kt = value if name == "key_tokens" else self.key_tokens
        if name == "params":
            d_q, d_k = np.shape(inputs["Q"])[1], np.shape(inputs["K"])[1]
            value = self._param_sets.checked(inputs["score"], value, d_q, d_k)
            inputs["params"] = value
        else:
            inputs["params"] = self._params_for(inputs)
        if name in ("Q", "K"):
            qt, kt = tokens_for(inputs, qt, kt)
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
        qt, kt = tokens_for(inputs, self.query_tokens, self.key_tokens)
        result = self._compute(inputs, qt, kt)
        with self.hold_sync(), self.hold_trait_notifications():
            self._param_sets.keep(self.score, result.params)
            if self.params is not result.params:
                self.params = result.params  # (checked already: the cross-check finds it so)
            if qt != self.query_tokens:
                self.query_tokens = qt
            if kt != self.key_tokens:
                self.key_tokens = kt
            if self.selected_query >= len(self.Q):
                self.selected_query = 0
            self._publish(result)

    # --- helpers -------------------------------------------------------------------------

    @staticmethod
    def _causal(causal: Any, mask: np.ndarray | None, m: int, n: int) -> np.ndarray:
        if causal is not True:
            raise AttentionInputError(
                f"causal must be True or False, got {type(causal).__name__} {causal!r:.40}"
            )
        if mask is not None and mask.shape != (m, n):
            raise AttentionInputError(f"mask must have shape (M, N) = ({m}, {n}), got {mask.shape}")
        both = causal_mask(m, n) if mask is None else causal_mask(m, n) & mask
        return validate_as(BoolMatrix(allow_none=True), "mask", both)

    def _compute(self, inputs: dict[str, Any], qt: list[str], kt: list[str]) -> AttentionResult:
        """The engine's result for ``inputs``, computed once per distinct set of inputs."""
        return self._results.compute(inputs, qt, kt)

    def _params_for(self, inputs: dict[str, Any]) -> dict[str, np.ndarray]:
        """The parameters that go with ``inputs``' score and widths (kept or redrawn)."""
        d_q, d_k = np.shape(inputs["Q"])[1], np.shape(inputs["K"])[1]
        return self._param_sets.fitting(self.params, inputs["score"], d_q, d_k)
