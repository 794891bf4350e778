"""Fits that checkpoint every epoch, and a way to crash them at a chosen optimiser step.

Used in this process by ``test_resume.py`` (a crash is an exception, the fit is called again)
and under ``torchrun --max-restarts`` by ``_resume_worker.py`` (a crash is ``os._exit`` of
rank 1, torchrun starts every rank again).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch

from embedlab.nn import TextClassifier
from embedlab.recsys import Interactions, MatrixFactorization

# 90 texts in minibatches of 16: 6 steps an epoch, 18 in all; epoch 1's checkpoint follows step 6.
CLASSIFIER_STEPS, CLASSIFIER_EPOCH_STEPS = 18, 6


def _reviews(n: int = 90) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(7)
    good, bad, neutral = ["good", "great", "fine"], ["bad", "awful", "poor"], ["film", "plot", "cast"]
    texts, labels = [], []
    for i in range(n):
        words = rng.choice((good if i % 2 == 0 else bad) + neutral, size=int(rng.integers(3, 8)))
        texts.append(" ".join(str(w) for w in words))
        labels.append("pos" if i % 2 == 0 else "neg")
    return texts, labels


def classifier(checkpoint: Path | None) -> dict[str, torch.Tensor]:
    texts, labels = _reviews()
    model = TextClassifier(vocab_size=50, embedding_dim=8, input_length=8, hidden=8)
    model.fit(texts, labels, epochs=3, batch_size=16, seed=3, progress=False, checkpoint=checkpoint)
    return {k: v.detach().clone() for k, v in model.net.state_dict().items()}


def ratings() -> Interactions:
    rng = np.random.default_rng(11)
    users, items = rng.integers(0, 20, 301), rng.integers(0, 15, 301)
    return Interactions.from_arrays(users.tolist(), items.tolist(), (1 + (users + items) % 5).astype(float))


def mf(checkpoint: Path | None) -> dict[str, torch.Tensor]:
    # A validation slice and a refit: the fit has two phases, and a checkpoint in each.
    model = MatrixFactorization(vector_size=4, epochs=3, batch_size=50, validation=0.1,
                                early_stopping=0, refit=True, seed=5, progress=False)
    model.fit(ratings(), checkpoint=checkpoint)
    assert model.user_factors is not None and model.item_factors is not None
    return {"users": torch.from_numpy(model.user_factors.copy()),
            "items": torch.from_numpy(model.item_factors.copy()),
            "history": torch.tensor([r["train_rmse"] for r in model.history])}


@contextlib.contextmanager
def crash_at(step: int | None, crash: Callable[[], Any]) -> Iterator[list[int]]:
    """Count Adam's steps in the block (the list's one number); call ``crash`` before step ``step``."""
    taken = [0]
    original = torch.optim.Adam.step

    def step_or_crash(self: torch.optim.Adam, *args: Any, **kwargs: Any) -> Any:
        if taken[0] + 1 == step:
            crash()
        taken[0] += 1
        return original(self, *args, **kwargs)

    torch.optim.Adam.step = step_or_crash  # type: ignore[method-assign]
    try:
        yield taken
    finally:
        torch.optim.Adam.step = original  # type: ignore[method-assign]
