"""attnwidget: the attention mechanism, as a Jupyter widget you can touch."""

from __future__ import annotations

from importlib import metadata as _metadata

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
from .models import CapturedAttention, capture
from .widgets.attention import AttentionWidget
from .widgets.heads import AttentionHeads
from .wire.traits import AttentionInputError

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
    "CapturedAttention",
    "Example",
    "attention",
    "capture",
    "default_example",
    "init_params",
    "softmax",
    "__version__",
]
