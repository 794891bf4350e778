"""Per-thread copies of the model (thread_updates="replicas"): the merge, the engine, Word2Vec."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from embedlab import InvalidParameterError
from embedlab.train import Word2Vec, _engine
from embedlab.train import _replicas_kernels as K
from embedlab.train import _replicas_reference as R
from embedlab.train import word2vec as w2v_module
from embedlab.train._replicas import Replicas
from kernel_impls import implementations

# Each test that takes ``merge`` runs on the numba kernel, then on the reference standing in.
merge = implementations("embedlab.train._replicas_kernels")


def test_merge_adds_up_every_copys_update_by_hand(merge) -> None:  # type: ignore[no-untyped-def]
    last = np.array([[1.0, 1.0], [9.0, 9.0]], np.float32)
    a = np.array([[2.0, 1.0], [7.0, 7.0]], np.float32)  # +1, 0 since the last merge
    b = np.array([[4.0, 0.0], [8.0, 8.0]], np.float32)  # +3, -1
    merge.merge_rows((a, b), last, 0, 1)
    for m in (last, a, b):
        assert m[0].tolist() == [5.0, 0.0]
    assert last[1].tolist() == [9.0, 9.0] and a[1].tolist() == [7.0, 7.0]  # outside lo:hi: untouched


@pytest.mark.parametrize("copies", [1, 2, 3])
def test_merge_kernel_matches_the_reference_bit_for_bit(copies: int) -> None:
    rng = np.random.default_rng(copies)
    mats = [rng.standard_normal((9, 7)).astype(np.float32) for _ in range(copies)]
    last = rng.standard_normal((9, 7)).astype(np.float32)
    twins = [m.copy() for m in mats]
    twin_last = last.copy()
    K.merge_rows(tuple(mats), last, 2, 8)
    R.merge_rows(tuple(twins), twin_last, 2, 8)
    assert np.array_equal(last, twin_last)
    assert all(np.array_equal(m, t) for m, t in zip(mats, twins, strict=True))


def _fake_jobs(model: np.ndarray, threads: int, fail_on: int | None = None) -> Replicas:
    """Job j adds j + 1 to row j of the copy it runs on (and raises at ``fail_on``)."""

    def make_job(copy: tuple[np.ndarray, ...]):  # type: ignore[no-untyped-def]
        def run(first: int, last: int, a0: float, a1: float, seed: int) -> tuple[float, int, int]:
            if first == fail_on:
                raise ValueError("job failed")
            copy[0][first] += first + 1
            return 0.0, 1, 1
        return run

    return Replicas((model,), threads, make_job)


def _run(replicas: Replicas, jobs: int, epochs: int = 1) -> None:
    def unused(*_: object) -> tuple[float, int, int]:
        raise AssertionError("with replicas, each thread runs its copy's job")

    _engine.run_epochs(jobs=[(j, j + 1) for j in range(jobs)], job_words=[1] * jobs, run_job=unused,
                       epochs=epochs, first_epoch=0, alpha=0.1, min_alpha=0.0, seed=1,
                       workers=replicas.threads, progress=False, description="test",
                       on_epoch_end=lambda *_: None, replicas=replicas)


@pytest.mark.parametrize("threads,jobs", [(2, 11), (3, 7), (2, 1)])
def test_every_threads_updates_reach_the_model_and_every_copy(merge, threads: int, jobs: int) -> None:  # type: ignore[no-untyped-def]
    model = np.zeros((jobs, 1), np.float32)
    replicas = _fake_jobs(model, threads)
    _run(replicas, jobs, epochs=2)
    want = 2 * (np.arange(jobs, dtype=np.float32) + 1)  # two epochs of each job's update
    assert model[:, 0].tolist() == want.tolist()
    for copy in replicas.copies:
        assert copy[0][:, 0].tolist() == want.tolist()


def test_a_failing_job_raises_its_error_and_no_thread_hangs() -> None:
    replicas = _fake_jobs(np.zeros((40, 1), np.float32), 2, fail_on=5)
    caught: list[BaseException] = []

    def go() -> None:
        try:
            _run(replicas, 40)
        except BaseException as exc:  # noqa: BLE001 - the test looks at what came out
            caught.append(exc)

    runner = threading.Thread(target=go, daemon=True)
    runner.start()
    runner.join(timeout=60)
    assert not runner.is_alive()
    assert len(caught) == 1 and isinstance(caught[0], ValueError) and "job failed" in str(caught[0])


def test_hogwild_threads_raise_a_failing_jobs_error() -> None:
    def run(first: int, last: int, a0: float, a1: float, seed: int) -> tuple[float, int, int]:
        if first == 3:
            raise ValueError("job 3 failed")
        return 0.0, 1, 1

    with pytest.raises(ValueError, match="job 3 failed"):
        _engine.run_epochs(jobs=[(j, j + 1) for j in range(20)], job_words=[1] * 20, run_job=run,
                           epochs=1, first_epoch=0, alpha=0.1, min_alpha=0.0, seed=1, workers=2,
                           progress=False, description="test", on_epoch_end=lambda *_: None)


@pytest.mark.parametrize("thread_updates", ["hogwild", "replicas"])
def test_only_the_calling_thread_draws_progress(monkeypatch: pytest.MonkeyPatch, small_jobs,
                                                thread_updates: str) -> None:
    """A notebook's display belongs to the thread that runs the cell: training threads only
    add to the totals, and the caller draws every word of them."""
    drawn: list[tuple[str, int]] = []
    monkeypatch.setattr(_engine, "_show", lambda bar, words, *rest: drawn.append(
        (threading.current_thread().name, words)))
    _model(workers=2, thread_updates=thread_updates, epochs=2).fit(_corpus(300))
    assert {name for name, _ in drawn} == {threading.current_thread().name}
    assert sum(words for _, words in drawn) == 2 * 300 * 12  # two epochs of 300 sentences of 12


# ---------------------------------------------------------------------- Word2Vec
def _corpus(sentences: int = 600) -> list[list[str]]:
    rng = np.random.default_rng(0)
    topics = [[f"a{i}" for i in range(8)], [f"b{i}" for i in range(8)]]
    return [list(rng.choice(topics[s % 2], size=12)) for s in range(sentences)]


@pytest.fixture
def small_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Jobs of 300 words and a merge every 2 of each thread's: a small corpus then runs many
    jobs per thread and several merges per epoch, as a real one does."""
    monkeypatch.setattr(w2v_module, "WORDS_PER_JOB", 300)
    monkeypatch.setattr(_engine, "MERGE_ROUNDS", 2)


