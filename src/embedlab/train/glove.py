"""``GloVe``: global vectors from a weighted least-squares fit of log co-occurrence counts.

Pennington et al. 2014: count how often each word appears within ``window`` words of each other
word (a word ``d`` positions away adds ``1/d``), then fit ``w_i . c_j + b_i + b'_j = log X_ij``
weighted by ``f(X) = min(1, (X / x_max) ** weighting_exponent)`` (the paper's alpha; here
``alpha`` would read as a learning rate) with AdaGrad. The returned vectors are ``w + c``
(the GloVe tool's default ``-model 2``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from .._params import (
    PROGRESS,
    SEED,
    WORKERS,
    ConstraintSpec,
    Interval,
    IsCallable,
    SequenceOf,
    validate_params,
)
from ..errors import DataError, InvalidParameterError
from ..vectors import Vectors
from . import _corpus
from ._cooccur import PairCounter, expand_symmetric
from ._engine import job_seed
from .word2vec import EpochCallback


class GloVe:
    """GloVe trained by a numba AdaGrad kernel, Hogwild across ``workers`` threads.

    Co-occurrences are counted in bounded memory: at most about ``max_memory_entries``
    (key, weight) entries are held before sorted runs spill to a temporary directory.
    ``workers=1`` with a fixed ``seed`` gives identical vectors run to run.

    Args:
        vector_size: The dimension of the vectors.
        window: The most words on each side of a word that count as its context.
        x_max: Co-occurrence counts from this one up weigh fully in the loss.
        weighting_exponent: The exponent of the weighting below ``x_max``.
        epochs: Passes over the co-occurrences.
        learning_rate: AdaGrad's initial learning rate.
        min_count: Words seen fewer times are left out of the vocabulary.
        max_vocab_size: Keep at most this many words (the most frequent); None keeps all.
        workers: Training threads.
        seed: Fixes the initial vectors and the order of the updates.
        progress: Show a progress bar.
        callbacks: Called after each epoch with the model, the epoch and its mean cost.
        max_memory_entries: About how many co-occurrence entries are held in memory.
    """

    _owner = "GloVe"

    def __init__(
        self,
        vector_size: int = 100,
        window: int = 10,
        x_max: float = 100.0,
        weighting_exponent: float = 0.75,
        epochs: int = 25,
        learning_rate: float = 0.05,
        min_count: int = 5,
        max_vocab_size: int | None = None,
        workers: int = 2,
        seed: int = 1,
        progress: bool = True,
        callbacks: Sequence[EpochCallback] = (),
        max_memory_entries: int = 10_000_000,
    ) -> None:
        self.vector_size = vector_size
        self.window = window
        self.x_max = x_max
        self.weighting_exponent = weighting_exponent
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.min_count = min_count
        self.max_vocab_size = max_vocab_size
        self.workers = workers
        self.seed = seed
        self.progress = progress
        self.callbacks = callbacks
        self.max_memory_entries = max_memory_entries
        self.losses: list[float] = []
        self.timings: dict[str, float] = {}
        self.cooccurrences = 0

    # Every parameter, declared once; count() and fit() check them (see embedlab._params).
    _parameter_constraints: ClassVar[dict[str, list[ConstraintSpec]]] = {
        "vector_size": [Interval(int, 1, None)],
        "window": [Interval(int, 1, None)],
        "x_max": [Interval(float, 0, None, closed="right")],
        "weighting_exponent": [Interval(float, 0, None, closed="right")],
        "epochs": [Interval(int, 1, None)],
        "learning_rate": [Interval(float, 0, None, closed="right")],
        "min_count": [Interval(int, 1, None)],
        "max_vocab_size": [None, Interval(int, 1, None)],
        "workers": WORKERS,
        "seed": SEED,
        "progress": PROGRESS,
        "callbacks": [SequenceOf(IsCallable(), allow_empty=True)],
        "max_memory_entries": [Interval(int, 1, None)],
    }

    def _validate(self) -> None:
        validate_params(self, self._owner)

    def count(self, corpus: _corpus.CorpusLike) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Vocabulary, counts and the co-occurrence entries (rows, cols, values) of ``corpus``.

        Args:
            corpus: Sentences as lists of tokens, a :class:`~embedlab.text.Corpus`, or the
                path of a text file.

        Returns:
            The words (most frequent first), their counts, and the co-occurrence entries'
            rows, columns and values (both directions).

        Raises:
            InvalidParameterError: A parameter is out of range.
            DataError: The corpus is empty, no word reaches ``min_count``, or no two
                vocabulary words ever share a window.
        """
        self._validate()
        started = time.perf_counter()
        token_lists = _corpus._TokenLists(corpus)
        counts, _, _ = _corpus.count_words(token_lists)
        words, word_counts = _corpus.select_vocab(counts, self.min_count, self.max_vocab_size, self._owner)
        encoded = _corpus.encode(token_lists, {w: i for i, w in enumerate(words)})
        self.timings["vocab"] = time.perf_counter() - started
        from ._glove_kernels import window_pairs

        started = time.perf_counter()
        vocab = len(words)
        counter = PairCounter(self.max_memory_entries)
        try:
            words_per_chunk = max(self.max_memory_entries // (2 * self.window), 1000)
            jobs = _corpus.split_jobs(encoded.bounds, words_per_chunk)
            for first, last in jobs:
                n_words = int(encoded.bounds[last] - encoded.bounds[first])
                keys = np.empty(self.window * n_words, dtype=np.int64)
                weights = np.empty(self.window * n_words, dtype=np.float64)
                n = window_pairs(encoded.ids, encoded.bounds, first, last, int(self.window), vocab, keys, weights)
                counter.add(keys[:n], weights[:n])
            keys, values = counter.finish()
        finally:
            counter.close()
            encoded.close()
        if len(keys) == 0:
            raise DataError(f"{self._owner}: no two vocabulary words ever share a window")
        self.timings["cooccur"] = time.perf_counter() - started
        rows, cols, values = expand_symmetric(keys, values, vocab)
        return words, word_counts, rows, cols, values

    def fit(self, corpus: _corpus.CorpusLike) -> Vectors:
        """Count co-occurrences in ``corpus``, fit the vectors and return ``w + c``.

        Args:
            corpus: Sentences as lists of tokens, a :class:`~embedlab.text.Corpus`, or the
                path of a text file.

        Returns:
            The word vectors (``w + c``), most frequent word first, with counts.

        Raises:
            InvalidParameterError: A parameter is out of range, or training diverged (NaN in
                the vectors; lower ``learning_rate``).
            DataError: The corpus is empty, no word reaches ``min_count``, or no two
                vocabulary words ever share a window.
        """
        words, word_counts, rows, cols, values = self.count(corpus)
        self.cooccurrences = len(values)
        from .._progress import progress_bar
        from ._glove_kernels import adagrad_epoch

        dim, vocab = self.vector_size, len(words)
        rng = np.random.default_rng(self.seed)
        w = ((rng.random((vocab, dim), dtype=np.float32) - 0.5) / dim).astype(np.float32)
        c = ((rng.random((vocab, dim), dtype=np.float32) - 0.5) / dim).astype(np.float32)
        bw = ((rng.random(vocab) - 0.5) / dim).astype(np.float64)
        bc = ((rng.random(vocab) - 0.5) / dim).astype(np.float64)
        gw = np.ones((vocab, dim), np.float32)
        gc = np.ones((vocab, dim), np.float32)
        gbw = np.ones(vocab, np.float64)
        gbc = np.ones(vocab, np.float64)
        self.losses = []
        started = time.perf_counter()
        n = len(values)
        workers = int(self.workers)
        pool: Any = None
        if workers > 1:
            from concurrent.futures import ThreadPoolExecutor

            pool = ThreadPoolExecutor(workers)
        try:
            with progress_bar(self.epochs, "GloVe", enabled=self.progress, unit="epochs") as bar:
                for epoch in range(self.epochs):
                    order = np.random.default_rng(job_seed(int(self.seed), epoch, 0)).permutation(n)

                    def part(a: int, b: int, order: np.ndarray = order) -> float:
                        return float(adagrad_epoch(w, c, bw, bc, gw, gc, gbw, gbc, rows, cols, values,
                                                   order, a, b, float(self.x_max), float(self.weighting_exponent),
                                                   float(self.learning_rate)))

                    if pool is None:
                        cost = part(0, n)
                    else:
                        cuts = np.linspace(0, n, workers + 1).astype(np.int64)
                        cost = sum(pool.map(part, cuts[:-1].tolist(), cuts[1:].tolist()))
                    loss = cost / n
                    self.losses.append(loss)
                    bar.advance(1, info=f"cost {loss:.4f}")
                    for callback in self.callbacks:
                        callback(self, epoch, loss)
        finally:
            if pool is not None:
                pool.shutdown()
        self.timings["train"] = time.perf_counter() - started
        if not np.isfinite(w).all() or not np.isfinite(c).all():
            raise InvalidParameterError(
                f"{self._owner} diverged (NaN in the vectors); lower learning_rate"
            )
        return Vectors(words, w + c, counts=word_counts)
