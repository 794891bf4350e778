"""Running kernel jobs: Hogwild threads, the learning-rate schedule, progress, callbacks.

An epoch is cut into jobs of about ``WORDS_PER_JOB`` corpus words. Job ``j`` of epoch ``e``
always gets the same random seed and the same slice of the linear learning-rate schedule,
whichever thread runs it, so one worker gives identical results run to run, and a run resumed
from an epoch checkpoint ends where an uninterrupted one does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from .._progress import progress_bar

WORDS_PER_JOB = 20_000
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
    run_job: Callable[[int, int, float, float, int], tuple[float, int, int]],
    epochs: int,
    first_epoch: int,
    alpha: float,
    min_alpha: float,
    seed: int,
    workers: int,
    progress: bool,
    description: str,
    on_epoch_end: Callable[[int, float, float], None],
) -> None:
    """Run epochs ``first_epoch .. epochs-1``; ``run_job(first, last, a0, a1, seed)`` trains a job.

    ``on_epoch_end(epoch, mean_loss, seconds)`` runs after each epoch (callbacks, checkpoints).
    """
    per_epoch = max(sum(job_words), 1)
    total = per_epoch * epochs
    done_before = per_epoch * first_epoch
    with progress_bar(total, description, enabled=progress, unit="words") as bar:
        bar.advance(done_before)
        start_all = time.perf_counter()
        words_this_run = 0
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

                loss = 0.0
                predictions = 0
                lock = threading.Lock()

                def one(j: int, epoch: int = epoch) -> tuple[float, int, int]:
                    a0, a1 = schedule(j)
                    return run_job(jobs[j][0], jobs[j][1], a0, a1, job_seed(seed, epoch, j))

                if pool is None:
                    for j in range(len(jobs)):
                        job_loss, job_pred, _ = one(j)
                        loss += job_loss
                        predictions += job_pred
                        words_this_run += job_words[j]
                        _show(bar, job_words[j], epoch, epochs, words_this_run, start_all, loss,
                              predictions)
                else:
                    pending: set[Future[Any]] = set()
                    index = {}
                    for j in range(len(jobs)):
                        future = pool.submit(one, j)
                        index[future] = j
                        pending.add(future)
                    while pending:
                        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                        for future in finished:
                            job_loss, job_pred, _ = future.result()
                            with lock:
                                loss += job_loss
                                predictions += job_pred
                                words_this_run += job_words[index[future]]
                            _show(bar, job_words[index[future]], epoch, epochs, words_this_run,
                                  start_all, loss, predictions)
                on_epoch_end(epoch, loss / max(predictions, 1), time.perf_counter() - start)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)


def _show(bar: Any, words: int, epoch: int, epochs: int, done: int, start: float, loss: float,
          predictions: int) -> None:
    rate = done / max(time.perf_counter() - start, 1e-9)
    bar.advance(words, info=f"epoch {epoch + 1}/{epochs} · {rate / 1000:,.0f}k words/s · "
                            f"loss {loss / max(predictions, 1):.4f}")