def _model(**options: object) -> Word2Vec:
    base: dict[str, object] = {"vector_size": 16, "window": 3, "min_count": 1, "epochs": 4,
                               "progress": False, "sample": 0.0, "learning_rate": 0.05,
                               "thread_updates": "replicas"}
    return Word2Vec(**(base | options))  # type: ignore[arg-type]


@pytest.mark.parametrize("workers", [2, 3])
def test_several_threads_are_bit_identical_run_to_run(merge, small_jobs, workers: int) -> None:  # type: ignore[no-untyped-def]
    corpus = _corpus()
    a = _model(workers=workers, seed=5).fit(corpus)
    b = _model(workers=workers, seed=5).fit(corpus)
    assert np.array_equal(a.matrix, b.matrix)
    assert not np.array_equal(a.matrix, _model(workers=1, seed=5).fit(corpus).matrix)
    assert a.similarity("a0", "a1") > a.similarity("a0", "b1")  # and it learned the topics


def test_hogwild_threads_still_train() -> None:
    vectors = _model(workers=2, thread_updates="hogwild").fit(_corpus(800))
    assert vectors.similarity("a0", "a1") > vectors.similarity("a0", "b1")


def test_thread_updates_must_be_a_known_way() -> None:
    with pytest.raises(InvalidParameterError, match="The 'thread_updates' parameter of Word2Vec must be "
                                                    "'hogwild' or 'replicas'. Got 'locks' instead."):
        _model(thread_updates="locks").fit(_corpus(10))


def test_kernels_load_beside_the_corpus_with_the_types_fit_calls_them_with() -> None:
    """fit loads the kernel on a thread of its own while it reads the corpus; that load must
    be of the very code the training then calls (numba compiles one version per argument
    types), or it saves nothing. In a fresh interpreter: one version per kernel after fit."""
    import subprocess
    import sys

    script = (
        "from embedlab.train import Word2Vec, FastText\n"
        "from embedlab.train import _w2v_kernels as K, _fasttext_kernels as F\n"
        "corpus = [['a', 'b', 'c', 'd'] * 5] * 50\n"
        "for model in (Word2Vec(min_count=1, epochs=1, progress=False),\n"
        "              FastText(min_count=1, epochs=1, bucket=100, progress=False)):\n"
        "    model.fit(corpus)\n"
        "print(len(K.train_chunk.signatures), len(F.train_chunk_subwords.signatures))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "1"]
