"""The command line fails cleanly: every bad input is one line on stderr and exit status 2.

Each failure runs ``python -m attnwidget`` in a real process and checks: status 2, exactly one
non-empty line on stderr naming the file or argument, no traceback, no page written. The
decompression bomb is refused from its ``.npy`` header: no array data is read, memory stays
small.
"""

from __future__ import annotations

import io
import json
import pathlib
import re
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Callable

import numpy as np
import pytest
from numpy.lib import format as npy_format

from attnwidget.cli import main
from attnwidget.wire.protocol import MAX_PAIRS, MAX_VALUES

RUN = [sys.executable, "-m", "attnwidget"]
Q, K = np.ones((2, 3)), np.eye(3)
GIB = 1 << 30


def run_cli(*args: str | bytes, cwd: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run([*RUN, *args], capture_output=True, cwd=cwd, timeout=120)


def assert_one_line_error(proc: subprocess.CompletedProcess, *words: str) -> str:
    """Status 2, one non-empty stderr line holding every word, and no traceback anywhere."""
    err = proc.stderr.decode("utf-8", "backslashreplace")
    out = proc.stdout.decode("utf-8", "backslashreplace")
    assert proc.returncode == 2, (proc.returncode, err)
    assert "Traceback" not in err + out, err
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), err
    line = lines[0]
    assert line.startswith("attnwidget: error: ") and line.strip() != "attnwidget: error:"
    for word in words:
        assert word in line, (word, line)
    return line


def npy_header(shape: tuple[int, ...], dtype: str | np.dtype) -> bytes:
    """A valid ``.npy`` header (version 1.0) for an array of this shape and dtype."""
    buf = io.BytesIO()
    header = {
        "descr": npy_format.dtype_to_descr(np.dtype(dtype)),
        "fortran_order": False,
        "shape": shape,
    }
    npy_format.write_array_header_1_0(buf, header)
    return buf.getvalue()


