"""The fast way of reading a corpus of files: one pass of the C scanner over their bytes gives
the tokens, their counts and a provisional id stream (:func:`scan`); the vocabulary and the
final ids then come from array operations (:class:`Scanned`). Same tokens, vocabulary and ids
as the Python way (``_streamed``), for the default tokenizer and ``whitespace_tokenize``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .._io import open_binary
from ..errors import DataError, FormatError
from ..text import corpus_files
from . import _encoded
from ._encoded import Encoded, Spill
from ._scan_table import ScanTable
from ._shards import lines_before, shares, skip_to

BLOCK = 1 << 25  # bytes read at a time (32 MiB)
_FIRST_SEEN_BLOCK = 1 << 24  # ids looked at a time when finding first occurrences


def scan(path: Any, split_only: bool = False, part: tuple[int, int] = (0, 1)) -> Scanned:
    """Tokenise, count and encode the files of ``path`` in one pass of the kernels.

    ``part=(rank, ranks)`` scans one share of the corpus (see ``_shards.shares``).
    """
    table = ScanTable()
    files = corpus_files(path)
    number = {file: n for n, file in enumerate(files)}
    pieces = []  # (file number, first byte, ids before the piece): where each piece lies
    for file, begin, stop in shares(files, *part):
        first_line = int(table.sizes[3])
        try:
            with open_binary(file) as handle:
                skip_to(handle, begin)
                start = handle.tell()
                if 0 <= stop <= start:
                    continue  # no line starts in the piece: the one before it took them
                pieces.append((number[file], begin, int(table.sizes[2])))

                def line_base(file: Path = file, start: int = start, first_line: int = first_line) -> int:
                    return first_line - lines_before(file, start)

                carry = b""
                left = stop - handle.tell() if stop >= 0 else -1
                while left != 0:
                    chunk = handle.read(BLOCK if left < 0 else min(BLOCK, left))
                    if not chunk:
                        break
                    left = left - len(chunk) if left > 0 else left
                    block = carry + chunk
                    if left == 0 and not block.endswith(b"\n"):
                        block += handle.readline()  # the last line that starts in the share
                    cut = block.rfind(b"\n") + 1  # whole lines only; the rest waits
                    carry = block[cut:]
                    if cut:
                        table.feed_parallel(block[:cut], split_only, file, line_base)
                if carry:
                    table.feed_parallel(carry, split_only, file, line_base)
        except (OSError, EOFError) as exc:
            raise FormatError(f"cannot be read: {exc}", file) from None
    return Scanned(table, pieces)


class Scanned:
    """A corpus scanned by the kernels: words in order of first appearance, their counts, and
    the corpus as a stream of those provisional ids with the end of every line."""

    def __init__(self, table: ScanTable, pieces: list[tuple[int, int, int]] | None = None) -> None:
        words, used, n_ids, lines = (int(v) for v in table.sizes)
        self._pieces = np.array(pieces or [(0, 0, 0)], dtype=np.int64).reshape(-1, 3)
        self.counts = table.counts[:words]
        self._arena = table.arena[:used].tobytes()
        self._starts = table.starts[:words]
        self._lengths = table.lengths[:words]
        self.ids = table.ids[:n_ids]
        self.line_ends = table.line_ends[:lines]
        self._chosen: tuple[list[str], np.ndarray] | None = None

    def word_counts(self) -> tuple[list[str], np.ndarray]:
        """Every word in order of first appearance, and its count."""
        return [self.word(i) for i in range(len(self.counts))], self.counts.copy()

    def first_seen(self) -> np.ndarray:
        """Where each word (in the order of :meth:`word_counts`) first occurs: rows of (file
        number, first byte of the piece of the file that holds it, tokens into that piece).

        Rows compare, in lexicographic order, as the places in the whole corpus do: ranks that
        read stripes of the corpus merge their vocabularies into the one-process order with them.
        """
        first = np.empty(len(self.counts), dtype=np.int64)
        found = 0  # provisional ids are numbered in order of first appearance
        for start in range(0, len(self.ids), _FIRST_SEEN_BLOCK):
            block = self.ids[start:start + _FIRST_SEEN_BLOCK]
            highest = np.maximum.accumulate(block)
            new = np.arange(found, int(highest[-1]) + 1)
            first[found:found + len(new)] = start + np.searchsorted(highest, new)
            found += len(new)
        piece = np.searchsorted(self._pieces[:, 2], first, side="right") - 1
        return np.column_stack([self._pieces[piece, 0], self._pieces[piece, 1],
                                first - self._pieces[piece, 2]])

    def word(self, i: int) -> str:
        start = int(self._starts[i])
        return self._arena[start:start + int(self._lengths[i])].decode("utf-8")

    def vocabulary(self, min_count: int, max_vocab_size: int | None, owner: str) -> tuple[list[str], np.ndarray]:
        """Words with at least ``min_count`` occurrences, most frequent first (ties: first seen),
        exactly as ``_streamed.select_vocab`` ranks them."""
        if len(self.counts) == 0:
            raise DataError(f"{owner}: the corpus is empty (no tokens at all)")
        order = np.argsort(-self.counts, kind="stable")  # stable: ties keep first-seen order
        chosen = order[self.counts[order] >= min_count][:max_vocab_size]
        if len(chosen) == 0:
            raise DataError(
                f"{owner}: no word occurs min_count={min_count} times (the most frequent occurs "
                f"{int(self.counts.max())} times); lower min_count or give a larger corpus"
            )
        words = [self.word(int(i)) for i in chosen]
        self._chosen = (words, chosen)
        return words, self.counts[chosen].astype(np.int64)

    def encode(self, index: dict[str, int]) -> Encoded:
        """The corpus as ids of ``index``, unknown words dropped, long lines cut (as
        ``_streamed.encode`` does)."""
        lookup = np.full(len(self.counts), -1, dtype=np.int32)
        if (self._chosen is not None and list(index) == self._chosen[0]
                and list(index.values()) == list(range(len(index)))):
            lookup[self._chosen[1]] = np.arange(len(self._chosen[1]), dtype=np.int32)
        else:
            for i in range(len(self.counts)):
                lookup[i] = index.get(self.word(i), -1)
        mapped = lookup[self.ids]
        known = mapped >= 0
        kept = mapped[known]
        before = np.concatenate([[0], np.cumsum(known, dtype=np.int64)])
        ends = cut_long(before[self.line_ends])
        bounds = np.unique(np.concatenate([[0], ends]))  # empty lines vanish here
        spill = None
        if len(kept) >= _encoded.SPILL_IDS:
            spill = Spill()
            kept.tofile(spill.path)
            kept = spill.mapped(len(kept))
        return Encoded(kept, bounds.astype(np.int64), len(self.ids), spill.folder if spill else None)


def cut_long(ends: np.ndarray) -> np.ndarray:
    """Line ends plus the cuts every ``MAX_SENTENCE`` words inside longer lines."""
    longest = _encoded.MAX_SENTENCE
    starts = np.concatenate([[0], ends[:-1]])
    long = np.flatnonzero(ends - starts > longest)
    if len(long) == 0:
        return ends
    cuts = [np.arange(starts[i] + longest, ends[i], longest) for i in long]
    return np.sort(np.concatenate([ends, *cuts]))
