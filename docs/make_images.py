"""Regenerate the figures in docs/img/ (used by the README and docs/notebooks.md).

Run ``python docs/make_images.py``: each image is one notebook's main picture, made with the
package's own ``save_figure`` / ``AttentionHeads.plot`` (matplotlib, no browser needed).
"""

from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from attnwidget import SCORES, AttentionWidget, attention, default_example  # noqa: E402

OUT = pathlib.Path(__file__).parent / "img"
DPI = 72


def main() -> None:
    OUT.mkdir(exist_ok=True)
    ex = default_example()
    AttentionWidget().save_figure(OUT / "quickstart.png", dpi=DPI)

    fig, axes = plt.subplots(1, 5, figsize=(15, 2.8), sharey=True, layout="constrained")
    for ax, score in zip(axes, SCORES, strict=True):
        ax.imshow(attention(ex.queries, ex.keys, score=score).weights, vmin=0, vmax=0.6)
        ax.set_title(score)
        ax.set_xticks(range(6), ex.key_tokens, rotation=45)
    axes[0].set_yticks(range(3), ex.query_tokens)
    fig.savefig(OUT / "score-functions.png", dpi=DPI)
    plt.close(fig)

    rng = np.random.default_rng(0)
    dims = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
    fig, ax = plt.subplots(figsize=(6, 3.2), layout="constrained")
    for score in ("dot", "scaled_dot"):
        ent = []
        for d in dims:
            w = attention(rng.standard_normal((200, 1, d)), rng.standard_normal((200, 16, d)),
                          score=score).weights
            ent.append(float(np.mean(-(w * np.log(np.where(w > 0, w, 1))).sum(-1))))
        ax.plot(dims, ent, marker="o", label=score)
    ax.axhline(np.log(16), color="grey", ls="--", lw=0.8, label="uniform")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("dimension d")
    ax.set_ylabel("entropy of the weights")
    ax.legend()
    fig.savefig(OUT / "why-scale.png", dpi=DPI)
    plt.close(fig)

    X = rng.standard_normal((5, 4))
    tokens = ["the", "cat", "sat", "on", "mat"]
    causal = np.tril(np.ones((5, 5), dtype=bool))
    AttentionWidget(X, X, query_tokens=tokens, key_tokens=tokens, mask=causal).save_figure(
        OUT / "masks.png", dpi=DPI)

    n = 6
    heads = np.stack([np.eye(n, k=-k) + 0.05 for k in range(4)])
    heads[:, 0, 0] += 1
    heads = heads / heads.sum(-1, keepdims=True)
    AttentionWidget.from_weights(heads[None], [f"t{i}" for i in range(n)]).plot().savefig(
        OUT / "heads.png", dpi=DPI)

    geometry(OUT / "geometry.png")


def geometry(path: pathlib.Path) -> None:
    """Notebook 08's picture: each score function's field over a plane of five keys (colour:
    the key a query there attends to most; lightness: that weight)."""
    K = np.array([[3.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0], [0.7, 0.7]])
    xs = np.linspace(-3.5, 3.5, 140)
    grid = np.array([[x, y] for y in xs[::-1] for x in xs])
    colours = np.array(plt.get_cmap("tab10").colors[: len(K)])
    fig, axes = plt.subplots(1, 5, figsize=(15, 3.5), layout="constrained")
    for ax, score in zip(axes, SCORES, strict=True):
        w = attention(grid, K, score=score).weights
        strength = w.max(axis=1)[:, None]
        rgb = colours[w.argmax(axis=1)] * strength + (1 - strength)
        ax.imshow(rgb.reshape(len(xs), len(xs), 3), extent=(-3.5, 3.5, -3.5, 3.5))
        ax.scatter(K[:, 0], K[:, 1], c=colours, edgecolors="black", s=40)
        ax.set_title(score)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


if __name__ == "__main__":
    main()