def npy_bytes(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    npy_format.write_array(buf, array)
    return buf.getvalue()


def write_zip(path: pathlib.Path, members: dict[str, bytes]) -> pathlib.Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A few MB of .npz whose ``queries`` is 1 GiB of deflated zeros (float32 16384 x 16384).

    Written in 1 MiB chunks, so the test never holds the array.
    """
    path = tmp_path_factory.mktemp("bomb") / "bomb.npz"
    shape, chunk = (16384, 16384), bytes(1 << 20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("queries.npy", "w", force_zip64=True) as f:
            f.write(npy_header(shape, np.float32))
            for _ in range(GIB // len(chunk)):
                f.write(chunk)
        zf.writestr("keys.npy", npy_bytes(K))
    with zipfile.ZipFile(path) as zf:  # it really is a bomb
        assert zf.getinfo("queries.npy").file_size > GIB
    assert path.stat().st_size < 8 << 20
    return path


# ------------------------------------------------------------------------------------------
# Good input still works


def test_export_good_input(tmp_path):
    np.savez(
        tmp_path / "a.npz",
        queries=Q,
        keys=K,
        values=np.ones((3, 2)),
        query_tokens=np.array(["x", "y"]),
        key_tokens=np.array(["é", "b", "c"]),
    )
    proc = run_cli("export", "a.npz", "--out", "p.html", "--title", "Tïtle", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stderr == b"", proc.stderr
    assert b"wrote" in proc.stdout
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert "<title>Tïtle</title>" in page
    state = embedded_state(page)
    assert state["query_tokens"] == ["x", "y"] and state["key_tokens"] == ["é", "b", "c"]


def test_export_decodes_utf8_byte_tokens(tmp_path):
    np.savez(tmp_path / "a.npz", queries=Q, keys=K, key_tokens=["é".encode(), b"b", b"c"])
    assert np.load(tmp_path / "a.npz")["key_tokens"].dtype.kind == "S"
    assert main(["export", str(tmp_path / "a.npz"), "--out", str(tmp_path / "p.html")]) == 0
    state = embedded_state((tmp_path / "p.html").read_text(encoding="utf-8"))
    assert state["key_tokens"] == ["é", "b", "c"]


def test_export_overwrites_an_existing_page(tmp_path):
    np.savez(tmp_path / "a.npz", queries=Q, keys=K)
    (tmp_path / "p.html").write_text("old")
    assert run_cli("export", "a.npz", "--out", "p.html", cwd=tmp_path).returncode == 0
    assert "attnwidget-state" in (tmp_path / "p.html").read_text(encoding="utf-8")


def test_limits_are_the_widgets_and_the_largest_allowed_input_loads(tmp_path):
    # At the limits exactly (headers say MAX_PAIRS pairs, MAX_VALUES values): not refused
    # for size (the widget then checks the values).
    side = int(MAX_PAIRS**0.5)
    assert side * side == MAX_PAIRS and MAX_VALUES >= side
    np.savez(tmp_path / "a.npz", queries=np.ones((side, 1)), keys=np.ones((side, 1)))
    proc = run_cli("export", "a.npz", "--out", "p.html", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def embedded_state(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="attnwidget-state">(.*?)</script>', page)
    assert m
    return json.loads(m.group(1))["state"]


# ------------------------------------------------------------------------------------------
# Bad .npz files: one line, status 2, no page


def _good(p: pathlib.Path) -> None:
    np.savez(p, queries=Q, keys=K)


def _empty(p: pathlib.Path) -> None:
    p.write_bytes(b"")


def _truncated(p: pathlib.Path) -> None:
    _good(p)
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def _corrupt(p: pathlib.Path) -> None:
    _good(p)
    data = p.read_bytes()
    one = np.float64(1.0).tobytes()
    assert data.count(one) >= 2
    p.write_bytes(data.replace(one, np.float64(2.0).tobytes(), 1))  # CRC no longer matches


def _text(p: pathlib.Path) -> None:
    p.write_text("queries,keys\n1,2\n")


def _npy(p: pathlib.Path) -> None:
    p.write_bytes(npy_bytes(Q))


def _garbage_member(p: pathlib.Path) -> None:
    write_zip(p, {"queries.npy": b"hello, not an array", "keys.npy": npy_bytes(K)})


def _short_member(p: pathlib.Path) -> None:
    write_zip(p, {"queries.npy": npy_bytes(Q)[:-8], "keys.npy": npy_bytes(K)})


def _object_queries(p: pathlib.Path) -> None:
    np.savez(p, queries=np.array([[1, 2, 3], [4, 5, 6]], dtype=object), keys=K)


def _byte_tokens_not_utf8(p: pathlib.Path) -> None:
    np.savez(p, queries=Q, keys=K, key_tokens=[b"a", b"\xff\xfe", b"c"])


def _surrogate_tokens(p: pathlib.Path) -> None:
    np.savez(p, queries=Q, keys=K, query_tokens=np.array(["ok", "\ud800"]))


def _numeric_tokens(p: pathlib.Path) -> None:
    np.savez(p, queries=Q, keys=K, query_tokens=np.arange(2))


def _tokens_2d(p: pathlib.Path) -> None:
    np.savez(p, queries=Q, keys=K, key_tokens=np.array([["a", "b", "c"]]))


def _token_count(p: pathlib.Path) -> None:
    np.savez(p, queries=Q, keys=K, key_tokens=np.array(["a", "b"]))


# Header-only members: refused from the header, so the missing data is never reached.
def _negative_shape(p: pathlib.Path) -> None:
    write_zip(p, {"queries.npy": npy_header((-5, 3), "<f8"), "keys.npy": npy_bytes(K)})


def _too_many_pairs(p: pathlib.Path) -> None:
    rows = int(MAX_PAIRS**0.5) + 1
    write_zip(
        p, {"queries.npy": npy_header((rows, 1), "<f8"), "keys.npy": npy_header((rows, 1), "<f8")}
    )


def _too_many_values(p: pathlib.Path) -> None:
    write_zip(
        p,
        {
            "queries.npy": npy_bytes(Q),
            "keys.npy": npy_bytes(K),
            "values.npy": npy_header((3, MAX_VALUES // 3 + 1), "<f8"),
        },
    )


def _huge_token_strings(p: pathlib.Path) -> None:
    write_zip(
        p,
        {
            "queries.npy": npy_bytes(Q),
            "keys.npy": npy_bytes(K),
            "key_tokens.npy": npy_header((3,), "<U100000000"),
        },
    )


def _too_many_tokens(p: pathlib.Path) -> None:
    write_zip(
        p,
        {
            "queries.npy": npy_bytes(Q),
            "keys.npy": npy_bytes(K),
            "query_tokens.npy": npy_header((50_000_000,), "<U1"),
        },
    )


def _unknown_array(p: pathlib.Path) -> None:
    np.savez(p, queries=Q, keys=K, weights=np.ones(3))


def _missing_keys(p: pathlib.Path) -> None:
    np.savez(p, queries=Q)


def _nan_queries(p: pathlib.Path) -> None:
    np.savez(p, queries=np.full((2, 3), np.nan), keys=K)


def _mismatched_widths(p: pathlib.Path) -> None:
    np.savez(p, queries=Q, keys=np.ones((3, 4)))


BAD_NPZ: dict[str, tuple[Callable[[pathlib.Path], None], tuple[str, ...]]] = {
    "empty": (_empty, ("not a .npz file", "empty")),
    "truncated": (_truncated, ("not a valid .npz file", "truncated or corrupt")),
    "corrupt": (_corrupt, ("not a valid .npz file", "queries", "corrupt")),
    "text": (_text, ("not a .npz file", "not a zip archive")),
    "npy": (_npy, ("holds one array", "numpy.savez")),
    "garbage-member": (_garbage_member, ("not a valid .npz file", "queries")),
    "short-member": (_short_member, ("queries is truncated or corrupt",)),
    "object-queries": (_object_queries, ("queries holds Python objects", "dtype=object")),
    "bytes-not-utf8": (_byte_tokens_not_utf8, ("key_tokens[1]", "not UTF-8", "dtype=str")),
    "surrogate-token": (_surrogate_tokens, ("query_tokens[1]", "U+D800")),
    "numeric-tokens": (_numeric_tokens, ("query_tokens must be a 1-D array of strings",)),
    "2-D tokens": (_tokens_2d, ("key_tokens must be a 1-D array of strings",)),
    "token-count": (_token_count, ("key_tokens must have one token per key", "expected 3")),
    "negative-shape": (_negative_shape, ("queries has a negative shape",)),
    "too-many-pairs": (_too_many_pairs, ("too large", f"{MAX_PAIRS:,}")),
    "too-many-values": (_too_many_values, ("values (V) is too large", f"{MAX_VALUES:,}")),
    "huge-token-strings": (_huge_token_strings, ("key_tokens is too large to load",)),
    "too-many-tokens": (_too_many_tokens, ("query_tokens must have one token per query",)),
    "unknown-array": (_unknown_array, ("unexpected array(s) weights",)),
    "missing-keys": (_missing_keys, ("missing array(s) keys",)),
    "nan": (_nan_queries, ("Q must be finite",)),
    "widths": (_mismatched_widths, ("d_q=3",)),
}


@pytest.mark.parametrize("kind", list(BAD_NPZ))
def test_bad_npz_is_one_line(kind, tmp_path):
    make, words = BAD_NPZ[kind]
    make(tmp_path / "arrays.npz")
    proc = run_cli("export", "arrays.npz", "--out", "p.html", cwd=tmp_path)
    assert_one_line_error(proc, "arrays.npz", *words)
    assert not (tmp_path / "p.html").exists()


class _OpensAFile:
    """Unpickling this creates ``path``: proof that an object array was unpickled."""

    def __init__(self, path: pathlib.Path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_object_tokens_are_refused_without_unpickling(tmp_path):
    trap = tmp_path / "unpickled"
    tokens = np.array(["a", _OpensAFile(trap), "c"], dtype=object)
    np.savez(tmp_path / "arrays.npz", queries=Q, keys=K, key_tokens=tokens)
    proc = run_cli("export", "arrays.npz", "--out", "p.html", cwd=tmp_path)
    line = assert_one_line_error(proc, "arrays.npz", "key_tokens", "dtype=object")
    assert "dtype=str" in line  # says what to save instead
    assert not trap.exists() and not (tmp_path / "p.html").exists()
    # The trap is real: loading with pickle allowed springs it.
    np.load(tmp_path / "arrays.npz", allow_pickle=True)["key_tokens"]
    assert trap.exists()


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: None, ("arrays.npz: file not found",)),
        (lambda p: p.mkdir(), ("arrays.npz: is a folder",)),
    ],
    ids=["missing", "folder"],
)
def test_arrays_path_is_one_line(make, words, tmp_path):
    make(tmp_path / "arrays.npz")
    assert_one_line_error(run_cli("export", "arrays.npz", "--out", "p.html", cwd=tmp_path), *words)


# ------------------------------------------------------------------------------------------
# The decompression bomb


def test_bomb_is_refused_in_one_line(bomb, tmp_path):
    proc = run_cli("export", str(bomb), "--out", "p.html", cwd=tmp_path)
    assert_one_line_error(proc, "bomb.npz", "queries (Q) is too large", "(16384, 16384)")


def test_bomb_is_refused_quickly_with_small_memory(bomb, tmp_path):
    # Imports first, then measure main() alone: peak Python allocations (tracemalloc sees
    # numpy's and zlib's buffers) and growth of the process's peak RSS.
    script = textwrap.dedent(
        """
        import json, resource, sys, time, tracemalloc
        import attnwidget._npz, attnwidget.widgets.attention
        from attnwidget.cli import main
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        t0 = time.perf_counter()
        try:
            main(sys.argv[1:])
            code = 0
        except SystemExit as exc:
            code = exc.code
        seconds = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0
        print(json.dumps({"code": code, "seconds": seconds, "peak": peak, "rss_kb": rss}))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, "export", str(bomb), "--out", str(tmp_path / "p.html")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    r = json.loads(proc.stdout)
    assert r["code"] == 2, proc.stderr
    assert r["peak"] < 100e6 and r["rss_kb"] < 100_000, r
    # Inflating 1 GiB takes seconds (and loading it took 9 s and 2.2 GB before); the
    # header is read in milliseconds.
    assert r["seconds"] < 2.0, r
    assert not (tmp_path / "p.html").exists()


@pytest.fixture
def bytes_read(monkeypatch) -> list[int]:
    """The sizes of every read of a zip member's data, from now on."""
    read: list[int] = []
    real_read = zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        data = real_read(self, n)
        read.append(len(data))
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    return read


def test_bomb_data_is_never_read(bomb, tmp_path, monkeypatch, capsys, bytes_read):
    def no_read_array(*args, **kwargs):
        raise AssertionError("read_array called: array data was loaded")

    monkeypatch.setattr(npy_format, "read_array", no_read_array)
    monkeypatch.setattr(np, "load", no_read_array)
    with pytest.raises(SystemExit) as exit_:
        main(["export", str(bomb), "--out", str(tmp_path / "p.html")])
    assert exit_.value.code == 2
    assert "too large" in capsys.readouterr().err
    # the headers (magic + dict) and nothing more
    assert bytes_read and sum(bytes_read) < 4096, bytes_read


def test_good_input_reads_through_the_spy(tmp_path, bytes_read):
    # The spy above sees the data when there is data to read (so its "nothing read" counts).
    np.savez(tmp_path / "a.npz", queries=np.ones((64, 8)), keys=np.ones((64, 8)))
    assert main(["export", str(tmp_path / "a.npz"), "--out", str(tmp_path / "p.html")]) == 0
    assert sum(bytes_read) > 2 * 64 * 8 * 8


# ------------------------------------------------------------------------------------------
# Output path, title and other arguments


@pytest.fixture
def unwritable(tmp_path: pathlib.Path) -> pathlib.Path:
    """A folder this process cannot create files in (root ignores chmod: then /sys)."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    for candidate in (folder, pathlib.Path("/sys")):
        probe = candidate / "attnwidget-probe"
        try:
            probe.touch()
        except OSError:
            return candidate
        probe.unlink()
    pytest.skip("no folder here refuses writes to this user")


def test_out_in_a_missing_folder(tmp_path):
    _good(tmp_path / "a.npz")
    proc = run_cli("export", "a.npz", "--out", "no/such/p.html", cwd=tmp_path)
    assert_one_line_error(proc, "--out no/such/p.html", "folder no/such does not exist")
    assert not (tmp_path / "no").exists()


def test_out_is_a_folder(tmp_path):
    _good(tmp_path / "a.npz")
    (tmp_path / "pages").mkdir()
    proc = run_cli("export", "a.npz", "--out", "pages", cwd=tmp_path)
    assert_one_line_error(proc, "--out pages", "is a folder", "pages/attention.html")


def test_out_under_a_file(tmp_path):
    _good(tmp_path / "a.npz")
    proc = run_cli("export", "a.npz", "--out", "a.npz/p.html", cwd=tmp_path)
    assert_one_line_error(proc, "--out a.npz/p.html", "a.npz is not a folder")


def test_out_unwritable(tmp_path, unwritable):
    _good(tmp_path / "a.npz")
    out = unwritable / "p.html"
    proc = run_cli("export", "a.npz", "--out", str(out), cwd=tmp_path)
    assert_one_line_error(proc, f"--out {out}", "ermission denied")
    assert not out.exists()


def test_demo_out_in_a_missing_folder(tmp_path):
    proc = run_cli("demo", "--out", "no/demo.html", cwd=tmp_path)
    assert_one_line_error(proc, "--out no/demo.html", "does not exist")
    assert proc.stdout == b""  # refused before the table is printed


def test_title_with_undecodable_argv_bytes(tmp_path):
    _good(tmp_path / "a.npz")
    proc = run_cli("export", "a.npz", "--out", "p.html", "--title", b"ab\xff", cwd=tmp_path)
    assert_one_line_error(proc, "--title", "byte 0xff at position 2")
    assert not (tmp_path / "p.html").exists()


def test_title_with_a_lone_surrogate(tmp_path, capsys):
    _good(tmp_path / "a.npz")
    with pytest.raises(SystemExit) as exit_:
        main(
            [
                "export",
                str(tmp_path / "a.npz"),
                "--out",
                str(tmp_path / "p.html"),
                "--title",
                "\ud800",
            ]
        )
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--title" in err and "U+D800" in err
    assert not (tmp_path / "p.html").exists()


def test_bad_temperature(tmp_path):
    _good(tmp_path / "a.npz")
    proc = run_cli("export", "a.npz", "--out", "p.html", "--temperature", "nan", cwd=tmp_path)
    assert_one_line_error(proc, "a.npz", "temperature must be a positive finite number")


def test_argparse_usage_errors_still_exit_2(tmp_path):
    proc = run_cli("export", "a.npz", "--out", "p.html", "--temperature", "hot", cwd=tmp_path)
    assert proc.returncode == 2 and b"--temperature" in proc.stderr
    assert b"Traceback" not in proc.stderr


def test_closed_stdout_is_one_line(tmp_path):
    proc = subprocess.Popen([*RUN, "table"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # before the child writes: its write fails with EPIPE
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 2
    assert err.count("\n") == 1 and "broken pipe" in err and "Traceback" not in err


# ------------------------------------------------------------------------------------------
# Anything unexpected: still one line, and a way to see the traceback


def _explode(*args, **kwargs):
    raise KeyError("boom")


def test_unexpected_error_is_one_line_naming_its_type(tmp_path, monkeypatch, capsys):
    from attnwidget import AttentionWidget

    _good(tmp_path / "a.npz")
    monkeypatch.setattr(AttentionWidget, "to_html", _explode)
    monkeypatch.delenv("ATTNWIDGET_TRACEBACK", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main(["export", str(tmp_path / "a.npz"), "--out", str(tmp_path / "p.html")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unexpected KeyError: 'boom'" in err
    assert "ATTNWIDGET_TRACEBACK=1" in err
    monkeypatch.setenv("ATTNWIDGET_TRACEBACK", "1")
    with pytest.raises(KeyError, match="boom"):
        main(["export", str(tmp_path / "a.npz"), "--out", str(tmp_path / "p.html")])
