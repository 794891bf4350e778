"""``FastText``: word2vec over bags of character n-grams, so unknown words get vectors too.

Each word is its own row plus the rows of its character n-grams (``minn`` to ``maxn`` long,
hashed into ``bucket`` rows exactly as fastText hashes them, see :mod:`embedlab.subwords`).
The returned :class:`Vectors` carry a :class:`~embedlab.subwords.FastTextSubwords` model, so
``vectors["unseenword"]`` works, and ``embedlab.save(vectors, "m.bin", format="fasttext-bin")``
writes a model the official fastText library opens with the same vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from .._io import PathLike
from .._params import ConstraintSpec, Interval
from ..errors import InvalidParameterError
from ..subwords import FastTextSubwords, ngram_buckets_batch
from ..vectors import Vectors
from . import _corpus
from ._replicas import RunJob
from ._sampling import alias_table, keep_probabilities
from .word2vec import EpochCallback, Mode, Word2Vec, _State


class FastText(Word2Vec):
    """fastText's unsupervised skip-gram / CBOW with negative sampling (Bojanowski et al. 2017).

    Parameters are :class:`Word2Vec`'s plus ``minn``, ``maxn`` (n-gram lengths; ``maxn=0``
    turns subwords off) and ``bucket`` (hash rows). Hierarchical softmax is not offered.

    Args:
        mode: ``"skipgram"`` or ``"cbow"``.
        vector_size: The dimension of the vectors.
        window: The most words on each side of a word that count as its context.
        negative: Negative samples per prediction.
        minn: The shortest character n-gram.
        maxn: The longest character n-gram (0 turns subwords off; at least ``minn``).
        bucket: The number of hash rows the n-grams share.
        ns_exponent: The exponent of the counts in the negative-sampling distribution.
        min_count: Words seen fewer times are left out of the vocabulary.
        max_vocab_size: Keep at most this many words (the most frequent); None keeps all.
        sample: The frequent-word subsampling threshold (0: none).
        learning_rate: The learning rate at the start, decreasing linearly.
        min_learning_rate: The learning rate at the end.
        epochs: Passes over the corpus.
        workers: Training threads.
        seed: Fixes the initial vectors and the sampling.
        progress: Show a progress bar.
        callbacks: Called after each epoch with the model, the epoch and its mean loss.
        checkpoint: The file that ``checkpoint_every`` writes.
        checkpoint_every: Write a checkpoint every this many epochs; None writes none.
    """

    _owner = "FastText"

    def __init__(
        self,
        mode: Mode = "skipgram",
        vector_size: int = 100,
        window: int = 5,
        negative: int = 5,
        minn: int = 3,
        maxn: int = 6,
        bucket: int = 2_000_000,
        ns_exponent: float = 0.75,
        min_count: int = 5,
        max_vocab_size: int | None = None,
        sample: float = 1e-3,
        learning_rate: float = 0.025,
        min_learning_rate: float = 0.0001,
        epochs: int = 5,
        workers: int = 2,
        seed: int = 1,
        progress: bool = True,
        callbacks: Sequence[EpochCallback] = (),
        checkpoint: PathLike | None = None,
        checkpoint_every: int | None = None,
    ) -> None:
        super().__init__(
            mode=mode, vector_size=vector_size, window=window, negative=negative, hs=False,
            ns_exponent=ns_exponent, min_count=min_count, max_vocab_size=max_vocab_size,
            sample=sample, learning_rate=learning_rate, min_learning_rate=min_learning_rate, epochs=epochs, workers=workers,
            seed=seed, progress=progress, callbacks=callbacks, checkpoint=checkpoint,
            checkpoint_every=checkpoint_every,
            # Its bucket rows (2M by default) make a copy per thread, and merging them, too dear.
            thread_updates="hogwild",
        )
        self.minn = minn
        self.maxn = maxn
        self.bucket = bucket
        self._subword_rows: tuple[np.ndarray, np.ndarray] | None = None
        self._reachable: tuple[np.ndarray, np.ndarray] | None = None  # rows, their unique ids

    _parameter_constraints: ClassVar[dict[str, list[ConstraintSpec]]] = {
        # Word2Vec's, less hs, device and thread_updates (fastText has neither hierarchical
        # softmax nor a GPU path, and its threads are Hogwild).
        **{name: spec for name, spec in Word2Vec._parameter_constraints.items()
           if name not in ("hs", "device", "thread_updates")},
        "minn": [Interval(int, 1, None)],
        "maxn": [Interval(int, 0, None)],
        "bucket": [Interval(int, 0, None)],
    }

    def _validate(self) -> None:
        super()._validate()
        if self.maxn and self.minn > self.maxn:
            raise InvalidParameterError(
                f"The 'minn' parameter of {self._owner} must be <= maxn ({self.maxn}). Got {self.minn} instead."
            )

    def _params(self) -> dict[str, Any]:
        return super()._params() | {"minn": self.minn, "maxn": self.maxn, "bucket": self.bucket}

    def _buckets_used(self) -> int:
        return self.bucket if self.maxn > 0 else 0

    def _initial_state(self, words: list[str], counts: np.ndarray) -> _State:
        rng = np.random.default_rng(self.seed)
        dim = self.vector_size
        rows = len(words) + self._buckets_used()
        # fastText's initialisation: input uniform in [-1/dim, 1/dim], output zero.
        w_in = ((rng.random((rows, dim), dtype=np.float32) * 2 - 1) / dim).astype(np.float32)
        w_out = np.zeros((len(words), dim), dtype=np.float32)
        return _State(words, counts, w_in, w_out, np.zeros((0, dim), np.float32))

    def _rows(self) -> tuple[np.ndarray, np.ndarray]:
        """CSR of every word's rows: its own, then its n-gram buckets (offset by nwords)."""
        s = self._state
        assert s is not None  # noqa: S101
        if self._subword_rows is None or self._subword_rows[0].shape[0] != len(s.words) + 1:
            nwords, buckets = len(s.words), self._buckets_used()
            ids, gram_offsets = ngram_buckets_batch(s.words, self.minn, self.maxn, buckets)
            lengths = np.diff(gram_offsets) + 1
            offsets = np.zeros(nwords + 1, dtype=np.int64)
            offsets[1:] = np.cumsum(lengths)
            flat = np.empty(int(offsets[-1]), dtype=np.int32)
            flat[offsets[:-1]] = np.arange(nwords, dtype=np.int32)  # the word's own row first
            grams = np.ones(len(flat), dtype=bool)
            grams[offsets[:-1]] = False
            flat[grams] = nwords + ids  # then its n-gram rows, in fastText's order
            self._subword_rows = (offsets, flat)
        return self._subword_rows

    def _load_kernels(self) -> None:
        from ._fasttext_kernels import train_chunk_subwords

        counts = np.array([2, 1], np.int64)
        rows = np.zeros((2, 1), np.float32)
        prob, alias = alias_table(counts, 0.75)
        train_chunk_subwords(rows, rows, np.zeros(2, np.int32), np.zeros(2, np.int64), 0, 0,
                             keep_probabilities(counts, 1e-3), prob, alias, np.zeros(3, np.int64),
                             np.zeros(2, np.int32), True, 1, 1, 0.0, 0.0, np.uint64(0))

    def _kernel_job(self, encoded: _corpus.Encoded, matrices: tuple[np.ndarray, ...] | None = None) -> RunJob:
        from ._fasttext_kernels import train_chunk_subwords

        s = self._state
        assert s is not None  # noqa: S101
        keep = keep_probabilities(s.counts, float(self.sample))
        prob, alias = alias_table(s.counts, float(self.ns_exponent))
        offsets, rows = self._rows()
        cbow = self.mode == "cbow"
        w_in, w_out = (s.w_in, s.w_out_ns) if matrices is None else matrices[:2]

        def run(first: int, last: int, a0: float, a1: float, seed: int) -> tuple[float, int, int]:
            loss, predictions, trained = train_chunk_subwords(
                w_in, w_out, encoded.ids, encoded.bounds, first, last, keep, prob, alias,
                offsets, rows, cbow, int(self.negative), int(self.window), a0, a1, np.uint64(seed),
            )
            return float(loss), int(predictions), int(trained)

        return run

    def _synced_parts(self) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """The words' own rows and their n-grams' (the other bucket rows never leave their
        common initial values), and the output matrix."""
        s = self._state
        assert s is not None  # noqa: S101
        offsets, rows = self._rows()
        if self._reachable is None or self._reachable[0] is not rows:
            self._reachable = (rows, np.unique(rows))
        return [(s.w_in, self._reachable[1]), (s.w_out_ns, None)]

    def _run_job_factory(self, encoded: _corpus.Encoded) -> RunJob:
        return self._kernel_job(encoded)

    @property
    def vectors(self) -> Vectors:
        """Word vectors (mean of each word's rows, as fastText computes them) with the subword model."""
        if self._state is None:
            raise InvalidParameterError(f"this {self._owner} has not been trained yet; call fit() first")
        s = self._state
        offsets, rows = self._rows()
        matrix = np.empty((len(s.words), s.w_in.shape[1]), dtype=np.float32)
        for start in range(0, len(s.words), 4096):
            stop = min(start + 4096, len(s.words))
            block = s.w_in[rows[offsets[start] : offsets[stop]]]
            sums = np.add.reduceat(block, offsets[start:stop] - offsets[start], axis=0, dtype=np.float32)
            matrix[start:stop] = sums / np.diff(offsets[start : stop + 1])[:, None].astype(np.float32)
        from ..formats.fasttext import LOSS_NS, MODEL_CBOW, MODEL_SKIPGRAM

        args = {"dim": self.vector_size, "ws": self.window, "epoch": self.epochs,
                "min_count": self.min_count, "neg": self.negative, "word_ngrams": 1, "loss": LOSS_NS,
                "model": MODEL_CBOW if self.mode == "cbow" else MODEL_SKIPGRAM,
                "bucket": self._buckets_used(), "minn": self.minn if self.maxn else 0, "maxn": self.maxn,
                "lr_update_rate": 100, "t": float(self.sample)}
        subwords = FastTextSubwords(s.w_in.copy(), s.words, int(args["minn"]), self.maxn,
                                    self._buckets_used(), output_matrix=s.w_out_ns.copy(), args=args)
        return Vectors(s.words, matrix, counts=s.counts, subwords=subwords)
