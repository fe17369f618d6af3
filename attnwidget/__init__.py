"""attnwidget: the attention mechanism, as a Jupyter widget you can touch."""

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

__version__ = "0.1.0"

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
    "default_example",
    "init_params",
    "softmax",
    "__version__",
]
