"""attnwidget: the attention mechanism, as a Jupyter widget you can touch."""

from __future__ import annotations

from importlib import metadata as _metadata
from typing import TYPE_CHECKING, Any

from .core.engine import (
    CHUNK_BUDGET_BYTES,
    DEFAULT_HIDDEN,
    MAX_HIDDEN,
    SCORES,
    AttentionResult,
    attention,
    init_params,
    softmax,
)
from .core.examples import Example, default_example
from .widgets.attention import AttentionWidget
from .widgets.heads import AttentionHeads
from .wire.traits import AttentionInputError

if TYPE_CHECKING:
    from .models import CapturedAttention



def capture(model: Any, **inputs: Any) -> CapturedAttention:
    """Run a transformers model once and record what every attention head used.

    See :func:`attnwidget.models.capture` (needs ``pip install 'attnwidget[torch]'``; torch
    and transformers are imported only when this runs).
    """
    from .models import capture as _capture

    return _capture(model, **inputs)


try:
    __version__ = _metadata.version("attnwidget")  # pyproject.toml, the one place it is written
except _metadata.PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "CHUNK_BUDGET_BYTES",
    "DEFAULT_HIDDEN",
    "MAX_HIDDEN",
    "SCORES",
    "AttentionHeads",
    "AttentionInputError",
    "AttentionResult",
    "AttentionWidget",
    "Example",
    "attention",
    "capture",
    "default_example",
    "init_params",
    "softmax",
    "__version__",
]
