"""Real models: run a transformers model once and take each head into the widgets.

Needs torch and transformers (``pip install 'attnwidget[torch]'``); importing this package
does not import them, :func:`capture` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .captured import CapturedAttention

__all__ = ["CapturedAttention", "capture"]


def capture(
    model: Any,
    *,
    tokens: Sequence[str] | Sequence[Sequence[str]] | None = None,
    tokenizer: Any = None,
    **inputs: Any,
) -> CapturedAttention:
    """Run ``model(**inputs)`` once and record what every attention head really used.

    The model runs in eval mode without gradients, on an attention implementation that
    attnwidget registers with transformers (``AttentionInterface``), which computes what
    transformers' eager attention computes and records, per layer: the queries and keys after
    position embeddings (rotary included), the values, the key/value head of each query head
    (grouped-query), the mask the model applied and the scaling. The model's attention
    implementation and training mode are restored afterwards.

    Parameters
    ----------
    model : transformers.PreTrainedModel
        A decoder-only or encoder-only model whose attention layers use transformers'
        attention interface (BERT, GPT-2, Llama, Mistral, Qwen2, ...).
    tokens : list of str, or list of list of str, optional
        The tokens of the (single) example, or of each example of the batch.
    tokenizer : optional
        Used to name the tokens of ``inputs["input_ids"]`` (``convert_ids_to_tokens``).
    **inputs
        The model's inputs, e.g. ``**tokenizer(text, return_tensors="pt")``:
        ``input_ids``, ``attention_mask``...

    Returns
    -------
    CapturedAttention
        ``.attentions``, ``.widget(layer, head)``, ``.heads()``.

    Raises
    ------
    ImportError
        Without torch or transformers.
    TypeError, ValueError
        For a model it cannot read, naming its class (e.g. encoder-decoder models, soft-capped
        scores, attention biases such as ALiBi, models that do not use the interface).
    """
    from ._transformers import run

    layers, outputs = run(model, inputs)
    batch = layers[0].queries.shape[0]
    return CapturedAttention(layers, _tokens(tokens, tokenizer, inputs, batch), outputs)


def _tokens(tokens: Any, tokenizer: Any, inputs: dict[str, Any], batch: int) -> Any:
    if tokens is not None and tokenizer is not None:
        raise ValueError("pass tokens or tokenizer, not both")
    if tokenizer is not None:
        ids = inputs.get("input_ids")
        if ids is None:
            raise ValueError("tokenizer needs input_ids among the inputs")
        return [list(tokenizer.convert_ids_to_tokens(list(map(int, row)))) for row in ids]
    if tokens is None:
        return None
    rows = [list(tokens)] if tokens and isinstance(tokens[0], str) else [list(t) for t in tokens]
    if len(rows) != batch:
        raise ValueError(f"tokens: expected one list per example ({batch}), got {len(rows)}")
    for row in rows:
        if not all(isinstance(t, str) for t in row):
            raise ValueError(
                "tokens must be strings; for token ids use tokenizer.convert_ids_to_tokens(ids)"
            )
    return rows
