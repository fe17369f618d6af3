"""What every attnwidget widget shares: the frontend bundle, one lock for every change, what a
view may set (from the protocol source), and a PNG for places that cannot run widgets."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterable
from typing import Any, ClassVar

import anywidget
from traitlets import Unicode

from ..wire.bundle import STATIC
from ..wire.protocol import Traits
from ..wire.traits import AttentionInputError

__all__ = ["WidgetBase", "check_options"]

_OPTIONS = frozenset({"layout", "tabbable", "tooltip"})


def check_options(owner: str, kwargs: Iterable[str]) -> None:
    """Refuse constructor keywords other than ipywidgets' DOM options, naming them."""
    unknown = sorted(set(kwargs) - _OPTIONS)
    if unknown:
        raise TypeError(f"{owner}() got unexpected keyword argument(s): {', '.join(unknown)}")


class WidgetBase(anywidget.AnyWidget):
    """An anywidget whose traits are the protocol source's, changed one change at a time.

    Subclasses name their :attr:`protocol`, implement :meth:`plot` and :meth:`_fallback_png`
    (the image a display carries, see :mod:`attnwidget.fallback`) and
    may refine :meth:`_apply_edit` and :meth:`_answer`.
    """

    _esm = STATIC / "widget.js"
    _css = STATIC / "widget.css"
    protocol: ClassVar[Traits]
    """The widget's traits in the protocol source (``attnwidget/wire/protocol.json``)."""
    error = Unicode("").tag(sync=True)
    """Why the last edit was refused ("" when it was applied)."""
    png_fallback: ClassVar[bool] = True
    """Whether a display carries a PNG (the weights heatmap) beside the widget view, for places that
    cannot run widgets (GitHub, nbviewer, PDF, ``nbconvert --to markdown``). Set it to False on
    a class (``AttentionWidget.png_fallback = False``) or on one widget to display faster; the
    saved notebook then shows nothing where widgets cannot run."""

    def _guard(self) -> threading.RLock:
        """The widget's lock (made at its first use, whichever __init__ sets a trait first)."""
        return self.__dict__.setdefault("_lock", threading.RLock())

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.protocol.traits:  # one change at a time, from any thread
            with self._guard():
                super().__setattr__(name, value)
        else:
            super().__setattr__(name, value)

    # --- a view's edit: all of it or none of it, always answered --------------------------

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Apply an edit from a view: all of it or none of it.

        A refused edit (a bad value, or a trait a view may not set, such as ``weights`` or
        ``_esm``) sets ``error``, re-sends the kernel's values of what it named so the views
        drop theirs, and changes nothing else. Either way the edit is answered.
        """
        message = ""
        with self._guard(), self.hold_sync():
            try:
                not_editable = sorted(set(sync_data) - self.protocol.view_edits)
                if not_editable:
                    raise AttentionInputError(
                        f"a view cannot set {', '.join(not_editable)}: only the kernel does"
                    )
                # Every check of a value raises a TraitError (the traits and the codecs turn
                # any other failure into one), so traitlets rolls back the whole edit.
                self._apply_edit(sync_data)
            except Exception as exc:  # (any failure, even an observer's: the view is answered)
                message = str(exc) or type(exc).__name__
                self.send_state([k for k in sync_data if k in self.keys])
            self._answer(sync_data, message)

    def _apply_edit(self, sync_data: dict[str, Any]) -> None:
        super().set_state(sync_data)

    def _answer(self, sync_data: dict[str, Any], error: str) -> None:
        """Tell the views how the edit went (``error`` is empty when it was applied)."""
        self.set_trait("error", error)

    # --- the figure, for places that cannot run widgets ----------------------------------

    def plot(self) -> Any:  # pragma: no cover - every widget defines its figure
        raise NotImplementedError

    def _fallback_png(self) -> bytes:  # pragma: no cover - every widget defines its image
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        """The widget view, plus a PNG for places that cannot run widgets (GitHub, PDF)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        if not self.png_fallback:
            return data, metadata
        png = base64.b64encode(self._fallback_png()).decode("ascii")
        return {**data, "image/png": png}, metadata
