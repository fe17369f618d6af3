"""Figures and the PNG fallback: bounded work at every accepted size, hostile text drawn safely.

No wall time is asserted here (speed targets are benchmarks: ``make bench``, section
``figures``). The figures at the size limits are checked for what makes their work bounded:
the heatmap's image is at most MAX_CELLS x MAX_CELLS, bars are one artist with at most
TOP_KEYS bars, tick labels at most MAX_LABELS, at most MAX_HEADS heads, and a caption says
what was left out.
"""

from __future__ import annotations

import base64
import io
import struct
import types
import unicodedata
import xml.etree.ElementTree as ET

import matplotlib
import numpy as np
import pytest
from matplotlib.collections import PolyCollection

from attnwidget import AttentionHeads, AttentionWidget
from attnwidget.core.text import check_text, display_text
from attnwidget.figures import (
    MAX_CELLS,
    MAX_HEAD_CELLS,
    MAX_HEADS,
    MAX_LABELS,
    TOP_KEYS,
    max_pool,
    plot_heads,
    png_bytes,
)
from attnwidget.wire.protocol import MAX_PAIRS, MAX_VALUES, MAX_WEIGHTS

INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# every C0 control, DEL, separators, zero-width and bidi marks, BOM, private use, a
# noncharacter, markup, mathtext, a tokenizer's newline
HOSTILE = [chr(i) for i in range(32)] + [
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\u200b",
    "\u200f",
    "\u202e",
    "\ue000",
    "\uffff",
    "<script>",
    "</script>",
    "&amp;",
    "]]>",
    "<!--",
    "a--b",
    "$x$",
    "a_b",
    "$\\frac{1}{0}$",
    "\\",
    "Ċ",
    "x\x1b[31my",
    "",
]


def text_of(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)]


def panels(fig) -> list:
    """The heatmap and the three steps' axes of plot() (not the colorbar's)."""
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG")
    return struct.unpack(">II", png[16:24])


def check_bounded(fig, m: int, n: int, d_v: int) -> None:
    """What bounds the work of plot(): the image, the bars, the labels, the artists."""
    heat, s_ax, w_ax, o_ax = panels(fig)
    (image,) = heat.images
    rows, cols = image.get_array().shape
    assert rows <= MAX_CELLS and cols <= MAX_CELLS
    if (m, n) != (rows, cols):
        assert f"blocks of {m:,} × {n:,} (max of each" in heat.get_xlabel()
    for ax in (heat, s_ax, w_ax, o_ax):
        assert len(ax.patches) <= MAX_LABELS
        assert len(ax.get_xticklabels()) <= MAX_LABELS and len(ax.get_yticklabels()) <= MAX_LABELS
        for c in ax.collections:
            if isinstance(c, PolyCollection):
                assert len(c.get_paths()) <= MAX_CELLS
    if n > MAX_LABELS:
        (bars,) = w_ax.collections
        assert len(bars.get_paths()) == TOP_KEYS
        assert f"the top {TOP_KEYS} of {n:,} keys by weight" in w_ax.get_xlabel()
        assert f"the other {n - TOP_KEYS:,} keys hold" in w_ax.get_xlabel()
    if d_v > MAX_CELLS:
        assert f"bars of {d_v:,} dimensions" in o_ax.get_xlabel()
    assert len(fig.findobj()) < 1500


# --- small figures look as they did ---------------------------------------------------------


def test_the_default_figure_has_every_label_and_no_caption():
    w = AttentionWidget()
    fig = w.plot()
    heat, s_ax, w_ax, o_ax = panels(fig)
    assert heat.get_xlabel() == "keys" and heat.images[0].get_array().shape == (3, 6)
    assert [t.get_text() for t in heat.get_xticklabels()] == list(w.key_tokens)
    assert [t.get_text() for t in heat.get_yticklabels()] == list(w.query_tokens)
    for ax in (s_ax, w_ax):
        assert len(ax.patches) == 6 and ax.get_xlabel() == ""
        assert [t.get_text() for t in ax.get_xticklabels()] == list(w.key_tokens)
    assert len(o_ax.patches) == 4 and o_ax.get_xlabel() == "output dimension"
    assert not fig.texts  # no figure-level caption
    assert not any("showing" in t or "the top" in t for t in text_of(fig))


