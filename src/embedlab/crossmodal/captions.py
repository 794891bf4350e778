"""Captions made from class names and wording templates.

There are no real image-caption pairs on these machines, so each image is described by its
class through one of several templates. Some templates are held out of training: if zero-shot
accuracy with them is close to the accuracy with the training templates, the text side has
learnt the class words, not the sentences.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import DataError

TRAIN_TEMPLATES = (
    "a photo of a {}",
    "a picture of a {}",
    "an image showing a {}",
    "a small {}",
    "this is a {}",
    "a black and white photo of a {}",
    "a {} on a plain background",
)
HELD_OUT_TEMPLATES = (
    "a blurry photo of the {}",
    "look at this {}",
    "a grey {} seen from the front",
)


def make_captions(
    labels: Sequence[int] | np.ndarray,
    class_names: Sequence[str],
    templates: Sequence[str] = TRAIN_TEMPLATES,
    seed: int = 0,
) -> list[str]:
    """One caption per label: its class name in a template drawn at random (seeded).

    Args:
        labels: Class ids, one per image.
        class_names: The name of each class id.
        templates: Caption patterns with one ``{}`` for the class name.
        seed: Seed of the template draws.

    Returns:
        One caption per label, in order.

    Raises:
        DataError: No template, a template without exactly one ``{}``, or a label that is
            not a class id.

    Example:
        >>> make_captions([0, 1], ["cat", "dog"], templates=["a photo of a {}"])
        ['a photo of a cat', 'a photo of a dog']
    """
    if not templates:
        raise DataError("give at least one caption template")
    for template in templates:
        if template.count("{}") != 1:
            raise DataError(f"caption template {template!r} must hold exactly one '{{}}'")
    labels = np.asarray(labels)
    if labels.size and (labels.min() < 0 or labels.max() >= len(class_names)):
        raise DataError(
            f"labels must lie in 0 .. {len(class_names) - 1} (one per class name); "
            f"found {int(labels.min())} .. {int(labels.max())}"
        )
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(templates), size=len(labels))
    return [templates[t].format(class_names[y]) for t, y in zip(picks, labels, strict=True)]
