"""The few torch.distributed calls the numba trainers need to train data-parallel.

A script launched by ``torchrun --nproc_per_node N`` runs ``N`` processes with ``RANK`` and
``WORLD_SIZE`` set; :func:`world` joins them into a gloo process group (unless the script did
already) so that ``Word2Vec().fit(path)`` needs no change to run on every rank. Outside
torchrun, and when torch is not installed, everything here is the single process' identity:
rank 0 of 1, and torch is never imported.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

import numpy as np


def world() -> tuple[int, int]:
    """``(rank, size)`` of the process group, joining torchrun's if nobody has yet."""
    if "torch.distributed" not in sys.modules and int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return 0, 1  # not launched by torchrun, and no group set up by the caller
    import torch.distributed as dist

    if not dist.is_available():
        return 0, 1
    if not dist.is_initialized():
        if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
            return 0, 1
        dist.init_process_group("gloo")  # torchrun's MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE
        # The group is ours to close: left to the interpreter's exit, gloo's threads can abort
        # the process ("terminate called without an active exception") as the peers go.
        atexit.register(_close)
    return int(dist.get_rank()), int(dist.get_world_size())


def _close() -> None:
    import torch.distributed as dist

    if dist.is_initialized():
        dist.barrier()  # no rank leaves while another still talks to it
        dist.destroy_process_group()


def gather(value: Any) -> list[Any]:
    """Every rank's ``value`` (any picklable object), in rank order."""
    import torch.distributed as dist

    values: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(values, value)
    return values


def smallest(value: int) -> int:
    """The smallest of every rank's ``value``."""
    import torch
    import torch.distributed as dist

    tensor = torch.tensor([value], dtype=torch.int64)
    dist.all_reduce(tensor, op=dist.ReduceOp.MIN)
    return int(tensor.item())


def average(matrices: list[np.ndarray], rows: np.ndarray | None = None) -> None:
    """Replace each matrix (or its ``rows``) by its mean over the ranks, in place.

    gloo's all-reduce leaves the same sum on every rank, so the ranks end with bit-identical
    matrices when nothing writes to them during the call.
    """
    import torch
    import torch.distributed as dist

    scale = np.float32(1.0 / dist.get_world_size())
    for matrix in matrices:
        if matrix.size == 0:
            continue
        if rows is None:
            dist.all_reduce(torch.from_numpy(matrix))  # shares the array's memory
            matrix *= scale
        else:
            part = matrix[rows]
            dist.all_reduce(torch.from_numpy(part))
            matrix[rows] = part * scale


class UpdateSum:
    """The other way to keep ranks in step: add up every rank's updates since the last call.

    ``matrix = last + sum over ranks of (rank's matrix - last)``, where ``last`` is the common
    value after the previous call. Unlike averaging, a rank's update is not divided by the
    number of ranks, so the learning rate keeps its meaning (as on one process with more
    threads). ``rows`` restricts a matrix to the rows training can reach.
    """

    def __init__(self, parts: list[tuple[np.ndarray, np.ndarray | None]]) -> None:
        self._parts = parts
        self._last = [(m if rows is None else m[rows]).copy() for m, rows in parts]

    def __call__(self) -> None:
        import torch
        import torch.distributed as dist

        for (matrix, rows), last in zip(self._parts, self._last, strict=True):
            if matrix.size == 0:
                continue
            delta = (matrix if rows is None else matrix[rows]) - last
            dist.all_reduce(torch.from_numpy(delta))
            last += delta  # the same on every rank: the next call's starting point
            if rows is None:
                matrix[...] = last
            else:
                matrix[rows] = last


class PeriodicAverage:
    """Wraps a trainer's job so that every ``period`` finished jobs the ranks average the model.

    Each rank runs the same number of averages per epoch (``syncs``), the last one when its
    final job of the epoch ends, so every epoch ends with identical matrices on every rank.
    Jobs finish on several threads: the averages are taken in ticket order, one at a time,
    while the other threads keep training (Hogwild, as the threads already do on one rank).
    """

    def __init__(self, run_job: Callable[[int, int, float, float, int], tuple[float, int, int]],
                 jobs: int, syncs: int, average_now: Callable[[], None]) -> None:
        self._run_job = run_job
        self._marks = {round(i * jobs / syncs) for i in range(1, syncs + 1)}
        self._jobs = jobs
        self._average_now = average_now
        self._done = 0
        self._next_ticket = 0
        self._issued = 0
        self._count_lock = threading.Lock()
        self._turn = threading.Condition()

    def __call__(self, first: int, last: int, a0: float, a1: float, seed: int) -> tuple[float, int, int]:
        result = self._run_job(first, last, a0, a1, seed)
        with self._count_lock:
            self._done += 1
            ticket = None
            if self._done in self._marks:
                ticket = self._issued
                self._issued += 1
            if self._done == self._jobs:  # the next epoch counts again
                self._done = 0
        if ticket is not None:
            with self._turn:
                self._turn.wait_for(lambda: self._next_ticket == ticket)
                try:
                    self._average_now()
                finally:
                    self._next_ticket += 1
                    self._turn.notify_all()
        return result
