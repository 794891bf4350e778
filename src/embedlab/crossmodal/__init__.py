"""Text and images in one space: a small CLIP-style dual encoder.

An image encoder (a small CNN) and a text encoder (an embedding layer with masked mean
pooling) are each followed by a projection into one shared space, trained with a symmetric
contrastive (InfoNCE) loss and a learnable temperature. Sentences then find the pictures they
describe, pictures find their words, and classes can be recognised from text prompts alone.
"""

from __future__ import annotations

from .captions import HELD_OUT_TEMPLATES, TRAIN_TEMPLATES, make_captions
from .data import ImageSet, load_images
from .evaluate import CrossModalReport, evaluate
from .model import DualEncoder
from .plot import plot_joint_space

__all__ = [
    "HELD_OUT_TEMPLATES",
    "TRAIN_TEMPLATES",
    "CrossModalReport",
    "DualEncoder",
    "ImageSet",
    "evaluate",
    "load_images",
    "make_captions",
    "plot_joint_space",
]
