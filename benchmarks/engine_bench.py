"""Engine and wire benchmarks: every figure is a ratio to a baseline timed in the same run."""

from __future__ import annotations

import gc
import json
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

from attnwidget import CHUNK_BUDGET_BYTES, AttentionWidget, attention, init_params
from attnwidget.wire.codec import array_to_json
from attnwidget.wire.protocol import ROW_PATCH


def best_time(fn: Callable[[], Any], *, repeat: int = 7, min_time: float = 0.05) -> float:
    """The best per-call time over ``repeat`` rounds of at least ``min_time`` seconds each."""
    fn()  # warm up
    best = float("inf")
    for _ in range(repeat):
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
        best = min(best, elapsed / calls)
    return best


def interleaved(a: Callable[[], Any], b: Callable[[], Any], rounds: int) -> tuple[float, float]:
    """Best times of ``a`` and ``b``, measured alternately so drift hits both alike."""
    ta = tb = float("inf")
    for _ in range(rounds):
        ta = min(ta, best_time(a, repeat=1))
        tb = min(tb, best_time(b, repeat=1))
    return ta, tb


def _softmax_rows(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def blas_bound(quick: bool) -> list[dict[str, Any]]:
    """dot / general / scaled_dot: attention() vs the bare GEMMs and softmax it needs."""
    shapes = [(64, 64, 16), (1, 512, 16)] if quick else [(1024, 1024, 64), (1, 8192, 64)]
    rows = []
    rng = np.random.default_rng(0)
    for m, n, d in shapes:
        Q, K, V = rng.normal(size=(m, d)), rng.normal(size=(n, d)), rng.normal(size=(n, d))
        W = init_params("general", d, d)["W"]
        baselines = {
            "dot": lambda Q=Q, K=K, V=V: _softmax_rows(Q @ K.T) @ V,
            "general": lambda Q=Q, K=K, V=V, W=W: _softmax_rows(Q @ W @ K.T) @ V,
            "scaled_dot": lambda Q=Q, K=K, V=V, d=d: _softmax_rows(Q @ K.T / np.sqrt(d)) @ V,
        }
        for score, base in baselines.items():
            params = {"W": W} if score == "general" else None

            def ours(score=score, params=params, Q=Q, K=K, V=V):
                return attention(Q, K, V, score=score, params=params)

            np.testing.assert_allclose(ours().output, base(), atol=1e-9)
            t_ours, t_base = interleaved(ours, base, 3 if quick else 7)
            rows.append(
                {
                    "score": score,
                    "M": m,
                    "N": n,
                    "d": d,
                    "ours_ms": t_ours * 1e3,
                    "baseline_ms": t_base * 1e3,
                    "ratio": t_ours / t_base,
                    "target": 1.3,
                }
            )
    return rows


def _broadcast_additive(wq: np.ndarray, uk: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.tanh(wq[:, None, :] + uk[None, :, :]) @ v


def peak_bytes(fn: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def tanh_bound(quick: bool) -> list[dict[str, Any]]:
    """concat / additive: attention() vs a straightforward (M, N, h) broadcast."""
    shapes = [(64, 64, 16)] if quick else [(512, 512, 64), (4096, 4096, 64)]
    rows = []
    rng = np.random.default_rng(1)
    try:
        import torch
    except ImportError:
        torch = None
    for m, n, h in shapes:
        d = 32
        Q, K = rng.normal(size=(m, d)), rng.normal(size=(n, d))
        for score in ("additive", "concat"):
            p = init_params(score, d, d, hidden=h)
            if score == "additive":
                Wq, Uk = p["W"], p["U"]
            else:
                Wq, Uk = p["W"][:, :d], p["W"][:, d:]

            def base(Q=Q, K=K, Wq=Wq, Uk=Uk, v=p["v"]):
                return _softmax_rows(_broadcast_additive(Q @ Wq.T, K @ Uk.T, v)) @ K

            def ours(score=score, p=p, Q=Q, K=K):
                return attention(Q, K, score=score, params=p)

            big = m * n * h * 8 > 2**30
            if not big:
                np.testing.assert_allclose(ours().output, base(), atol=1e-9)
                t_ours, t_base = interleaved(ours, base, 3 if quick else 5)
            else:  # the broadcast needs m*n*h*8 bytes (8 GiB at 4096): time ours, estimate base
                t_ours = best_time(ours, repeat=2, min_time=0)
                t_base = float("nan")
            results = 2 * m * n * 8  # the scores and weights it returns
            peak = peak_bytes(ours)
            row = {
                "score": score,
                "M": m,
                "N": n,
                "h": h,
                "ours_ms": t_ours * 1e3,
                "baseline_ms": t_base * 1e3,
                "ratio": t_ours / t_base,
                "target": 1.0,
                "peak_MiB": peak / 2**20,
                "peak_extra_MiB": (peak - results) / 2**20,  # beyond the scores and weights
                "chunk_budget_MiB": CHUNK_BUDGET_BYTES / 2**20,
                "broadcast_temporary_MiB": m * n * h * 8 / 2**20,
            }
            if torch is not None and not big:
                tq, tk = torch.from_numpy(Q), torch.from_numpy(K)
                tW, tU, tv = (torch.from_numpy(a) for a in (Wq, Uk, p["v"]))

                def torch_ref(tq=tq, tk=tk, tW=tW, tU=tU, tv=tv):
                    s = torch.tanh((tq @ tW.T)[:, None, :] + (tk @ tU.T)[None]) @ tv
                    return torch.softmax(s, -1) @ tk

                t_torch = best_time(torch_ref, repeat=3)
                row["torch_cpu_ms"] = t_torch * 1e3
                row["ratio_to_torch"] = t_ours / t_torch
            rows.append(row)
    return rows


class _Recorder:
    """A stand-in comm that records what a widget sends."""

    def __init__(self) -> None:
        self.messages: list[tuple[dict, list]] = []
        self.kernel = object()  # "connected"
        self.comm_id = "bench"

    def send(self, data=None, metadata=None, buffers=None):
        self.messages.append((data, list(buffers or [])))

    def close(self, *args, **kwargs):
        pass

    def on_msg(self, *args, **kwargs):
        pass

    def on_close(self, *args, **kwargs):
        pass


def _sent_bytes(rec: _Recorder) -> int:
    """Bytes of the comm messages recorded: their JSON plus their binary buffers."""
    return sum(
        len(json.dumps(d, default=str).encode()) + sum(memoryview(b).nbytes for b in bufs)
        for d, bufs in rec.messages
    )


QUERY_ROWS = ROW_PATCH["up"]  # the trait a view's edit of a few queries crosses in


def _view_edit(Q: np.ndarray, rows: list[int] | None) -> dict[str, Any]:
    """A view's edit of Q as the widget receives it: Q whole, or (``rows``) those rows only."""

    def as_received(a: np.ndarray) -> dict[str, Any]:
        j = array_to_json(a)
        return {**j, "buffer": memoryview(bytes(j["buffer"]))}

    if rows is None:
        return {"Q": as_received(Q), "edit_id": 1}
    return {QUERY_ROWS: {"rows": rows, "Q": as_received(Q[rows])}, "edit_id": 1}


def _message_bytes(state: dict[str, Any]) -> int:
    """Bytes of a state message: its JSON (buffers taken out) plus its binary buffers."""
    buffers: list[int] = []

    def strip(x: Any) -> Any:
        if isinstance(x, memoryview):
            buffers.append(x.nbytes)
            return None
        return {k: strip(v) for k, v in x.items()} if isinstance(x, dict) else x

    return len(json.dumps(strip(state), default=str).encode()) + sum(buffers)


def wire(quick: bool) -> list[dict[str, Any]]:
    """Bytes that cross for one edit of Q from a view, vs the raw bytes that changed.

    Two edits: a new Q (every query: Q goes up whole and the results come down whole), and one
    query moved (a drag step or a typed number: the view sends that row of Q only, and only its
    rows of scores, weights and output change and come down, with the row of Q, as a row
    patch). ``raw_bytes_changed`` counts the float64 bytes of what changed (down: the results'
    rows and Q's; up: Q's rows); ``bytes_up`` is the view's message, ``bytes_up_if_whole`` Q's
    size.
    """
    rows = []
    rng = np.random.default_rng(2)
    for n in [8, 64] if quick else [8, 64, 256]:
        w = AttentionWidget(rng.normal(size=(n, n)), rng.normal(size=(n, n)))
        for edit in ("every query (new Q)", "one query (a drag step)"):
            rec = _Recorder()
            w.comm = rec
            every = edit.startswith("every")
            Q = rng.normal(size=(n, n)) if every else w.Q.copy()
            if not every:
                Q[n // 2] += 0.1
            message = _view_edit(Q, None if every else [n // 2])
            up = _message_bytes(message)
            before = {k: np.array(getattr(w, k)) for k in ("scores", "weights", "output")}
            w.set_state(message)
            sent = _sent_bytes(rec)
            whole = w.scores.nbytes + w.weights.nbytes + w.output.nbytes
            changed = [
                i
                for i in range(n)
                if any(not np.array_equal(getattr(w, k)[i], before[k][i]) for k in before)
            ]
            q_raw = Q.nbytes * len(changed) // n
            raw = whole * len(changed) // n + (0 if every else q_raw)
            as_lists = sum(
                len(json.dumps(getattr(w, k)[changed].tolist()).encode()) for k in before
            ) + (0 if every else len(json.dumps(Q[changed].tolist()).encode()))
            rows.append(
                {
                    "M=N=d": n,
                    "edit": edit,
                    "messages": len(rec.messages),
                    "bytes_sent": sent,
                    "raw_bytes_changed": raw,
                    "ratio": sent / raw,
                    "target": 1.05,
                    "bytes_if_sent_whole": whole,
                    "json_lists_bytes": as_lists,
                    "json_lists_ratio": as_lists / raw,
                    "bytes_up": up,
                    "bytes_up_if_whole": Q.nbytes,
                    "ratio_up": up / q_raw,
                }
            )
    return rows
