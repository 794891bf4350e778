"""The corpus scanner's state (:class:`ScanTable`): a hash table of words, their counts, the id
stream and the line ends, in arrays the C kernels of ``_corpus_kernels`` fill and this module
grows. A block of text is scanned on a thread per core, each thread into a table of its own,
and the tables are absorbed in text order: the same result as one scan."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from .._threads import run_all, workers
from ..text import decode_line, tokenize
from . import _corpus_kernels
from ._unicode_tables import unicode_tables

DONE, ROOM, HARD = 0, 1, 2  # the kernels' statuses
MIN_PIECE = 1 << 20  # the least text worth a thread of its own


class ScanTable:
    """The kernels' state; ``sizes`` holds the counters ``[words, arena bytes, ids, lines]``."""

    def __init__(self) -> None:
        words = 1 << 14
        self.slots = np.full(2 * words, -1, dtype=np.int32)
        self.hashes = np.zeros(words, dtype=np.uint64)
        self.starts = np.zeros(words, dtype=np.int64)
        self.lengths = np.zeros(words, dtype=np.int32)
        self.counts = np.zeros(words, dtype=np.int64)
        self.arena = np.zeros(1 << 18, dtype=np.uint8)
        self.sizes = np.zeros(4, dtype=np.int64)
        self.ids = np.zeros(1 << 20, dtype=np.int32)
        self.line_ends = np.zeros(1 << 14, dtype=np.int64)

    def state(self) -> tuple[np.ndarray, ...]:
        return (self.slots, self.hashes, self.starts, self.lengths, self.counts, self.arena,
                self.sizes, self.ids, self.line_ends)

    def grow(self, need: int) -> None:
        """Make room for a line of ``need`` (bytes + 1), as the kernels' room check asks."""
        words, used, n_ids, lines = (int(v) for v in self.sizes)
        if words + need > len(self.counts):
            size = max(2 * len(self.counts), words + need)
            self.hashes, self.starts, self.lengths, self.counts = (
                _grown(a, size) for a in (self.hashes, self.starts, self.lengths, self.counts))
        if 2 * (words + need) > len(self.slots):
            size = len(self.slots)
            while size < 2 * (words + need):
                size *= 2
            self.slots = np.full(size, -1, dtype=np.int32)
            _corpus_kernels.rehash(self.slots, self.hashes, words)
        if used + 3 * need > len(self.arena):  # a lower case takes at most 3 bytes per byte
            self.arena = _grown(self.arena, max(2 * len(self.arena), used + 3 * need))
        if n_ids + need > len(self.ids):
            self.ids = _grown(self.ids, max(2 * len(self.ids), n_ids + need))
        if lines + 1 > len(self.line_ends):
            self.line_ends = _grown(self.line_ends, 2 * len(self.line_ends))

    def absorb(self, other: ScanTable) -> None:
        """Append ``other`` (the table of the text that follows this one's) to this table."""
        words, used, n_ids, lines = (int(v) for v in other.sizes)
        mapping = np.zeros(words, dtype=np.int32)
        while _corpus_kernels.absorb(
                other.hashes, other.starts, other.lengths, other.counts, other.arena[:used], words,
                self.slots, self.hashes, self.starts, self.lengths, self.counts, self.arena,
                self.sizes, mapping) == ROOM:
            self.grow(max(words, used))
        self.append(mapping[other.ids[:n_ids]], other.line_ends[:lines])

    def append(self, ids: np.ndarray, line_ends: np.ndarray) -> None:
        n_ids, lines = int(self.sizes[2]), int(self.sizes[3])
        if n_ids + len(ids) > len(self.ids):
            self.ids = _grown(self.ids, max(2 * len(self.ids), n_ids + len(ids)))
        if lines + len(line_ends) > len(self.line_ends):
            self.line_ends = _grown(self.line_ends, max(2 * len(self.line_ends), lines + len(line_ends)))
        self.ids[n_ids:n_ids + len(ids)] = ids
        self.line_ends[lines:lines + len(line_ends)] = line_ends + n_ids
        self.sizes[2] += len(ids)
        self.sizes[3] += len(line_ends)

    def feed_parallel(self, block: bytes, split_only: bool, path: Path,
                      line_base: Callable[[], int]) -> None:
        """:meth:`feed` on a thread per core: each scans a run of whole lines into a table of
        its own, and the tables are absorbed in text order (the same result as one feed)."""
        pieces = min(workers(), max(1, len(block) // MIN_PIECE))
        cuts = [0]
        for k in range(1, pieces):
            cut = block.find(b"\n", max(len(block) * k // pieces, cuts[-1])) + 1
            if cut > 0:
                cuts.append(cut)
        cuts.append(len(block))
        if len(cuts) <= 2:
            self.feed(block, split_only, path, line_base)
            return
        tables = [self] + [ScanTable() for _ in cuts[2:]]
        lines_before = int(self.sizes[3])

        def piece_base(k: int) -> Callable[[], int]:
            # An error's line number in piece k counts the file's lines before the block and
            # the block's lines before the piece; piece k's table starts from no line at all.
            if k == 0:
                return line_base
            return lambda: line_base() - lines_before - block.count(b"\n", 0, cuts[k])

        def one(k: int) -> None:
            tables[k].feed(block[cuts[k]:cuts[k + 1]], split_only, path, piece_base(k))

        run_all(one, [(k,) for k in range(len(tables))])
        for table in tables[1:]:
            self.absorb(table)

    def feed(self, block: bytes, split_only: bool, path: Path, line_base: Callable[[], int]) -> None:
        """Scan the whole lines of ``block``; ``line_base()`` is the table's line count at the
        first line of ``path`` (asked only for the line number of an error)."""
        lower, kinds = unicode_tables()
        data = np.frombuffer(block, dtype=np.uint8)
        end = len(data)
        p = 0
        while p < end:
            status, p = _corpus_kernels.scan_lines(data, p, end, lower, kinds, split_only,
                                                   *self.state())
            if status == DONE:
                break
            newline = block.find(b"\n", p, end)
            line_end = end if newline < 0 else newline
            if status == ROOM:
                self.grow(line_end - p + 1)
                continue
            # A line the tables cannot settle: Python's own decoder and tokenizer take it.
            raw = block[p:line_end]
            if b"\x00" in raw or not _decodes(raw):
                decode_line(raw, "utf-8", path, int(self.sizes[3]) - line_base() + 1)  # raises
            text = decode_line(raw, "utf-8", path, 0)
            tokens = [t.encode("utf-8") for t in (text.split() if split_only else tokenize(text))]
            token_bytes = np.frombuffer(b"".join(tokens), dtype=np.uint8)
            token_ends = np.cumsum([len(t) for t in tokens], dtype=np.int64)
            while _corpus_kernels.intern_tokens(token_bytes, token_ends, *self.state()) == ROOM:
                self.grow(len(token_bytes) + len(tokens) + 1)
            p = line_end + 1


def _decodes(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _grown(array_: np.ndarray, size: int) -> np.ndarray:
    bigger = np.zeros(size, dtype=array_.dtype)
    bigger[: len(array_)] = array_
    return bigger
