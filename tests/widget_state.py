"""Test helpers: a widget's state as plain copies, compared trait by trait, and wire arrays."""

from __future__ import annotations

from typing import Any

import numpy as np

from attnwidget import AttentionWidget
from attnwidget.wire.codec import array_from_json, array_to_json

RESULTS = ("scores", "weights", "output")

TRAITS = (
    "Q",
    "K",
    "V",
    "query_tokens",
    "key_tokens",
    "score",
    "params",
    "mask",
    "temperature",
    "scores",
    "weights",
    "output",
    "selected_query",
)


def snapshot(w: AttentionWidget, names: tuple[str, ...] = TRAITS) -> dict[str, Any]:
    """Copies of the widget's traits, safe from later changes."""
    out: dict[str, Any] = {}
    for n in names:
        v = getattr(w, n)
        if isinstance(v, dict):
            v = {k: np.array(a) for k, a in v.items()}
        elif isinstance(v, (np.ndarray, list)):
            v = v.copy()
        out[n] = v
    return out


def assert_same_state(a: dict[str, Any], b: dict[str, Any]) -> None:
    """Two snapshots hold equal values, trait by trait."""
    assert a.keys() == b.keys()
    for n in a:
        x, y = a[n], b[n]
        if isinstance(x, dict):
            assert x.keys() == y.keys(), n
            for k in x:
                np.testing.assert_array_equal(x[k], y[k])
        elif isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            np.testing.assert_array_equal(x, y)
        else:
            assert x == y, n


def wire(arr: Any) -> dict[str, Any]:
    """An array as a frontend sends it: a bytes buffer, not a numpy array."""
    j = array_to_json(np.asarray(arr))
    return {**j, "buffer": memoryview(bytes(j["buffer"]))}


class FrontendMirror:
    """A comm standing in for a frontend: keeps the results as a view would hold them.

    Attach with ``w.comm = FrontendMirror(w)``. Every message the widget sends is kept in
    ``messages``; ``arrays`` (the results and Q) follows the updates: whole arrays replace, row
    patches (``_row_patch``) write their rows. A view's own edit of Q is not echoed: :meth:`edit`
    sends one as a view does and holds what it sent.
    """

    kernel = object()  # ipywidgets sends only through a comm with a kernel
    comm_id = "mirror"

    def __init__(self, w: AttentionWidget) -> None:
        self.arrays = {n: np.array(getattr(w, n)) for n in (*RESULTS, "Q")}
        self.messages: list[dict[str, Any]] = []

    def send(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        from ipywidgets.widgets.widget import _put_buffers

        self.messages.append(data)
        if data.get("method") != "update":
            return
        state = data["state"]
        _put_buffers(state, data.get("buffer_paths", []), buffers or [])
        for n in self.arrays:
            if n in state:
                self.arrays[n] = array_from_json(state[n])
        patch = state.get("_row_patch")
        if patch:
            for n in self.arrays:
                if n in patch:
                    a = self.arrays[n].copy()
                    a[patch["rows"]] = array_from_json(patch[n])
                    self.arrays[n] = a
        cols = state.get("_col_patch")  # (a key edit's columns of scores)
        if cols and "scores" in cols:
            a = self.arrays["scores"].copy()
            a[:, cols["keys"]] = array_from_json(cols["scores"])
            self.arrays["scores"] = a

    def edit(
        self, w: AttentionWidget, edit_id: int, Q: np.ndarray, rows: list[int] | None = None
    ) -> None:
        """Send ``Q`` as a view's edit: whole, or (``rows``) only those rows (``_query_patch``)."""
        Q = np.asarray(Q, dtype=float)
        if rows is None:
            # a view sets its model's Q, then sends it: what the kernel sends back overrides it
            # (its own Q after an observer changed it, the last good one after a refusal)
            self.arrays["Q"] = Q.copy()
            w.set_state({"Q": wire(Q), "edit_id": edit_id})
        else:  # (the view's Q changes when the kernel sends the rows back)
            w.set_state({"_query_patch": {"rows": rows, "Q": wire(Q[rows])}, "edit_id": edit_id})

    def sent_traits(self) -> list[set[str]]:
        """The trait names of each update message, in order."""
        return [set(m["state"]) for m in self.messages if m.get("method") == "update"]

    def on_msg(self, *args: Any) -> None:
        pass

    def on_close(self, *args: Any) -> None:
        pass

    def close(self, *args: Any, **kwargs: Any) -> None:
        pass

    def assert_matches(self, w: AttentionWidget) -> None:
        """The view holds exactly the kernel's results."""
        for n in self.arrays:
            np.testing.assert_array_equal(self.arrays[n], getattr(w, n), err_msg=n)
