"""A small shared thread pool for the GIL-free kernels (numba ``nogil=True``, the C readers).

numba's own ``parallel=True`` wakes its OpenMP team at every call, which costs milliseconds
when the machine is busy; a pool of Python threads running ``nogil`` kernels costs
microseconds per task and degrades gracefully under load.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

_POOL: ThreadPoolExecutor | None = None


def workers() -> int:
    """Threads to use: the cores this process may run on (``EMBEDLAB_THREADS`` overrides)."""
    wanted = os.environ.get("EMBEDLAB_THREADS")
    if wanted and wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_all(task: Callable[..., Any], arguments: Iterable[tuple[Any, ...]]) -> list[Any]:
    """``[task(*a) for a in arguments]``, on the pool when there is more than one."""
    return start_all(task, arguments)()


def start_all(task: Callable[..., Any], arguments: Iterable[tuple[Any, ...]]) -> Callable[[], list[Any]]:
    """Start ``task(*a)`` for each of ``arguments`` on the pool and return at once; calling the
    result waits for them and gives their results in order. The caller can do other work (that
    holds the GIL) meanwhile."""
    jobs = list(arguments)
    if len(jobs) <= 1 or workers() == 1:
        results = [task(*a) for a in jobs]
        return lambda: results
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=workers(), thread_name_prefix="embedlab")
    futures = [_POOL.submit(task, *a) for a in jobs]
    return lambda: [f.result() for f in futures]
