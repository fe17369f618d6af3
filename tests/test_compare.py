"""AttentionWidget.compare() and the comparison figure (issue 16, item 1)."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.patches import Rectangle

from attnwidget import SCORES, AttentionWidget, attention, init_params
from attnwidget.compare_figure import ACTIVE_COLOUR, plot_compare


def _widget(**kw) -> AttentionWidget:
    rng = np.random.default_rng(3)
    return AttentionWidget(
        rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 2)), **kw
    )


def _expected(w: AttentionWidget, score: str, params) -> np.ndarray:
    return attention(
        w.Q, w.K, w.V, score=score, params=params, mask=w.mask, temperature=w.temperature
    ).weights


def test_compare_is_the_engine_under_every_score_with_its_own_params():
    w = _widget(score="additive")
    w.resample(seed=7)  # the additive set is no longer the one drawn with seed 0
    res = w.compare()
    assert list(res) == list(SCORES)
    for s, r in res.items():
        assert r.score == s
        params = w.params if s == w.score else w.param_sets[s]
        np.testing.assert_array_equal(r.weights, _expected(w, s, params))
    np.testing.assert_array_equal(res["additive"].weights, w.weights)
    np.testing.assert_array_equal(res["additive"].output, w.output)
    drawn = attention(w.Q, w.K, w.V, score="additive", params=init_params("additive", 4, 4, seed=0))
    assert not np.allclose(res["additive"].weights, drawn.weights)  # the resampled set, not seed 0


def test_compare_uses_the_set_kept_for_each_score():
    w = _widget(score="general")
    w.resample(seed=11)
    kept = w.params
    w.score = "concat"
    res = w.compare()
    np.testing.assert_array_equal(res["general"].weights, _expected(w, "general", kept))
    np.testing.assert_array_equal(res["concat"].weights, w.weights)


def test_compare_honours_mask_and_temperature():
    mask = np.ones((3, 5), bool)
    mask[0, [1, 3]] = False
    w = _widget(mask=mask, temperature=0.3)
    hot = _widget(mask=mask, temperature=3.0)
    for s, r in w.compare().items():
        assert np.all(r.weights[0, [1, 3]] == 0.0), s
        np.testing.assert_allclose(r.weights.sum(axis=1), 1.0)
        np.testing.assert_array_equal(r.weights, _expected(w, s, r.params))
        # a lower temperature makes every row sharper
        assert r.weights.max(axis=1).min() > hot.compare()[s].weights.max(axis=1).min() - 1e-12
    assert r.temperature == 0.3


def test_compare_leaves_out_scores_undefined_for_the_widths():
    rng = np.random.default_rng(0)
    w = AttentionWidget(rng.normal(size=(2, 3)), rng.normal(size=(4, 5)), score="general")
    assert list(w.compare()) == ["general", "concat", "additive"]


def _image_rows(fig):
    ax = fig.axes[0]
    return ax, ax.images[0].get_array()


def test_figure_has_five_rows_on_one_scale_and_marks_the_active_score():
    w = _widget(score="concat")
    w.selected_query = 2
    fig = w.plot(compare=True)
    ax, rows = _image_rows(fig)
    assert rows.shape == (5, 5)
    res = w.compare()
    for r, s in enumerate(SCORES):
        np.testing.assert_array_equal(rows[r], res[s].weights[2])
    assert ax.images[0].get_clim() == (0.0, 1.0)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["dot", "general", "scaled dot", "concat", "additive"]
    bold = [t.get_fontweight() for t in ax.get_yticklabels()]
    assert [b == "bold" for b in bold] == [s == "concat" for s in SCORES]
    frames = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_gid() == "active-score"]
    assert len(frames) == 1
    assert frames[0].get_y() == pytest.approx(SCORES.index("concat") - 0.5)
    assert frames[0].get_edgecolor()[:3] == pytest.approx(
        tuple(int(ACTIVE_COLOUR[k : k + 2], 16) / 255 for k in (1, 3, 5))
    )
    w.score = "dot"
    ax2, _ = _image_rows(plot_compare(w))
    frames = [p for p in ax2.patches if p.get_gid() == "active-score"]
    assert frames[0].get_y() == pytest.approx(-0.5)


def test_figure_with_undefined_rows_and_many_keys(tmp_path):
    rng = np.random.default_rng(1)
    w = AttentionWidget(rng.normal(size=(2, 3)), rng.normal(size=(600, 5)), score="additive")
    ax, rows = _image_rows(w.plot(compare=True))
    assert rows.shape[0] == 5 and rows.shape[1] <= 400  # max-pooled blocks
    assert np.all(rows[0] < 0) and np.all(rows[2] < 0)  # dot, scaled_dot: blank
    assert "blocks" in ax.get_xlabel()
    assert any("not defined" in t.get_text() for t in ax.texts)


def test_save_figure_compare(tmp_path):
    w = _widget()
    path = tmp_path / "cmp.svg"
    w.save_figure(path, compare=True)
    text = path.read_text()
    assert "active-score" in text
    plain = tmp_path / "plain.svg"
    w.save_figure(plain)
    assert "active-score" not in plain.read_text()
