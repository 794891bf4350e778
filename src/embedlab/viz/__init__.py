"""Seeing the space: projections (PCA, t-SNE, UMAP) and labelled figures. Extra: ``[viz]``."""

from __future__ import annotations

from ._figure import save_figure
from .plot import ARTICLE_WORDS, article_figure, plot_words
from .project import pca, project
from .projector import export_projector

__all__ = ["ARTICLE_WORDS", "article_figure", "export_projector", "pca", "plot_words", "project", "save_figure"]
