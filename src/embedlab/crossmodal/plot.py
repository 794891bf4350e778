"""The joint space as a picture: image thumbnails and text prompts in one 2-D projection."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import require
from .captions import TRAIN_TEMPLATES
from .data import ImageSet
from .model import DualEncoder


def plot_joint_space(
    model: DualEncoder,
    images: ImageSet,
    path: str | Path,
    n_images: int = 300,
    templates: Sequence[str] = TRAIN_TEMPLATES,
    method: str = "tsne",
    seed: int = 0,
    figsize: tuple[float, float] = (10.0, 8.0),
    dpi: float = 110,
    ax: Any | None = None,
) -> Path:
    """Project ``n_images`` test images and one prompt per class into 2-D together and draw
    each image as a thumbnail and each class prompt as a labelled star; saved as PNG, SVG, PDF
    or JPEG. Built without pyplot (no backend chosen, no figure left open).

    Args:
        model: A trained dual encoder.
        images: The images to sample from (a seeded sample of ``n_images``).
        path: Where to write the figure (``.png``, ``.svg``, ``.pdf`` or ``.jpg``).
        n_images: How many images to draw.
        templates: Prompt templates averaged into each class's star.
        method: ``"pca"``, ``"tsne"`` or ``"umap"`` (see :func:`embedlab.viz.project`).
        seed: Seed of the sample and the projection.
        figsize: Width and height in inches (ignored with ``ax``).
        dpi: Pixels per inch of the figure and of a PNG or JPEG file (with ``ax``, that
            figure's own).
        ax: Draw into these matplotlib axes (a cell of a subplot grid) instead of a new figure.

    Returns:
        ``path``, as a :class:`~pathlib.Path`.

    Raises:
        MissingExtraError: matplotlib is not installed (extra ``[viz]``).
    """
    require("matplotlib", "viz")
    from matplotlib import colormaps
    from matplotlib.offsetbox import AnnotationBbox, OffsetImage

    from ..viz import project, save_figure
    from ..viz._figure import new_axes

    sample = images.take(n_images, seed=seed)
    image_emb = model.encode_images(sample.images)
    text_emb = model.class_embeddings(images.class_names, templates)
    coords = project(np.vstack([image_emb, text_emb]), method=method, dim=2, seed=seed)  # type: ignore[arg-type]
    image_xy, text_xy = coords[: len(image_emb)], coords[len(image_emb) :]
    palette = colormaps["tab10"]
    fig, ax, owned = new_axes(ax, figsize, dpi)
    ax.scatter(image_xy[:, 0], image_xy[:, 1], s=0)  # sets the limits
    for (x, y), picture, label in zip(image_xy, sample.images, sample.labels, strict=True):
        thumb = OffsetImage(1.0 - picture, cmap="gray", zoom=0.7 if picture.shape[0] > 16 else 2.0)
        box = AnnotationBbox(thumb, (x, y), frameon=True, pad=0.05,
                             bboxprops={"edgecolor": palette(int(label) % 10), "linewidth": 1.2})
        ax.add_artist(box)
    for i, (x, y) in enumerate(text_xy):
        ax.scatter([x], [y], marker="*", s=420, color=palette(i % 10), edgecolor="black", zorder=5)
        ax.annotate(f'"{images.class_names[i]}"', (x, y), xytext=(8, 8), textcoords="offset points",
                    fontsize=12, weight="bold", zorder=6,
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "alpha": 0.8})
    ax.set_title(f"Images and class prompts in one space ({images.name}, {method.upper() if method != 'tsne' else 't-SNE'})")
    ax.set_xticks([])
    ax.set_yticks([])
    if owned:
        fig.tight_layout()
    return save_figure(fig, path, dpi=dpi if owned else None)
