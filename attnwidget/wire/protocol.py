"""The widgets' protocol: which traits cross the wire, who may set each, and the limits.

Written once, in ``protocol.json`` beside this module; the frontend bundles the same file
(``js/src/wire/protocol.ts``), and tests on both sides check the widgets against it.
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ATTENTION",
    "HEADS",
    "KEY_PATCH",
    "MAX_KERNEL_WEIGHTS",
    "MAX_PAIRS",
    "MAX_THUMBNAILS",
    "MAX_VALUES",
    "MAX_WEIGHTS",
    "ROW_PATCH",
    "THUMBNAIL_SIDE",
    "Traits",
]

SOURCE: dict[str, Any] = json.loads(
    pathlib.Path(__file__).with_name("protocol.json").read_text(encoding="utf-8")
)


@dataclass(frozen=True)
class Traits:
    """One widget's synced traits, as the protocol source lists them."""

    kind: str
    traits: dict[str, dict[str, Any]]
    inputs: tuple[str, ...] = ()
    results: tuple[str, ...] = ()

    @property
    def view_edits(self) -> frozenset[str]:
        """What a view may set: its traits marked ``"set_by": "view"`` and the DOM options."""
        edits = {n for n, t in self.traits.items() if t["set_by"] == "view"}
        return frozenset(edits | set(SOURCE["dom_options"]))

    @property
    def on_page(self) -> tuple[str, ...]:
        """The traits an exported page carries."""
        return tuple(n for n, t in self.traits.items() if t.get("page", True))


def _traits(kind: str) -> Traits:
    spec = SOURCE[kind]
    return Traits(
        kind,
        spec["traits"],
        tuple(spec.get("inputs", ())),
        tuple(spec.get("results", ())),
    )


ATTENTION = _traits("attention")
HEADS = _traits("heads")
ROW_PATCH: dict[str, Any] = SOURCE["attention"]["row_patch"]
KEY_PATCH: dict[str, Any] = SOURCE["attention"]["key_patch"]
"""A view's edit of a few keys or values: up as their rows, down as what changed (keyedits.py)."""

MAX_PAIRS: int = SOURCE["limits"]["max_pairs"]
"""Most query-key pairs a widget shows (its scores and weights cross the wire on every edit)."""
MAX_VALUES: int = SOURCE["limits"]["max_values"]
"""Most numbers in each of Q, K and V (and in each parameter array)."""
MAX_WEIGHTS: int = SOURCE["limits"]["max_weights"]
"""Most weights one message of an AttentionHeads widget carries (1 byte each on the wire): the
selected head (live), or the heads a page carries."""
MAX_KERNEL_WEIGHTS: int = SOURCE["limits"]["max_kernel_weights"]
"""Most weights an AttentionHeads widget keeps in the kernel (they stay there)."""
THUMBNAIL_SIDE: int = SOURCE["limits"]["thumbnail_side"]
"""Each head's thumbnail is max-pooled to at most this many rows and columns."""
MAX_THUMBNAILS: int = SOURCE["limits"]["max_thumbnails"]
"""Most heads (layers x heads) sent as thumbnails (a model view of them all)."""
