"""Running kernel jobs: threads, the learning-rate schedule, progress, callbacks.

An epoch is cut into jobs of about ``WORDS_PER_JOB`` corpus words. Job ``j`` of epoch ``e``
always gets the same random seed and the same slice of the linear learning-rate schedule,
whichever thread runs it, so one worker gives identical results run to run, and a run resumed
from an epoch checkpoint ends where an uninterrupted one does.

Several threads either share one model (Hogwild: each takes the next job as it finishes one)
or each train a copy of it (:class:`~embedlab.train._replicas.Replicas`: thread ``t`` takes
jobs ``t, t + threads, ...`` and the copies merge every ``MERGE_ROUNDS`` jobs, so several
threads too give identical results run to run).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from .._progress import progress_bar
from ._replicas import MERGE_ROUNDS, Replicas, RunJob

WORDS_PER_JOB = 20_000
# How often the bar is redrawn while threads train.
_DRAW_EVERY_S = 0.2
_MASK = (1 << 64) - 1


def job_seed(seed: int, epoch: int, job: int) -> int:
    """A 64-bit seed per (seed, epoch, job), mixed so neighbouring jobs are unrelated."""
    z = (seed * 0x9E3779B97F4A7C15 + epoch * 0xD1B54A32D192ED03 + job * 0xABC98388FB8FAC03) & _MASK
    z = ((z ^ (z >> 31)) * 0xBF58476D1CE4E5B9) & _MASK
    return (z ^ (z >> 29)) & _MASK


def run_epochs(
    *,
    jobs: Sequence[tuple[int, int]],
    job_words: Sequence[int],
    run_job: RunJob,
    epochs: int,
    first_epoch: int,
    alpha: float,
    min_alpha: float,
    seed: int,
    workers: int,
    progress: bool,
    description: str,
    on_epoch_end: Callable[[int, float, float], None],
    replicas: Replicas | None = None,
) -> None:
    """Run epochs ``first_epoch .. epochs-1``; ``run_job(first, last, a0, a1, seed)`` trains a job.

    ``on_epoch_end(epoch, mean_loss, seconds)`` runs after each epoch (callbacks, checkpoints).
    With ``replicas`` (one copy per worker), each thread trains its copy through
    ``replicas.run_jobs[thread]`` instead of ``run_job``.
    """
    per_epoch = max(sum(job_words), 1)
    total = per_epoch * epochs
    done_before = per_epoch * first_epoch
    with progress_bar(total, description, enabled=progress, unit="words") as bar:
        bar.advance(done_before)
        start_all = time.perf_counter()
        done = [0, 0]  # words trained this run, words the bar shows
        lock = threading.Lock()  # the totals, which whichever thread finishes a job adds to
        pool = ThreadPoolExecutor(workers) if workers > 1 else None
        try:
            for epoch in range(first_epoch, epochs):
                start = time.perf_counter()
                offsets = [done_before]
                for n in job_words:
                    offsets.append(offsets[-1] + n)
                done_before = offsets[-1]

                def schedule(j: int, offsets: list[int] = offsets) -> tuple[float, float]:
                    a0 = alpha - (alpha - min_alpha) * offsets[j] / total
                    a1 = alpha - (alpha - min_alpha) * offsets[j + 1] / total
                    return a0, a1

                totals = [0.0, 0.0]  # loss, predictions

                def one(j: int, run: RunJob = run_job, epoch: int = epoch,
                        totals: list[float] = totals) -> None:
                    a0, a1 = schedule(j)
                    job_loss, job_pred, _ = run(jobs[j][0], jobs[j][1], a0, a1, job_seed(seed, epoch, j))
                    with lock:
                        totals[0] += job_loss
                        totals[1] += job_pred
                        done[0] += job_words[j]

                def draw(epoch: int = epoch, totals: list[float] = totals) -> None:
                    # Only this (the calling) thread draws: a notebook's display belongs to it.
                    with lock:
                        words, loss, predictions = done[0], totals[0], int(totals[1])
                    _show(bar, words - done[1], epoch, epochs, words, start_all, loss, predictions)
                    done[1] = words

                if pool is None:
                    for j in range(len(jobs)):
                        one(j)
                        draw()
                elif replicas is None:
                    _follow([pool.submit(one, j) for j in range(len(jobs))], draw)
                else:
                    _follow(_replica_threads(pool, replicas, len(jobs), one), draw)
                loss, predictions = totals
                on_epoch_end(epoch, loss / max(predictions, 1), time.perf_counter() - start)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)


def _follow(futures: list[Future[None]], draw: Callable[[], None]) -> None:
    """Draw progress until every future is done; then raise the first error, if any (a failed
    job stops the jobs not yet started)."""
    pending = set(futures)
    while pending:
        _, pending = wait(pending, timeout=_DRAW_EVERY_S)
        draw()
        if any(f.done() and f.exception() is not None for f in futures):
            for future in pending:
                future.cancel()
            wait(pending)
            break
    errors = [e for e in (f.exception() for f in futures if not f.cancelled()) if e is not None]
    # A replica thread that failed first raises its own error; the others only saw the broken
    # barrier.
    errors.sort(key=lambda e: isinstance(e, threading.BrokenBarrierError))
    if errors:
        raise errors[0]


def _replica_threads(pool: ThreadPoolExecutor, replicas: Replicas, jobs: int,
                     one: Callable[[int, RunJob], None]) -> list[Future[None]]:
    """Start one epoch on per-thread copies: thread ``t`` runs jobs ``t, t + threads, ...`` on
    its copy, and all merge every ``MERGE_ROUNDS`` of them and after the last."""
    threads = replicas.threads
    rounds = -(-jobs // threads)
    meet = threading.Barrier(threads)

    def thread(t: int) -> None:
        try:
            for r in range(rounds):
                if r * threads + t < jobs:
                    one(r * threads + t, replicas.run_jobs[t])
                if (r + 1) % MERGE_ROUNDS == 0 or r == rounds - 1:
                    meet.wait()  # every copy is done with its jobs: merge
                    replicas.merge(t)
                    meet.wait()  # every block is merged: train on
        except BaseException:
            meet.abort()  # the other threads stop at their next merge instead of waiting forever
            raise

    return [pool.submit(thread, t) for t in range(threads)]


def _show(bar: Any, words: int, epoch: int, epochs: int, done: int, start: float, loss: float,
          predictions: int) -> None:
    rate = done / max(time.perf_counter() - start, 1e-9)
    bar.advance(words, info=f"epoch {epoch + 1}/{epochs} · {rate / 1000:,.0f}k words/s · "
                            f"loss {loss / max(predictions, 1):.4f}")
