"""``Word2Vec``: skip-gram and CBOW with negative sampling or hierarchical softmax.

>>> model = Word2Vec(mode="skipgram", vector_size=100, window=5, min_count=5)  # doctest: +SKIP
>>> vectors = model.fit("corpus.txt")                                          # doctest: +SKIP
>>> vectors.most_similar("king")                                               # doctest: +SKIP

Parameter names follow gensim. The corpus (an :class:`embedlab.Corpus`, a path, or an
iterable of token lists) is read twice: once to build the vocabulary, once to encode it into
one flat id array the kernels walk, epoch after epoch. ``train(more)`` continues training the
same model on more text (words outside the vocabulary are skipped).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol

import numpy as np

from .._io import PathLike, atomic_write
from .._params import (
    PROGRESS,
    SEED,
    WORKERS,
    Boolean,
    ConstraintSpec,
    Device,
    FilePath,
    Interval,
    IsCallable,
    Options,
    SequenceOf,
    check_value,
    validate_params,
)
from ..errors import DataError, FormatError, InvalidParameterError, check_param, writing
from ..vectors import Vectors
from . import _corpus, _ranks
from ._engine import WORDS_PER_JOB, run_epochs
from ._replicas import Replicas, RunJob
from ._sampling import alias_table, huffman_codes, keep_probabilities

Mode = Literal["skipgram", "cbow"]
_CHECKPOINT_FORMAT = "embedlab.word2vec-checkpoint/1"
# Words each rank trains between two averages of the model across ranks. Shorter periods buy
# quality with time: on Brown (512k words a rank, 2 averages an epoch) 2 ranks of negative
# sampling score 0.20-0.22 on WordSim-353 against 0.25-0.27 on one process; a sync every 40k
# words brings them to 0.25-0.28 for 13% more training time (36% with CBOW). See
# docs/distributed.md.
_SYNC_WORDS = 200_000
# Parameter names of older versions, as they may appear in a checkpoint.
_RENAMED = {"alpha": "learning_rate", "min_alpha": "min_learning_rate"}


class EpochCallback(Protocol):
    def __call__(self, model: Any, epoch: int, loss: float) -> None:
        """Called after each epoch with the model, the epoch (0-based) and its mean loss."""


@dataclass
class EpochStats:
    """What one epoch did: mean loss per prediction, seconds, corpus words per second."""

    epoch: int
    loss: float
    seconds: float
    words_per_second: float


@dataclass
class _State:
    words: list[str]
    counts: np.ndarray
    w_in: np.ndarray
    w_out_ns: np.ndarray
    w_out_hs: np.ndarray
    epochs_done: int = 0
    history: list[EpochStats] = field(default_factory=list)


def _in_background(work: Callable[[], None]) -> threading.Thread:
    """Start ``work`` on a daemon thread; an error there is left for the real call to raise."""

    def run() -> None:
        with contextlib.suppress(Exception):  # the training's own call reports it, in its place
            work()

    thread = threading.Thread(target=run, name="embedlab-load-kernels", daemon=True)
    thread.start()
    return thread


class Word2Vec:
    """word2vec (Mikolov et al. 2013) trained by numba kernels on ``workers`` threads.

    ``fit(corpus)`` builds the vocabulary, trains for ``epochs`` and returns :class:`Vectors`
    (one row per word, most frequent first, with counts). A fixed ``seed`` gives bit-identical
    vectors run to run with ``workers=1``, or any number of workers with
    ``thread_updates="replicas"``. ``checkpoint_every=k`` writes the model to
    ``checkpoint`` every ``k`` epochs (atomically); ``resume=path`` continues from such a
    file and ends with the vectors of an uninterrupted run.

    Args:
        mode: ``"skipgram"`` or ``"cbow"``.
        vector_size: The dimension of the vectors.
        window: The most words on each side of a word that count as its context.
        negative: Negative samples per prediction (0: none, then ``hs`` must be True).
        hs: Train with hierarchical softmax too.
        ns_exponent: The exponent of the counts in the negative-sampling distribution.
        min_count: Words seen fewer times are left out of the vocabulary.
        max_vocab_size: Keep at most this many words (the most frequent); None keeps all.
        sample: The frequent-word subsampling threshold (0: none).
        learning_rate: The learning rate at the start, decreasing linearly.
        min_learning_rate: The learning rate at the end.
        epochs: Passes over the corpus.
        workers: Training threads.
        thread_updates: How the threads update the model. ``"hogwild"``: every thread writes
            one model without locks, as word2vec.c and gensim do; no extra memory, and the
            fastest where the cores share a cache. ``"replicas"``: each thread trains its own
            copy and the copies merge (every thread's updates added up) every few jobs;
            results are the same run to run, no core waits for rows another one wrote (the
            faster where cores do not share a cache), and the copies take ``workers + 1``
            times the model's memory. Under torchrun, a rank's threads are Hogwild.
        seed: Fixes the initial vectors and the sampling.
        progress: Show a progress bar.
        callbacks: Called after each epoch with the model, the epoch and its mean loss.
        device: ``"cpu"``, or a CUDA device to train with torch.
        checkpoint: The file that ``checkpoint_every`` writes.
        checkpoint_every: Write a checkpoint every this many epochs; None writes none.
    """

    _owner = "Word2Vec"
    # How ranks keep one model: "average" the matrices, or sum every rank's "updates" since
    # the last sync (see embedlab.train._ranks; benchmarks/bench_word2vec_distributed.py).
    _sync_rule: ClassVar[str] = "updates"

    def __init__(
        self,
        mode: Mode = "skipgram",
        vector_size: int = 100,
        window: int = 5,
        negative: int = 5,
        hs: bool = False,
        ns_exponent: float = 0.75,
        min_count: int = 5,
        max_vocab_size: int | None = None,
        sample: float = 1e-3,
        learning_rate: float = 0.025,
        min_learning_rate: float = 0.0001,
        epochs: int = 5,
        workers: int = 2,
        thread_updates: Literal["hogwild", "replicas"] = "hogwild",
        seed: int = 1,
        progress: bool = True,
        callbacks: Sequence[EpochCallback] = (),
        device: str = "cpu",
        checkpoint: PathLike | None = None,
        checkpoint_every: int | None = None,
    ) -> None:
        self.mode = mode
        self.vector_size = vector_size
        self.window = window
        self.negative = negative
        self.hs = hs
        self.ns_exponent = ns_exponent
        self.min_count = min_count
        self.max_vocab_size = max_vocab_size
        self.sample = sample
        self.learning_rate = learning_rate
        self.min_learning_rate = min_learning_rate
        self.epochs = epochs
        self.workers = workers
        self.thread_updates = thread_updates
        self.seed = seed
        self.progress = progress
        self.callbacks = callbacks
        self.device = device
        self.checkpoint = checkpoint
        self.checkpoint_every = checkpoint_every
        self._state: _State | None = None
        self.timings: dict[str, float] = {}

    # ------------------------------------------------------------------ validation
    # Every parameter, declared once; fit() checks them (see embedlab._params).
    _parameter_constraints: ClassVar[dict[str, list[ConstraintSpec]]] = {
        "mode": [Options(("skipgram", "cbow"))],
        "vector_size": [Interval(int, 1, None)],
        "window": [Interval(int, 1, None)],
        "negative": [Interval(int, 0, None)],
        "hs": [Boolean()],
        "ns_exponent": [Interval(float, None, None)],
        "min_count": [Interval(int, 1, None)],
        "max_vocab_size": [None, Interval(int, 1, None)],
        "sample": [Interval(float, 0, None)],
        "learning_rate": [Interval(float, 0, None, closed="right")],
        "min_learning_rate": [Interval(float, 0, None)],
        "epochs": [Interval(int, 1, None)],
        "workers": WORKERS,
        "thread_updates": [Options(("hogwild", "replicas"))],
        "seed": SEED,
        "progress": PROGRESS,
        "callbacks": [SequenceOf(IsCallable(), allow_empty=True)],
        "device": [Device()],
        "checkpoint": [None, FilePath()],
        "checkpoint_every": [None, Interval(int, 1, None)],
    }

    def _validate(self) -> None:
        owner = self._owner
        validate_params(self, owner)
        if self.negative == 0 and not self.hs:
            either = " or hs=True" if "hs" in self._parameter_constraints else ""
            raise InvalidParameterError(
                f"{owner} needs negative > 0{either}: without them there is nothing to train"
            )
        check_param(self.min_learning_rate <= self.learning_rate, "min_learning_rate", owner,
                    "a number between 0 and learning_rate", self.min_learning_rate)
        if self.checkpoint_every is not None and self.checkpoint is None:
            raise InvalidParameterError(f"{owner}: checkpoint_every needs checkpoint= (the file to write)")

    # ------------------------------------------------------------------ public API
    @property
    def losses(self) -> list[float]:
        """Mean loss per prediction of every epoch trained so far."""
        return [] if self._state is None else [h.loss for h in self._state.history]

    @property
    def history(self) -> list[EpochStats]:
        return [] if self._state is None else list(self._state.history)

    @property
    def vectors(self) -> Vectors:
        """The word vectors learnt so far (a copy)."""
        if self._state is None:
            raise InvalidParameterError(f"this {self._owner} has not been trained yet; call fit() first")
        s = self._state
        return Vectors(s.words, s.w_in.copy(), counts=s.counts)

    def fit(self, corpus: _corpus.CorpusLike, resume: PathLike | None = None) -> Vectors:
        """Build the vocabulary of ``corpus``, train from scratch (or ``resume``) and return
        vectors.

        Args:
            corpus: Sentences as lists of tokens, a :class:`~embedlab.text.Corpus`, or the
                path of a text file.
            resume: A checkpoint written by ``checkpoint=`` to continue from; None trains
                from scratch.

        Returns:
            The word vectors, most frequent word first, with counts.

        Raises:
            InvalidParameterError: A parameter is out of range, or the checkpoint was written
                with other parameters.
            FormatError: ``resume`` is no file or a damaged checkpoint, or the corpus file
                cannot be read.
            DataError: The corpus is empty, or no word of it reaches ``min_count``.
        """
        self._validate()
        started = time.perf_counter()
        if resume is not None and not Path(resume).is_file():
            # Training from scratch here would silently throw away the run being resumed.
            raise FormatError(
                "no such checkpoint file; resume= takes a file written by checkpoint= "
                "(leave resume out to train from scratch)", resume,
            )
        rank, ranks = self._world()
        # numba's import and the kernel's cached machine code take about 0.9 s to load: done on
        # another thread while this one reads the corpus (the scanner releases the GIL).
        loading = None if str(self.device).startswith("cuda") else _in_background(self._load_kernels)
        prepared = _corpus.prepare(corpus, (rank, ranks))
        if loading is not None:
            loading.join()
        if resume is not None:
            self._state = self._load_checkpoint(resume)
            self.timings = {"vocab": 0.0}
        elif ranks > 1:  # each rank read its share: the vocabulary is the shares' together
            # Scanned files also say where each word first occurs (ranks read stripes of the
            # corpus): the merged vocabulary then ranks ties as one process does.
            places = prepared.first_seen() if isinstance(prepared, _corpus.Scanned) else None
            shares = _ranks.gather((prepared.word_counts(), places))
            counts = _corpus.merge_counts([share for share, _ in shares],
                                          None if places is None else [p for _, p in shares])
            words, word_counts = _corpus.select_vocab(counts, self.min_count, self.max_vocab_size, self._owner)
            self._state = self._initial_state(words, word_counts)
            self.timings = {"vocab": time.perf_counter() - started}
        else:
            words, word_counts = prepared.vocabulary(self.min_count, self.max_vocab_size, self._owner)
            self._state = self._initial_state(words, word_counts)
            self.timings = {"vocab": time.perf_counter() - started}
        self._train(prepared, self.epochs)
        return self.vectors

    def train(self, corpus: _corpus.CorpusLike, epochs: int | None = None) -> Vectors:
        """Continue training on ``corpus`` for ``epochs`` more epochs (the vocabulary stays).

        Args:
            corpus: Sentences as lists of tokens, a :class:`~embedlab.text.Corpus`, or the
                path of a text file.
            epochs: The epochs to train; None uses the model's ``epochs``.

        Returns:
            The word vectors.

        Raises:
            InvalidParameterError: The model has not been fitted, or a parameter is out of
                range.
            DataError: No word of the corpus is in the vocabulary.
        """
        if self._state is None:
            raise InvalidParameterError(f"this {self._owner} has not been trained yet; call fit() first")
        self._validate()
        epochs = self.epochs if epochs is None else epochs
        check_value("epochs", epochs, [Interval(int, 1, None)], f"{self._owner}.train")
        self._state.epochs_done = 0
        self._train(_corpus.prepare(corpus, self._world()), epochs)
        return self.vectors

    # ------------------------------------------------------------------ internals
    def _initial_state(self, words: list[str], counts: np.ndarray) -> _State:
        rng = np.random.default_rng(self.seed)
        dim = self.vector_size
        w_in = ((rng.random((len(words), dim), dtype=np.float32) * 2 - 1) / dim).astype(np.float32)
        w_out_ns = np.zeros((len(words) if self.negative else 0, dim), dtype=np.float32)
        w_out_hs = np.zeros((max(len(words) - 1, 1) if self.hs else 0, dim), dtype=np.float32)
        return _State(words, counts, w_in, w_out_ns, w_out_hs)

    def _load_kernels(self) -> None:
        """Load the training kernel: call it on a two-word model with nothing to train, with
        the argument types of a real call (so numba loads the code that call will run)."""
        from ._w2v_kernels import train_chunk

        counts = np.array([2, 1], np.int64)
        rows = np.zeros((2, 1), np.float32)
        prob, alias = alias_table(counts, 0.75)
        points, codes, lengths = huffman_codes(counts)
        train_chunk(rows, rows, rows, np.zeros(2, np.int32), np.zeros(2, np.int64), 0, 0,
                    keep_probabilities(counts, 1e-3), prob, alias, points, codes, lengths, True, 1,
                    1, 0.0, 0.0, np.uint64(0))

    def _kernel_job(self, encoded: _corpus.Encoded, matrices: tuple[np.ndarray, ...] | None = None) -> RunJob:
        """The job runner on ``matrices`` (``w_in, w_out_ns, w_out_hs``; default: the model's)."""
        from ._w2v_kernels import train_chunk

        s = self._state
        assert s is not None  # noqa: S101 - set by fit/train
        keep = keep_probabilities(s.counts, float(self.sample))
        prob, alias = alias_table(s.counts, float(self.ns_exponent))
        if self.hs:
            points, codes, lengths = huffman_codes(s.counts)
        else:
            points, codes, lengths = (np.zeros((1, 1), np.int32), np.zeros((1, 1), np.int8),
                                      np.zeros(1, np.int32))
        cbow = self.mode == "cbow"
        w_in, w_out_ns, w_out_hs = (s.w_in, s.w_out_ns, s.w_out_hs) if matrices is None else matrices

        def run(first: int, last: int, a0: float, a1: float, seed: int) -> tuple[float, int, int]:
            loss, predictions, trained = train_chunk(
                w_in, w_out_ns, w_out_hs, encoded.ids, encoded.bounds, first, last, keep,
                prob, alias, points, codes, lengths, cbow, int(self.negative), int(self.window),
                a0, a1, np.uint64(seed),
            )
            return float(loss), int(predictions), int(trained)

        return run

    def _run_job_factory(self, encoded: _corpus.Encoded) -> RunJob:
        if str(self.device).startswith("cuda"):
            from .torch_path import torch_job

            return torch_job(self, encoded)
        return self._kernel_job(encoded)

    def _train(self, prepared: _corpus.Scanned | _corpus.Streamed, epochs: int) -> None:
        s = self._state
        assert s is not None  # noqa: S101
        started = time.perf_counter()
        index = {w: i for i, w in enumerate(s.words)}
        encoded = prepared.encode(index)
        self.timings["encode"] = time.perf_counter() - started
        rank, ranks = self._world()
        try:
            jobs = _corpus.split_jobs(encoded.bounds, WORDS_PER_JOB)
            fewest = _ranks.smallest(len(jobs)) if ranks > 1 else len(jobs)
            if fewest == 0:
                share = f" of rank {rank}'s share (too small a corpus for {ranks} ranks?)" if ranks > 1 else ""
                raise DataError(f"{self._owner}: no word{share} of the corpus is in the vocabulary")
            # Progress and the schedule count corpus words, out-of-vocabulary ones included.
            scale = encoded.raw_words / max(len(encoded.ids), 1)
            job_words = [int(round((encoded.bounds[b] - encoded.bounds[a]) * scale)) for a, b in jobs]
            self.corpus_words = encoded.raw_words
            run_job = self._run_job_factory(encoded)
            train_start = time.perf_counter()

            sync = getattr(run_job, "sync", None)  # the torch path keeps weights on the device
            if ranks > 1 and sync is None:
                # Periodic model averaging: every _SYNC_WORDS words a rank trains, and at the
                # end of every epoch, the ranks replace their matrices by the mean.
                syncs = min(fewest, max(1, fewest * WORDS_PER_JOB // _SYNC_WORDS))
                keep_in_step = (self._average if self._sync_rule == "average"
                                else _ranks.UpdateSum(self._synced_parts()))
                run_job = _ranks.PeriodicAverage(run_job, len(jobs), syncs, keep_in_step)
            workers = 1 if sync is not None else int(self.workers)
            replicas = None
            if workers > 1 and ranks == 1 and self.thread_updates == "replicas":
                replicas = Replicas((s.w_in, s.w_out_ns, s.w_out_hs), workers,
                                    lambda copy: self._kernel_job(encoded, copy))

            def on_epoch_end(epoch: int, loss: float, seconds: float) -> None:
                if sync is not None:
                    sync()
                s.history.append(EpochStats(epoch, loss, seconds, sum(job_words) / max(seconds, 1e-9)))
                s.epochs_done = epoch + 1
                if (self.checkpoint_every and (epoch + 1) % self.checkpoint_every == 0 and self.checkpoint
                        and rank == 0):
                    self.save_checkpoint(self.checkpoint)
                for callback in self.callbacks:
                    callback(self, epoch, loss)

            run_epochs(
                jobs=jobs, job_words=job_words, run_job=run_job, epochs=epochs,
                first_epoch=s.epochs_done, alpha=float(self.learning_rate),
                min_alpha=float(self.min_learning_rate),
                # Each rank draws its own stream (rank 0 the single process' one).
                seed=int(self.seed) + 1_000_003 * rank,
                workers=workers, progress=self.progress and rank == 0,
                description=f"{self._owner} {self.mode}", on_epoch_end=on_epoch_end, replicas=replicas,
            )
            self.timings["train"] = time.perf_counter() - train_start
        finally:
            encoded.close()

    def _world(self) -> tuple[int, int]:
        """``(rank, ranks)`` under torchrun; the torch path (``device="cuda"``) trains alone."""
        return (0, 1) if str(self.device).startswith("cuda") else _ranks.world()

    def _synced_parts(self) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """The matrices ranks keep in step, each with the rows training can reach (None: all)."""
        s = self._state
        assert s is not None  # noqa: S101
        return [(s.w_in, None), (s.w_out_ns, None), (s.w_out_hs, None)]

    def _average(self) -> None:
        """Average the trained matrices over the ranks (see ``_ranks.PeriodicAverage``)."""
        for matrix, rows in self._synced_parts():
            _ranks.average([matrix], rows=rows)

    # ------------------------------------------------------------------ checkpoints
    def _params(self) -> dict[str, Any]:
        names = ("mode", "vector_size", "window", "negative", "hs", "ns_exponent", "min_count",
                 "max_vocab_size", "sample", "learning_rate", "min_learning_rate", "epochs", "seed")
        return {name: getattr(self, name) for name in names}

    def save_checkpoint(self, path: PathLike) -> None:
        """Write the whole training state to ``path`` (``.npz``), atomically.

        Args:
            path: The checkpoint file to write.

        Raises:
            InvalidParameterError: The model has not been trained yet.
            WriteError: ``path`` cannot be written.
        """
        s = self._state
        if s is None:
            raise InvalidParameterError(f"this {self._owner} has nothing to checkpoint yet")
        meta = {"format": _CHECKPOINT_FORMAT, "params": self._params(), "epochs_done": s.epochs_done,
                "words": s.words,
                "history": [[h.epoch, h.loss, h.seconds, h.words_per_second] for h in s.history]}
        with writing(path), atomic_write(path) as handle:
            np.savez(handle, meta=np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
                     counts=s.counts, w_in=s.w_in, w_out_ns=s.w_out_ns, w_out_hs=s.w_out_hs)

    def _load_checkpoint(self, path: PathLike) -> _State:
        try:
            with np.load(path) as data:
                meta = json.loads(bytes(data["meta"]).decode("utf-8"))
                arrays = {k: np.array(data[k]) for k in ("counts", "w_in", "w_out_ns", "w_out_hs")}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            # A truncated or overwritten file: zipfile and numpy raise their own types.
            raise FormatError(
                f"not a readable {self._owner} checkpoint ({type(exc).__name__}: {exc}); "
                "the file is damaged: resume from an older checkpoint or train from scratch", path,
            ) from None
        if not isinstance(meta, dict) or meta.get("format") != _CHECKPOINT_FORMAT:
            raise FormatError(f"not a {self._owner} checkpoint", path)
        try:
            return self._state_from(meta, arrays, path)
        except InvalidParameterError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise FormatError(f"damaged {self._owner} checkpoint ({type(exc).__name__}: {exc})", path) from None

    def _state_from(self, meta: dict[str, Any], arrays: dict[str, np.ndarray], path: PathLike) -> _State:
        saved = dict(meta["params"])
        for old, new in _RENAMED.items():  # checkpoints written before the renames
            if old in saved:
                saved[new] = saved.pop(old)
        if saved != json.loads(json.dumps(self._params())):
            raise InvalidParameterError(
                f"the checkpoint {path} was written with other parameters ({saved}); "
                "resume with the same ones"
            )
        history = [EpochStats(int(e), float(lo), float(sec), float(r)) for e, lo, sec, r in meta["history"]]
        return _State(meta["words"], arrays["counts"], arrays["w_in"], arrays["w_out_ns"],
                      arrays["w_out_hs"], int(meta["epochs_done"]), history)
