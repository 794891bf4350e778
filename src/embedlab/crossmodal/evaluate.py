"""One report for a dual encoder: zero-shot accuracy, retrieval recall@k, linear-probe ceiling.

Captions here describe classes, not single images, so retrieval is judged at the class level:
a retrieved image (or caption) is relevant when it shows (or names) the query's class.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import require
from ..neighbors.topk import top_k
from .captions import HELD_OUT_TEMPLATES, TRAIN_TEMPLATES
from .data import ImageSet
from .model import DualEncoder


@dataclass
class CrossModalReport:
    """The figures of :func:`evaluate`; ``str()`` gives a readable table."""

    zero_shot: float
    zero_shot_held_out: float
    text_to_image: dict[int, float] = field(default_factory=dict)
    image_to_text: dict[int, float] = field(default_factory=dict)
    linear_probe: float | None = None
    n_test: int = 0

    def __str__(self) -> str:
        lines = [
            f"test images                         {self.n_test}",
            f"zero-shot accuracy (train prompts)  {self.zero_shot:.1%}",
            f"zero-shot accuracy (held-out)       {self.zero_shot_held_out:.1%}",
        ]
        for k, value in self.text_to_image.items():
            lines.append(f"text->image recall@{k:<2}              {value:.1%}")
        for k, value in self.image_to_text.items():
            lines.append(f"image->text recall@{k:<2}              {value:.1%}")
        if self.linear_probe is not None:
            lines.append(f"linear probe (ceiling)              {self.linear_probe:.1%}")
        return "\n".join(lines)


def recall_at_k(scores: np.ndarray, relevant: np.ndarray, ks: Sequence[int]) -> dict[int, float]:
    """Share of queries (rows of ``scores``) with a relevant item among their top ``k``.

    ``relevant`` is a boolean matrix of the same shape as ``scores``. Equal scores rank the
    lower column first; a NaN score is never among the top ``k``.

    Args:
        scores: Query x item scores (higher is better).
        relevant: Boolean matrix of the same shape: which items are relevant to each query.
        ks: The cut-offs to report.

    Returns:
        Each ``k`` of ``ks`` mapped to the share of queries (in [0, 1]) with a hit in the top ``k``.
    """
    rows, _ = top_k(scores, max(ks, default=0))
    hits = np.take_along_axis(relevant, np.maximum(rows, 0), axis=1) & (rows >= 0)
    return {k: float(hits[:, :k].any(axis=1).mean()) for k in ks}


def evaluate(
    model: DualEncoder,
    test: ImageSet,
    train: ImageSet | None = None,
    ks: Sequence[int] = (1, 5, 10),
    held_out_templates: Sequence[str] = HELD_OUT_TEMPLATES,
    probe_size: int = 10000,
    seed: int = 0,
) -> CrossModalReport:
    """Evaluate ``model`` on ``test`` images; with ``train`` also fit a linear probe.

    Text-to-image queries are one prompt per class and held-out template, over all test images.
    Image-to-text queries are the test images, over every class x held-out template prompt.
    The linear probe is a logistic regression on the image encoder's features (trained on up to
    ``probe_size`` training images): the accuracy a supervised head reaches on the same features.

    Args:
        model: The fitted dual encoder.
        test: The images evaluated on.
        train: Training images for the linear probe, or None to skip the probe.
        ks: The recall cut-offs.
        held_out_templates: Prompt templates (``"... {}"``) not seen in training.
        probe_size: Most training images the linear probe is fitted on.
        seed: Seed of the probe's sample of training images.

    Returns:
        The :class:`CrossModalReport` of zero-shot accuracy, recall@k and the probe's accuracy.

    Raises:
        MissingExtraError: ``train`` is given and scikit-learn (the ``[viz]`` extra) is not
            installed.
    """
    names = list(test.class_names)
    images = model.encode_images(test.images)
    zero_shot = float(np.mean(model.zero_shot(test.images, names, TRAIN_TEMPLATES) == test.labels))
    held = float(np.mean(model.zero_shot(test.images, names, held_out_templates) == test.labels))

    prompts = [t.format(name) for name in names for t in held_out_templates]
    prompt_class = np.repeat(np.arange(len(names)), len(held_out_templates))
    text = model.encode_texts(prompts)
    relevant = prompt_class[:, None] == test.labels[None, :]
    text_to_image = recall_at_k(text @ images.T, relevant, ks)
    image_to_text = recall_at_k(images @ text.T, relevant.T, ks)

    probe = None
    if train is not None:
        linear_model = require("sklearn.linear_model", "viz")
        sample = train.take(probe_size, seed=seed)
        classifier = linear_model.LogisticRegression(max_iter=2000)
        classifier.fit(model.image_features(sample.images), sample.labels)
        probe = float(classifier.score(model.image_features(test.images), test.labels))
    return CrossModalReport(zero_shot, held, text_to_image, image_to_text, probe, len(test))
