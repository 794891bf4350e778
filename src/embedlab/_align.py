"""Pretrained vectors laid out row by row in a vocabulary's id order.

The one place where a vocabulary meets a set of pretrained vectors: the torch layer
(``nn.Embedding.from_vectors``) and the Keras layer (``embedlab.keras.embedding``) both start
from the matrix built here, so the two frameworks get the same rows, the same treatment of
missing words and the same coverage report. numpy only: neither torch nor keras is needed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .errors import InvalidParameterError, check_param
from .vectors import Vectors
from .vocab import Vocab

OOV = Literal["random", "zero", "mean"]
_log = logging.getLogger("embedlab.nn")


@dataclass(frozen=True)
class Coverage:
    """How much of a vocabulary a set of pretrained vectors covered."""

    found: int
    total: int
    found_lowercase: int = 0
    missing_examples: tuple[str, ...] = ()

    @property
    def ratio(self) -> float:
        return self.found / self.total if self.total else 0.0

    def __str__(self) -> str:
        extra = f" ({self.found_lowercase} after lower-casing)" if self.found_lowercase else ""
        return f"{self.found:,} of {self.total:,} tokens found ({self.ratio:.1%}){extra}"


def check_inputs(owner: str, vectors: object, vocab: object, oov: object) -> None:
    """The argument checks every aligned layer shares, worded for ``owner``."""
    if not isinstance(vectors, Vectors):
        raise InvalidParameterError(
            f"The 'vectors' parameter of {owner} must be an embedlab.Vectors "
            f"(load one with embedlab.load). Got {type(vectors).__name__} instead."
        )
    if not isinstance(vocab, Vocab):
        raise InvalidParameterError(
            f"The 'vocab' parameter of {owner} must be an embedlab.Vocab. "
            f"Got {type(vocab).__name__} instead."
        )
    check_param(oov in ("random", "zero", "mean"), "oov", owner, "'random', 'zero' or 'mean'", oov)


def aligned_matrix(
    vectors: Vectors, vocab: Vocab, oov: OOV = "random", pad: int | None = None, seed: int = 0,
    owner: str = "Embedding.from_vectors",
) -> tuple[np.ndarray, Coverage]:
    """A ``len(vocab) x vectors.dim`` float32 matrix whose row ``i`` is token ``i``'s vector.

    Tokens are looked up as they are, then lower-cased. Tokens with no vector get one by
    ``oov``: ``"random"`` (normal, with the pretrained vectors' mean and standard deviation),
    ``"zero"``, or ``"mean"`` (the mean pretrained vector). Row ``pad`` (if any) is zero.
    The coverage counts real words only: ``<pad>`` and ``<unk>`` are not expected to have
    vectors. It is logged on the ``embedlab.nn`` logger as ``owner``.
    """
    source = np.asarray(vectors.matrix, dtype=np.float32)
    mean = source.mean(axis=0) if len(source) else np.zeros(vectors.dim, np.float32)
    std = float(source.std()) if len(source) else 1.0
    rng = np.random.default_rng(seed)
    weight = np.empty((len(vocab), vectors.dim), dtype=np.float32)
    specials = {vocab.pad_token, vocab.unk_token} - {None}
    found = lowered = total = 0
    missing: list[str] = []
    for i, token in enumerate(vocab.tokens):
        row = vectors.key_to_index.get(token)
        by_lowering = False
        if row is None and token.lower() != token:
            row = vectors.key_to_index.get(token.lower())
            by_lowering = row is not None
        if row is not None:
            weight[i] = source[row]
        elif oov == "zero":
            weight[i] = 0.0
        elif oov == "mean":
            weight[i] = mean
        else:
            weight[i] = rng.normal(mean, std, size=vectors.dim)
        if token not in specials:
            total += 1
            found += row is not None
            lowered += by_lowering
            if row is None and len(missing) < 20:
                missing.append(token)
    if pad is not None:
        weight[pad] = 0.0
    coverage = Coverage(found, total, lowered, tuple(missing))
    _log.info("%s: %s", owner, coverage)
    return weight, coverage
