"""numba's one-time set-up, started on a thread of its own while the corpus is read.

The first kernel a process loads from numba's cache pays for numba's whole set-up (its
typing and lowering registries, and the SciPy import of its BLAS check): about 0.7 s on the
2-core test machine, more than scanning the 13 MB news corpus. None of it needs the corpus,
and the C scanner releases the GIL, so :func:`start` runs it beside the scan; the training
kernel's own load is then a few hundredths of a second. Measured in benchmarks/bench_corpus.py.
"""

from __future__ import annotations

import threading

_started = threading.Event()


def start() -> None:
    """Begin numba's set-up on a thread, once per process; return at once."""
    if _started.is_set():
        return
    _started.set()
    # Not a daemon: a fit that fails early must not leave the interpreter to exit mid-import.
    threading.Thread(target=_load, name="embedlab-numba-setup").start()


def _load() -> None:
    try:
        import numpy as np

        from ._w2v_kernels import next_random

        next_random(np.uint64(1))  # one small cached kernel: loading it sets numba up
    except Exception:  # noqa: BLE001, S110 - the training thread meets (and reports) the same error
        pass
