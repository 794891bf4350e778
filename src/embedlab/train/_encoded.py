"""What the trainers walk: a corpus as one flat int32 id array cut into sentences, and the jobs
cut from it. Both ways of reading a corpus (``_scan``, ``_streamed``) end here."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Longer sentences are cut into pieces of this many words, so that kernel buffers stay bounded.
MAX_SENTENCE = 10_000
# Past this many ids the encoded corpus spills to a temporary file (64M ids = 256 MB).
SPILL_IDS = 1 << 26


@dataclass
class Encoded:
    """A corpus as ids: ``ids[bounds[i]:bounds[i+1]]`` is sentence ``i``."""

    ids: np.ndarray
    bounds: np.ndarray
    raw_words: int  # words read, out-of-vocabulary ones included
    _tmpdir: Any = field(default=None, repr=False)

    def close(self) -> None:
        if self._tmpdir is not None:
            self.ids = np.zeros(0, np.int32)
            self._tmpdir.cleanup()
            self._tmpdir = None


class Spill:
    """A temporary file the ids of a large corpus go to, read back memory-mapped."""

    def __init__(self) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="embedlab-corpus-")
        self.path = os.path.join(self.folder.name, "ids.i32")

    def mapped(self, count: int) -> np.ndarray:
        return np.memmap(self.path, dtype=np.int32, mode="r", shape=(count,))


def split_jobs(bounds: np.ndarray, words_per_job: int) -> list[tuple[int, int]]:
    """Cut the sentence list into jobs of about ``words_per_job`` words: (first, last+1) sentence."""
    jobs = []
    first = 0
    n = len(bounds) - 1
    while first < n:
        target = bounds[first] + words_per_job
        last = int(np.searchsorted(bounds, target, side="left"))
        last = min(max(last, first + 1), n)
        jobs.append((first, last))
        first = last
    return jobs
