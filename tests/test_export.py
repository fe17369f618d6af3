"""Static export, figures, the PNG fallback and the command line (no browser here)."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys

import numpy as np
import pytest

from attnwidget import SCORES, AttentionWidget
from attnwidget.cli import main
from attnwidget.export import page_state

HOSTILE = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'


def embedded(page: str, block: str):
    m = re.search(rf'<script type="application/json" id="{block}">(.*?)</script>', page, re.S)
    assert m, block
    return json.loads(m.group(1))


def test_page_is_self_contained_with_a_strict_csp(tmp_path):
    w = AttentionWidget()
    out = tmp_path / "page.html"
    page = w.to_html(out, title="Attention demo")
    assert out.read_text(encoding="utf-8") == page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp and "unsafe-eval" not in csp
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+' blob:;", csp)
    assert not re.search(r"(src|href)=\"https?://", page)
    assert "https://" not in csp and "http://" not in csp
    assert len(page.encode()) < 200 * 1024


def test_the_default_page_stays_under_150_kb():
    # the whole page of the built-in example: bundle, CSS and state (issue 16's limit)
    assert len(AttentionWidget().to_html().encode()) <= 150_000


def test_page_state_carries_every_param_set_and_binary_arrays():
    w = AttentionWidget()
    w.score = "additive"
    w.resample()
    doc = page_state(w)
    state = doc["state"]
    assert state["_static"] is True and state["score"] == "additive"
    assert "_esm" not in state and "_css" not in state
    paths = {tuple(b["path"]) for b in doc["buffers"]}
    for s in ("general", "concat", "additive"):
        assert (("param_sets", s, "W", "buffer")) in paths
    buf = next(b for b in doc["buffers"] if b["path"] == ["param_sets", "additive", "W", "buffer"])
    W = np.frombuffer(base64.b64decode(buf["data"]), "<f8").reshape(
        state["param_sets"]["additive"]["W"]["shape"]
    )
    np.testing.assert_array_equal(W, w.params["W"])


def test_hostile_title_and_tokens_stay_inert_in_the_markup():
    w = AttentionWidget(np.eye(2), np.eye(2), query_tokens=[HOSTILE, "b"], key_tokens=["k", "<"])
    page = w.to_html(title=HOSTILE)
    # the only <script> elements are the page's own three
    assert len(re.findall(r"<script\b", page)) == 3
    assert "window.__pwned=1</script>" not in page
    state = embedded(page, "attnwidget-state")
    assert state["state"]["query_tokens"][0] == HOSTILE
    assert "<title>&lt;/script&gt;" in page


def test_figures_in_every_format(tmp_path):
    w = AttentionWidget()
    for suffix, magic in ((".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")):
        path = tmp_path / f"fig{suffix}"
        w.save_figure(path)
        assert path.read_bytes().startswith(magic)
    with pytest.raises(ValueError, match="suffix"):
        w.save_figure(tmp_path / "fig")


def test_plot_shows_tokens_literally_and_the_formula():
    w = AttentionWidget(np.eye(2), np.eye(2), query_tokens=["$x$", "b"], key_tokens=["k", "l"])
    w.score = "dot"
    fig = w.plot()
    heat = fig.axes[0]
    assert [t.get_text() for t in heat.get_yticklabels()] == ["$x$", "b"]
    assert all(not t.get_parse_math() for t in heat.get_yticklabels())
    assert "q^\\top k_i" in heat.get_title()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig2, ax = plt.subplots()
    assert w.plot(ax=ax) is fig2
    plt.close(fig2)


def test_mimebundle_has_a_png_fallback():
    w = AttentionWidget()
    data, _ = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    png = base64.b64decode(data["image/png"])
    assert png.startswith(b"\x89PNG") and len(png) < 100_000


def test_the_png_fallback_can_be_turned_off_per_widget_and_per_class(monkeypatch):
    w = AttentionWidget()
    w.png_fallback = False
    data, _ = w._repr_mimebundle_()
    assert "image/png" not in data and "application/vnd.jupyter.widget-view+json" in data
    assert "image/png" in AttentionWidget()._repr_mimebundle_()[0]  # (one widget only)
    monkeypatch.setattr(AttentionWidget, "png_fallback", False)
    assert "image/png" not in AttentionWidget()._repr_mimebundle_()[0]


def test_cli_table_lists_every_score(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    for s in SCORES:
        assert s in out
    assert "who?" in out and "mat" in out


def test_cli_demo_writes_a_page(tmp_path, capsys):
    out = tmp_path / "demo.html"
    assert main(["demo", "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert 'id="attnwidget-state"' in out.read_text()


def test_cli_export_from_npz(tmp_path):
    src = tmp_path / "a.npz"
    np.savez(src, queries=np.ones((2, 3)), keys=np.eye(3), query_tokens=np.array(["x", "y"]))
    out = tmp_path / "p.html"
    assert main(["export", str(src), "--out", str(out), "--score", "dot"]) == 0
    state = embedded(out.read_text(), "attnwidget-state")["state"]
    assert state["query_tokens"] == ["x", "y"] and state["score"] == "dot"


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        (None, "not found"),
        ({"queries": np.ones((2, 3))}, "missing array(s) keys"),
        ({"queries": np.ones((2, 3)), "keys": np.ones((3, 4))}, "d_q=3"),
        ({"queries": np.ones((2, 3)), "keys": np.ones((3, 3)), "extra": np.ones(1)}, "unexpected"),
        (
            {"queries": np.ones((2, 3)), "keys": np.ones((3, 3)), "key_tokens": np.ones(3)},
            "key_tokens must be a 1-D array of strings",
        ),
        ({"queries": np.full((2, 3), np.nan), "keys": np.ones((3, 3))}, "Q must be finite"),
    ],
)
def test_cli_export_bad_input_is_a_clear_error(tmp_path, capsys, arrays, message):
    src = tmp_path / "a.npz"
    if arrays is not None:
        np.savez(src, **arrays)
    with pytest.raises(SystemExit) as exit_:
        main(["export", str(src), "--out", str(tmp_path / "p.html")])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "p.html").exists()


def test_cli_export_not_an_npz(tmp_path, capsys):
    src = tmp_path / "a.npz"
    src.write_text("hello")
    with pytest.raises(SystemExit):
        main(["export", str(src), "--out", str(tmp_path / "p.html")])
    assert "not a .npz file" in capsys.readouterr().err


def test_cli_help_and_bad_arguments_in_a_real_process():
    run = [sys.executable, "-m", "attnwidget"]
    helped = subprocess.run([*run, "export", "--help"], capture_output=True, text=True)
    assert helped.returncode == 0 and "numpy.savez" in helped.stdout
    bad = subprocess.run([*run, "export"], capture_output=True, text=True)
    assert bad.returncode == 2 and "arrays" in bad.stderr
    bad_score = subprocess.run(
        [*run, "export", "x.npz", "--out", "y", "--score", "cos"], capture_output=True, text=True
    )
    assert bad_score.returncode == 2 and "invalid choice" in bad_score.stderr


@pytest.mark.parametrize(
    "hostile",
    ["</script>", "</SCRIPT >", "<!--", "<!--<script>", "<script>", "\u2028", "\u2029", "]]>"],
)
def test_no_token_or_title_breaks_out_of_the_embedded_state(hostile, tmp_path):
    """An HTML parser ends a script block at ``</script`` and changes state at ``<!--`` (then
    ``<script``); JSON once could not hold U+2028/U+2029 raw. None reaches the page raw."""
    tokens = [hostile, f"a{hostile}b", hostile * 3]
    w = AttentionWidget(np.eye(3), np.eye(3), query_tokens=tokens, key_tokens=tokens)
    page = w.to_html(tmp_path / "p.html", title=hostile)
    assert len(re.findall(r"<script\b", page, re.I)) == 3
    assert len(re.findall(r"</script\b", page, re.I)) == 3
    assert "<!--" not in page
    for block in ("attnwidget-state", "attnwidget-bundle"):
        raw = re.search(rf'id="{block}">(.*?)</script>', page, re.S).group(1)
        assert not set(raw) & {"<", ">", "\u2028", "\u2029"}
    state = embedded(page, "attnwidget-state")["state"]
    assert state["query_tokens"] == state["key_tokens"] == tokens
    assert (tmp_path / "p.html").read_text(encoding="utf-8") == page


def test_a_title_with_a_lone_surrogate_is_refused_naming_it(tmp_path):
    with pytest.raises(ValueError, match=r"title .*lone surrogate U\+D800 at index 1"):
        AttentionWidget().to_html(tmp_path / "p.html", title="a\ud800")
    assert not (tmp_path / "p.html").exists()
    page = AttentionWidget().to_html(title="x\U0001f642\u200f")  # a valid astral char, RLM
    assert "<title>x\U0001f642\u200f</title>" in page


def test_embedded_json_escapes_lone_surrogates():
    """Were a lone surrogate to reach the state, the page still encodes as UTF-8."""
    from attnwidget.export import json_for_html

    text = json_for_html({"t": ["a\ud800", "\udfff<"]})
    text.encode("utf-8")
    assert json.loads(text) == {"t": ["a\ud800", "\udfff<"]}