def test_max_pool_keeps_every_peak_and_each_block_maximum():
    a = np.arange(35.0).reshape(5, 7)
    pooled, block = max_pool(a, 2, 3)
    assert block == (3, 3) and pooled.shape == (2, 3)
    np.testing.assert_array_equal(pooled, [[16, 19, 20], [30, 33, 34]])
    assert max_pool(a, 5, 7)[0] is a  # fits: no copy
    rng = np.random.default_rng(0)
    big = rng.random((1000, 999)) * 0.01
    big[517, 3] = 1.0
    pooled, (bm, bn) = max_pool(big, 100, 100)
    assert pooled.shape == (100, 100) and pooled[517 // bm, 3 // bn] == 1.0
    assert pooled.max() == big.max() and pooled.min() >= big.min()


# --- bounded work at the size limits ----------------------------------------------------------


@pytest.fixture(scope="module")
def one_query_every_key():
    """1 x MAX_PAIRS keys (d=1) with a sharp peak at key 3,000,001."""
    k = np.random.default_rng(1).normal(size=(MAX_PAIRS, 1))
    k[3_000_001] = 40.0
    return AttentionWidget(np.ones((1, 1)), k)


def test_one_query_and_the_most_keys(one_query_every_key):
    w = one_query_every_key
    n = MAX_PAIRS
    fig = w.plot()
    check_bounded(fig, 1, n, 1)
    image = fig.axes[0].images[0].get_array()
    bn = -(-n // MAX_CELLS)
    assert image.shape == (1, MAX_CELLS)
    assert image[0, 3_000_001 // bn] == w.weights.max() > 0.99  # the peak stays visible
    labels = [t.get_text() for t in panels(fig)[2].get_xticklabels()]
    assert "3000001: k3000001" in labels and len(labels) == TOP_KEYS
    caption = fig.axes[0].get_xlabel()
    assert f"showing 1 × {MAX_CELLS} blocks of 1 × {n:,} (max of each 1 × {bn:,})" in caption


def test_the_png_fallback_of_the_most_keys_is_a_small_image(one_query_every_key):
    data, _ = one_query_every_key._repr_mimebundle_()
    width, height = png_size(base64.b64decode(data["image/png"]))
    assert width <= 11 * 72 and height <= 8 * 72


def test_the_most_keys_save_in_every_format(one_query_every_key, tmp_path):
    for suffix in ("png", "svg", "pdf"):
        one_query_every_key.save_figure(tmp_path / f"f.{suffix}", dpi=72)
    ET.parse(tmp_path / "f.svg")
    assert (tmp_path / "f.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(("m", "n"), [(2048, 2048), (4, MAX_PAIRS // 4)])
def test_the_most_query_key_pairs(m, n):
    rng = np.random.default_rng(2)
    q, k = rng.normal(size=(m, 2)), rng.normal(size=(n, 2))
    w = AttentionWidget(q, k)
    fig = w.plot()
    check_bounded(fig, m, n, 2)
    assert max(fig.get_size_inches()) <= 11
    width, height = png_size(png_bytes(w.plot()))
    assert width <= 11 * 72 and height <= 8 * 72
    fig.savefig(io.BytesIO(), format="svg")


def test_the_widest_output_is_binned():
    d = MAX_VALUES
    v = np.zeros((1, d))
    v[0, 123_456] = -5.0
    w = AttentionWidget(np.ones((1, 1)), np.ones((1, 1)), V=v)
    fig = w.plot()
    check_bounded(fig, 1, 1, d)
    o_ax = panels(fig)[3]
    (bins,) = o_ax.collections
    assert len(bins.get_paths()) == MAX_CELLS
    assert o_ax.get_ylim()[0] <= -5.0  # the one negative value still shows
    assert f"showing {MAX_CELLS} bars of {d:,} dimensions" in o_ax.get_xlabel()
    png_bytes(w.plot())


def test_the_most_heads():
    count = MAX_WEIGHTS // 16
    weights = np.zeros((1, count, 4, 4))
    weights[0, :, :, 0] = 1.0
    h = AttentionHeads(weights, list("abcd"), head=1_000_000)
    fig = plot_heads(h)
    images = [ax for ax in fig.axes if ax.images]
    assert len(images) == MAX_HEADS
    titles = [ax.get_title() for ax in images]
    assert "head 1000000" in titles and titles[0] == "head 999994"
    assert f"heads 999994–1000005 of {count:,}" in fig.get_supxlabel()
    assert png_size(png_bytes(h.plot()))[0] <= 14 * 72


def test_the_largest_head():
    weights = np.zeros((1, 1, 4096, MAX_WEIGHTS // 4096))
    weights[0, 0, 4000, 8000] = 1.0
    tokens = [f"t{i}" for i in range(weights.shape[-1])]
    h = AttentionHeads(weights, tokens, query_tokens=tokens[:4096])
    fig = plot_heads(h)
    (ax,) = [a for a in fig.axes if a.images]
    image = ax.images[0].get_array()
    assert image.shape == (MAX_HEAD_CELLS, MAX_HEAD_CELLS) and image.max() == 1.0
    n = MAX_WEIGHTS // 4096  # 12,288 keys: blocks of 32 x 96 in a 128 x 128 image
    assert f"blocks of 4,096 × {n:,} (max of each 32 × {n // 128})" in fig.get_supxlabel()
    assert not ax.get_xticklabels() and not ax.get_yticklabels()
    png_bytes(h.plot())


# --- hostile text -------------------------------------------------------------------------


def hostile_widget() -> AttentionWidget:
    half = len(HOSTILE) // 2
    qt, kt = HOSTILE[:half], HOSTILE[half:]
    assert len(qt) <= MAX_LABELS and len(kt) <= MAX_LABELS
    rng = np.random.default_rng(3)
    return AttentionWidget(
        rng.normal(size=(len(qt), 2)), rng.normal(size=(len(kt), 2)), query_tokens=qt,
        key_tokens=kt,
    )  # fmt: skip


def test_display_text_makes_every_character_visible():
    assert display_text("the cat") == "the cat"
    assert display_text("a\nb\tc\rd") == "a\\nb\\tc\\rd"
    assert display_text("\x00\x07\x1b\x7f\x85") == "\\x00\\x07\\x1b\\x7f\\x85"
    assert display_text("\u2028\ufeff\u200b\u202e") == "\\u2028\\ufeff\\u200b\\u202e"
    assert display_text("\U000e0001") == "\\U000e0001"
    assert display_text("\ud800x\udfff") == "\ufffdx\ufffd"
    for kept in ("Ċ", "Ġthe", "héllo", "猫", "🙂", "$x$", "a_b", "<&>", "\\", "ünï\u0301"):
        assert display_text(kept) == kept
    # every code point, in chunks: nothing invisible or line-breaking survives
    for start in range(0, 0x110000, 0x8000):
        shown = display_text("".join(map(chr, range(start, min(start + 0x8000, 0x110000)))))
        assert not {unicodedata.category(c) for c in shown} & INVISIBLE, hex(start)


def test_check_text_refuses_lone_surrogates_and_non_strings():
    assert check_text("ok Ċ 🙂", "title") == "ok Ċ 🙂"
    with pytest.raises(ValueError, match=r"key_tokens\[3\] .*U\+D800 at index 2"):
        check_text("ab\ud800", "key_tokens[3]")
    with pytest.raises(ValueError, match="title must be a string, got int"):
        check_text(3, "title")
    with pytest.raises(ValueError, match="title must be a string, got bytes"):
        check_text(b"x", "title")


def test_hostile_tokens_are_drawn_as_visible_literal_text():
    w = hostile_widget()
    fig = w.plot()
    heat, s_ax, w_ax, o_ax = panels(fig)
    for ax in (heat, s_ax, w_ax):
        shown = [t.get_text() for t in ax.get_xticklabels()]
        assert shown == [display_text(t)[:23] + "…" if len(display_text(t)) > 24 else
                         display_text(t) for t in w.key_tokens]  # fmt: skip
    assert [t.get_text() for t in heat.get_yticklabels()][:3] == ["\\x00", "\\x01", "\\x02"]
    assert o_ax.get_title(loc="left") == "3  weighted sum: output of \\x00"
    title = next(t for t in fig.findobj(matplotlib.text.Text) if t.get_text().startswith("3 "))
    labels = [*heat.get_xticklabels(), *heat.get_yticklabels(), *w_ax.get_xticklabels(), title]
    assert all(not t.get_parse_math() and not t.get_usetex() for t in labels)
    for text in text_of(fig):
        assert not {unicodedata.category(c) for c in text} & INVISIBLE, repr(text)
    assert "$x$" in [t.get_text() for t in heat.get_xticklabels()]


@pytest.mark.parametrize("fonttype", ["path", "none"])
def test_hostile_tokens_make_well_formed_svg_and_save_in_every_format(tmp_path, fonttype):
    w = hostile_widget()
    with matplotlib.rc_context({"svg.fonttype": fonttype}):
        w.save_figure(tmp_path / "f.svg", dpi=72)
    root = ET.parse(tmp_path / "f.svg").getroot()
    if fonttype == "none":  # the text itself is in the SVG: escaped, and markup as text
        texts = "".join(root.itertext())
        assert "\\x07" in texts and "<script>" in texts and "]]>" in texts
        assert "\x07" not in texts
    for suffix in ("png", "pdf"):
        w.save_figure(tmp_path / f"f.{suffix}", dpi=72)
    assert (tmp_path / "f.png").stat().st_size > 0


def test_hostile_tokens_in_the_heads_figure(tmp_path):
    tokens = ["\n", "\x00", "$x$", "<!--", "\u2028", "]]>"]
    h = AttentionHeads(np.full((2, 6, 6), 1 / 6), tokens)
    fig = plot_heads(h)
    ys = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ys == ["\\n", "\\x00", "$x$", "<!--", "\\u2028", "]]>"]
    buf = io.BytesIO()
    fig.savefig(buf, format="svg")
    ET.fromstring(buf.getvalue())


def test_an_old_caller_with_lone_surrogates_gets_a_figure(tmp_path):
    """A widget-like object whose tokens hold lone surrogates (the widget's traits may refuse
    them): the figure shows U+FFFD and saves in every format."""
    real = AttentionWidget()
    fake = types.SimpleNamespace(
        weights=real.weights,
        scores=real.scores,
        output=real.output,
        selected_query=0,
        score=real.score,
        temperature=1.0,
        query_tokens=["\ud800who", "where?", "\udfff"],
        key_tokens=["the", "\udbff\udc00", "sat", "on", "the", "mat"],
    )
    from attnwidget.figures import plot

    fig = plot(fake)
    assert fig.axes[0].get_yticklabels()[0].get_text() == "\ufffdwho"
    assert fig.axes[0].get_xticklabels()[1].get_text() == "\ufffd\ufffd"
    for fmt in ("png", "pdf", "svg"):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt)
    ET.fromstring(buf.getvalue())


# A fresh interpreter: pyplot must never have been imported (as in a notebook that did not).
_SHOWN_AS_IMAGE = """
import sys
from IPython.core.formatters import DisplayFormatter
from attnwidget import AttentionHeads, AttentionWidget
heads = AttentionHeads(__import__("numpy").full((2, 3, 3), 1 / 3), ["a", "b", "c"])
figs = [AttentionWidget().plot(), heads.plot()]
for fig in figs:
    data, _ = DisplayFormatter().format(fig)
    assert data["image/png"].startswith(b"\\x89PNG"), sorted(data)
    print(len(data["image/png"]), data["text/plain"])
assert "matplotlib.pyplot" not in sys.modules, "pyplot was imported"
import matplotlib.pyplot as plt
assert plt.get_fignums() == [], plt.get_fignums()
"""


def test_a_figure_returned_to_a_notebook_shows_as_an_image_without_pyplot():
    """Notebook 06 printed `<Figure size 1100x380 with 5 Axes>`: a bare Figure has no image
    for IPython unless pyplot's inline backend was loaded. And no pyplot figure stays open."""
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-c", _SHOWN_AS_IMAGE],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "MPLBACKEND": "Agg"},
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("Figure size") == 2, run.stdout


def test_a_figure_shows_once_as_an_image_under_the_inline_backend_too():
    from IPython.core.formatters import DisplayFormatter
    from matplotlib.figure import Figure

    formatter = DisplayFormatter()
    png = formatter.formatters["image/png"]
    png.for_type(Figure, lambda fig: b"\x89PNG inline")  # what the inline backend registers
    data, _ = formatter.format(AttentionWidget().plot())
    assert data["image/png"] == b"\x89PNG inline"
