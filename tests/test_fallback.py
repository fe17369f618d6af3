"""The PNG a display carries for places that cannot run widgets (attnwidget/fallback.py)."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib.image import imread

from attnwidget import AttentionHeads, AttentionWidget
from attnwidget.fallback import TITLES, heatmap_png


def image_of(widget) -> np.ndarray:
    data, _ = widget._repr_mimebundle_()
    return imread(io.BytesIO(base64.b64decode(data["image/png"])), format="png")


def colour_count(png: np.ndarray, rgb: np.ndarray, tol: float = 2 / 255) -> int:
    return int(np.all(np.abs(png[..., :3] - rgb) <= tol, axis=-1).sum())


def test_the_display_image_is_the_weights_heatmap_on_a_fixed_0_to_1_scale():
    # Two widgets whose weights differ only in one cell's colour: every cell is drawn in the
    # viridis colour of its own weight (0-1, not 0-max), whatever the other cells hold.
    w = AttentionWidget()
    png = image_of(w)
    for weight in np.unique(np.round(w.weights, 6))[:3]:
        rgb = np.asarray(colormaps["viridis"](float(weight))[:3])
        assert colour_count(png, rgb, tol=3 / 255) > 50, weight
    assert colour_count(png, np.asarray(colormaps["viridis"](1.0)[:3])) == 0  # no 1.0 weight


def test_each_weight_is_printed_in_its_cell_in_ink_that_reads_on_it():
    weights = np.array([[0.9, 0.1], [0.2, 0.8]])
    png = imread(io.BytesIO(heatmap_png(weights, ["a", "b"], ["x", "y"], "t")), format="png")
    black = np.all(png[..., :3] < 0.1, axis=-1)
    white = np.all(png[..., :3] > 0.9, axis=-1)
    light = np.all(np.abs(png[..., :3] - colormaps["viridis"](0.9)[:3]) < 0.02, axis=-1)
    dark = np.all(np.abs(png[..., :3] - colormaps["viridis"](0.1)[:3]) < 0.02, axis=-1)
    rows, cols = np.nonzero(light)
    box = (slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1))
    assert black[box].sum() > 10 and not white[box].any()  # black digits on the 0.9 cell
    rows, cols = np.nonzero(dark)
    box = (slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1))
    assert white[box].sum() > 10  # white digits on the 0.1 cell


def test_tokens_and_titles_are_drawn_as_literal_text():
    # mathtext would fail on an unbalanced "$" (or draw "$x$" as an italic x): drawn as typed.
    weights = np.full((2, 3), 1 / 3)
    png = heatmap_png(weights, ["$x", "\\frac{"], ["$", "^", "_"], "$ unbalanced")
    assert png.startswith(b"\x89PNG")


def test_wider_labels_give_a_wider_image_and_big_inputs_a_bounded_one():
    short = imread(io.BytesIO(heatmap_png(np.eye(2), ["a", "b"], ["x", "y"], "t")))
    long = imread(io.BytesIO(heatmap_png(np.eye(2), ["a" * 20, "b"], ["x", "y"], "t")))
    assert long.shape[1] > short.shape[1] + 80
    rng = np.random.default_rng(0)
    big = rng.dirichlet(np.ones(3000), size=900)
    png = imread(io.BytesIO(heatmap_png(big, [], [], "t")))
    assert png.shape[0] <= 460 and png.shape[1] <= 640


@pytest.mark.parametrize("score", sorted(TITLES))
def test_every_score_has_a_plain_text_title_drawn_without_missing_glyphs(score, recwarn):
    w = AttentionWidget()
    w.score = score
    image_of(w)
    assert not [r for r in recwarn if "missing from" in str(r.message)]


def test_the_heads_widget_shows_its_selected_head():
    rng = np.random.default_rng(1)
    weights = rng.dirichlet(np.ones(4), size=(2, 3, 4))
    weights[1, 2] = np.eye(4)  # layer 1, head 2: the identity, yellow on the diagonal
    h = AttentionHeads(weights, ["a", "b", "c", "d"])
    yellow = np.asarray(colormaps["viridis"](1.0)[:3])
    assert colour_count(image_of(h), yellow) == 0
    h.layer, h.head = 1, 2
    assert colour_count(image_of(h), yellow) > 4 * 100
