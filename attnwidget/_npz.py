"""Read the command line's ``.npz`` input without trusting it.

Every ``.npy`` member's header (shape and dtype) is read from the zip first, and the sizes are
checked against the widget's limits before any array data is decompressed: a small file that
inflates to gigabytes is refused at once. Nothing is ever unpickled (object arrays are refused
from their header). Every refusal is an :class:`NpzError` whose message names the file and the
array, and says what to do.
"""

from __future__ import annotations

import math
import pathlib
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np
from numpy.lib import format as npy_format

from .core.text import check_text
from .wire.protocol import MAX_PAIRS, MAX_VALUES

__all__ = ["NAMES", "NpzArrays", "NpzError", "read_npz"]

NAMES = ("queries", "keys", "values", "query_tokens", "key_tokens")
"""The arrays an input file may hold (``queries`` and ``keys`` are required)."""

_MATRICES = {"queries": "Q", "keys": "K", "values": "V"}
_TOKENS = {"query_tokens": ("queries", "query"), "key_tokens": ("keys", "key")}
_MAX_BYTES = MAX_VALUES * np.dtype(np.complex128).itemsize
"""Most bytes any one array may take once loaded (the largest matrix, at 16 bytes a value)."""
_HOW_TO_WRITE = "write it with numpy.savez(path, queries=Q, keys=K)"
# What a member that cannot be read raises: zip damage, deflate damage, a bad .npy header,
# short data, encryption (RuntimeError), an unknown compression method (NotImplementedError).
_DAMAGE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    ValueError,
    OSError,
    RuntimeError,
    NotImplementedError,
)


class NpzError(ValueError):
    """A ``.npz`` file the command line refuses; the message names the file and the problem."""


@dataclass(frozen=True)
class NpzArrays:
    """The checked contents of an input file.

    Attributes
    ----------
    queries, keys : numpy.ndarray
        Q and K as saved (their values are checked by the widget).
    values : numpy.ndarray or None
        V, when the file has it.
    query_tokens, key_tokens : list of str or None
        Labels, when the file has them.
    """

    queries: np.ndarray
    keys: np.ndarray
    values: np.ndarray | None = None
    query_tokens: list[str] | None = None
    key_tokens: list[str] | None = None


@dataclass(frozen=True)
class _Header:
    info: zipfile.ZipInfo
    shape: tuple[int, ...]
    dtype: np.dtype


def read_npz(path: str | pathlib.Path) -> NpzArrays:
    """Read the arrays of a file written by ``numpy.savez``, checking sizes before loading.

    Parameters
    ----------
    path : str or Path
        The ``.npz`` file: ``queries`` (M, d_q), ``keys`` (N, d_k), optional ``values``
        (N, d_v), ``query_tokens`` (M,) and ``key_tokens`` (N,). Tokens are 1-D arrays of
        ``str``; arrays of ``bytes`` (dtype ``S``) are decoded as UTF-8.

    Returns
    -------
    NpzArrays
        The arrays, and the tokens as lists of str.

    Raises
    ------
    NpzError
        The file is missing, unreadable, not a ``.npz`` file, damaged, holds unexpected or
        missing arrays, object arrays, arrays larger than the widget shows, or tokens that are
        not text. Raised from the ``.npy`` headers, before any array data is decompressed.
    """
    label = str(path)
    path = pathlib.Path(path)
    _check_file(path, label)
    try:
        with zipfile.ZipFile(path) as zf:
            headers = _read_headers(zf, label)
            _check_headers(headers, label)
            arrays = {name: _load(zf, h, label, name) for name, h in headers.items()}
    except zipfile.BadZipFile as exc:
        raise NpzError(
            f"{label}: not a valid .npz file (truncated or corrupt zip archive: {exc}); "
            "write it again with numpy.savez"
        ) from None
    except OSError as exc:
        raise NpzError(f"{label}: cannot read ({exc.strerror or exc})") from None
    return NpzArrays(
        queries=arrays["queries"],
        keys=arrays["keys"],
        values=arrays.get("values"),
        query_tokens=_tokens(arrays, "query_tokens", label),
        key_tokens=_tokens(arrays, "key_tokens", label),
    )


def _check_file(path: pathlib.Path, label: str) -> None:
    """Refuse what is not a zip archive, from its first bytes, with the likely reason."""
    try:
        with path.open("rb") as f:
            start = f.read(6)
    except FileNotFoundError:
        raise NpzError(f"{label}: file not found") from None
    except IsADirectoryError:
        raise NpzError(f"{label}: is a folder, not a .npz file") from None
    except OSError as exc:
        raise NpzError(f"{label}: cannot read ({exc.strerror or exc})") from None
    if not start:
        raise NpzError(f"{label}: not a .npz file (the file is empty); {_HOW_TO_WRITE}")
    if start == npy_format.MAGIC_PREFIX:
        raise NpzError(
            f"{label}: holds one array (a .npy file); write several with "
            "numpy.savez(path, queries=Q, keys=K)"
        )
    if not start.startswith(b"PK"):
        raise NpzError(f"{label}: not a .npz file (it is not a zip archive); {_HOW_TO_WRITE}")


