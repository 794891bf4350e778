"""Each training thread updates its own copy of the model; the copies merge every few jobs.

Hogwild threads (word2vec.c, gensim) all write one matrix. When the cores do not share a cache,
every row a thread writes has to travel to the other core before that one can write it, and
the threads spend their time waiting for rows: on this project's 2-vCPU machines two threads
sharing the matrices trained one Brown CBOW epoch in 0.48 s of wall time, one thread alone in
0.51 s; with a copy each, merged once an epoch, two threads took 0.31 s (docs/distributed.md).

A copy per thread avoids that. Every ``MERGE_ROUNDS`` jobs of each thread (and at the end of
each epoch) the threads wait for each other and merge: every copy becomes the last common value
plus the sum of what each thread learned since (``_replicas_kernels.merge_rows``), so no
thread's update is lost or scaled down, as with Hogwild. Which thread runs which job and when
the copies merge is fixed, so results are identical run to run for any number of threads.

The price is memory: ``threads`` copies of the trained matrices and one of their last common
value; and where the cores do share a cache, twice the data in it makes the copies the slower
way (Brown: 4.3 s against 3.2 s), which is why Hogwild stays Word2Vec's default. Copy 0 is the
model's own matrices, which hold the merged model after each epoch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

# Jobs each thread trains between two merges. On Brown (CBOW, 2 threads, 12 epochs), merging
# after every 1 / 4 / 16 jobs took 4.5 / 3.6 / 4.0 s and scored 0.317 / 0.313 / 0.282 on
# WordSim-353 (one shared matrix: 5.8 s, 0.305): 4 keeps the quality at about the speed of
# merging once an epoch.
MERGE_ROUNDS = 4

RunJob = Callable[[int, int, float, float, int], tuple[float, int, int]]


class Replicas:
    """A copy of ``matrices`` per thread, and ``run_job`` for each thread's copy.

    Args:
        matrices: The model's trained matrices (empty ones are left alone); copy 0.
        threads: How many copies.
        make_job: Builds a job runner (``run_job(first, last, a0, a1, seed)``) on one copy.
    """

    def __init__(self, matrices: Sequence[np.ndarray], threads: int,
                 make_job: Callable[[tuple[np.ndarray, ...]], RunJob]) -> None:
        from ._replicas_kernels import merge_rows  # here: importing embedlab.train loads no numba

        self._merge_rows = merge_rows
        self.threads = threads
        self.copies = [tuple(matrices)] + [tuple(m.copy() for m in matrices) for _ in range(threads - 1)]
        self.run_jobs = [make_job(copy) for copy in self.copies]
        self._last = [m.copy() for m in matrices]

    def merge(self, thread: int) -> None:
        """Merge this thread's block of rows of every matrix; each thread calls it once,
        while every thread waits at the merge (``embedlab.train._engine``)."""
        for k, last in enumerate(self._last):
            if last.size == 0:
                continue
            lo = len(last) * thread // self.threads
            hi = len(last) * (thread + 1) // self.threads
            self._merge_rows(tuple(copy[k] for copy in self.copies), last, lo, hi)