def _read_headers(zf: zipfile.ZipFile, label: str) -> dict[str, _Header]:
    """Each member's name, shape and dtype, from its ``.npy`` header only."""
    infos: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        name = info.filename.removesuffix(".npy")
        if name in infos:
            raise NpzError(f"{label}: not a valid .npz file (it holds {name} twice)")
        infos[name] = info
    unknown = sorted(set(infos) - set(NAMES))
    if unknown:
        raise NpzError(
            f"{label}: unexpected array(s) {', '.join(unknown)}; expected {', '.join(NAMES)}"
        )
    missing = [n for n in ("queries", "keys") if n not in infos]
    if missing:
        raise NpzError(
            f"{label}: missing array(s) {', '.join(missing)}; write them with "
            "numpy.savez(path, queries=Q, keys=K)"
        )
    return {name: _read_header(zf, info, label, name) for name, info in infos.items()}


def _read_header(zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, name: str) -> _Header:
    try:
        with zf.open(info) as f:
            version = npy_format.read_magic(f)
            if version == (1, 0):
                shape, _, dtype = npy_format.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, _, dtype = npy_format.read_array_header_2_0(f)
            else:
                raise NpzError(
                    f"{label}: {name} is in .npy format version {version[0]}.{version[1]}, "
                    "which is not read here; save it with numpy.savez as numbers or str"
                )
    except NpzError:
        raise
    except _DAMAGE as exc:
        raise NpzError(
            f"{label}: not a valid .npz file ({name} is truncated or corrupt: {exc})"
        ) from None
    if any(s < 0 for s in shape):
        raise NpzError(f"{label}: not a valid .npz file ({name} has a negative shape {shape})")
    return _Header(info, tuple(int(s) for s in shape), np.dtype(dtype))


def _check_headers(headers: dict[str, _Header], label: str) -> None:
    """Refuse object arrays and anything larger than the widget shows, before loading."""
    for name, h in headers.items():
        if h.dtype.hasobject:
            hint = "numpy.array(tokens, dtype=str)" if name in _TOKENS else "numbers"
            raise NpzError(
                f"{label}: {name} holds Python objects (dtype=object), which are never loaded "
                f"(that would run pickle); save it as {hint}"
            )
        count = math.prod(h.shape)
        if name in _MATRICES and count > MAX_VALUES:
            raise NpzError(
                f"{label}: {name} ({_MATRICES[name]}) is too large to show: shape {h.shape} has "
                f"{count:,} values, the widget shows at most {MAX_VALUES:,}; save fewer rows "
                "or a narrower array"
            )
    q, k = headers["queries"].shape, headers["keys"].shape
    if q and k and q[0] * k[0] > MAX_PAIRS:
        raise NpzError(
            f"{label}: queries and keys are too large to show: {q[0]} x {k[0]} = "
            f"{q[0] * k[0]:,} query-key pairs, the widget shows at most {MAX_PAIRS:,}; "
            "save a slice (Q[:256], K[:256])"
        )
    for name, (matrix, what) in _TOKENS.items():
        h = headers.get(name)
        if h is None:
            continue
        if len(h.shape) != 1 or h.dtype.kind not in "US":
            raise NpzError(
                f"{label}: {name} must be a 1-D array of strings, got {h.dtype} with shape "
                f"{h.shape}; save it as numpy.array(tokens, dtype=str)"
            )
        rows = headers[matrix].shape
        if rows and h.shape[0] != rows[0]:
            raise NpzError(
                f"{label}: {name} must have one token per {what}: expected {rows[0]}, "
                f"got {h.shape[0]}"
            )
    for name, h in headers.items():
        size = math.prod(h.shape) * h.dtype.itemsize
        if size > _MAX_BYTES:
            raise NpzError(
                f"{label}: {name} is too large to load: shape {h.shape} of {h.dtype} takes "
                f"{size:,} bytes, at most {_MAX_BYTES:,} are read"
            )


def _load(zf: zipfile.ZipFile, h: _Header, label: str, name: str) -> np.ndarray:
    try:
        with zf.open(h.info) as f:
            return npy_format.read_array(f, allow_pickle=False)
    except _DAMAGE as exc:
        raise NpzError(
            f"{label}: not a valid .npz file ({name} is truncated or corrupt: {exc})"
        ) from None


def _tokens(arrays: dict[str, np.ndarray], name: str, label: str) -> list[str] | None:
    """A token array as a list of str: bytes are decoded as UTF-8; text must be encodable."""
    if name not in arrays:
        return None
    tokens: list[str] = []
    for i, item in enumerate(arrays[name].tolist()):
        if isinstance(item, bytes):
            try:
                item = item.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise NpzError(
                    f"{label}: {name}[{i}] is bytes that are not UTF-8 text ({exc.reason} at "
                    f"byte {exc.start}); save tokens as str: numpy.array(tokens, dtype=str)"
                ) from None
        try:
            tokens.append(check_text(item, f"{name}[{i}]"))
        except ValueError as exc:
            raise NpzError(f"{label}: {exc}") from None
    return tokens
