"""Turn a corpus into what the kernels eat: a vocabulary and one flat int32 id array.

:func:`prepare` picks the way. A corpus of files read with the default tokenizer or
``whitespace_tokenize`` (a path, or a :class:`Corpus` over one) is scanned once by the kernels
of ``_corpus_kernels`` straight from its bytes: tokens, counts and a provisional id stream in
one pass, then the vocabulary and the final ids by array operations (:class:`Scanned`). Any
other corpus (a custom tokenizer, an iterable of token lists) is read twice in Python: once to
count words, once to encode them (:class:`Streamed`). Both give the same vocabulary and ids. Words outside
the vocabulary are dropped before windows are formed (as word2vec and gensim do). Sentences
longer than ``MAX_SENTENCE`` words are split into pieces so that kernel buffers stay bounded.
Large corpora are encoded into a memory-mapped temporary file rather than held in memory.
"""

from __future__ import annotations

import codecs
import functools
import os
import re
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._io import open_binary
from .._threads import run_all, workers
from ..errors import DataError, FormatError
from ..text import Corpus, corpus_files, decode_line, tokenize, whitespace_tokenize

MAX_SENTENCE = 10_000
# Past this many ids the encoded corpus spills to a temporary file (64M ids = 256 MB).
SPILL_IDS = 1 << 26

CorpusLike = Any  # Corpus | path | iterable of token lists


class _TokenLists:
    """A re-iterable view of ``source`` that yields lists of string tokens."""

    def __init__(self, source: CorpusLike) -> None:
        if isinstance(source, Corpus):
            self._source: Iterable[Any] = source
        elif isinstance(source, str | os.PathLike):
            self._source = Corpus(source)
        elif isinstance(source, Iterable):
            # A one-shot iterator (a generator) cannot be read twice: keep its items.
            self._source = list(source) if iter(source) is source else source
        else:
            raise DataError(
                "the corpus must be an embedlab Corpus, a path, or an iterable of token lists; "
                f"got {type(source).__name__}"
            )

    def __iter__(self) -> Iterator[list[str]]:
        for item in self._source:
            if isinstance(item, str):
                raise DataError(
                    "the corpus yielded a string, not a token list: pass embedlab.Corpus(texts) "
                    "to tokenise raw text"
                )
            yield list(item)


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


def count_words(token_lists: Iterable[list[str]]) -> tuple[Counter[str], int, int]:
    """Word counts, the number of words and the number of sentences."""
    counts: Counter[str] = Counter()
    words = sentences = 0
    for tokens in token_lists:
        counts.update(tokens)
        words += len(tokens)
        sentences += 1
    return counts, words, sentences


def select_vocab(
    counts: Counter[str], min_count: int, max_vocab_size: int | None, owner: str
) -> tuple[list[str], np.ndarray]:
    """Words with at least ``min_count`` occurrences, most frequent first (ties: first seen)."""
    if not counts:
        raise DataError(f"{owner}: the corpus is empty (no tokens at all)")
    ranked = [(w, n) for w, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n >= min_count]
    if max_vocab_size is not None:
        ranked = ranked[:max_vocab_size]
    if not ranked:
        top = max(counts.values())
        raise DataError(
            f"{owner}: no word occurs min_count={min_count} times (the most frequent occurs "
            f"{top} times); lower min_count or give a larger corpus"
        )
    return [w for w, _ in ranked], np.asarray([n for _, n in ranked], dtype=np.int64)


def encode(token_lists: Iterable[list[str]], index: dict[str, int]) -> Encoded:
    """Encode every sentence to ids, dropping unknown words; spill to disk when large."""
    ids = array("i")
    bounds = array("q", [0])
    raw = 0
    written = 0
    tmpdir = None
    spill = None
    spill_path = ""
    get = index.get
    for tokens in token_lists:
        raw += len(tokens)
        sentence = [i for i in map(get, tokens) if i is not None]
        for start in range(0, len(sentence), MAX_SENTENCE):
            ids.extend(sentence[start : start + MAX_SENTENCE])
            bounds.append(written + len(ids))
        if len(ids) >= SPILL_IDS:
            if spill is None:
                tmpdir = tempfile.TemporaryDirectory(prefix="embedlab-corpus-")
                spill_path = os.path.join(tmpdir.name, "ids.i32")
                spill = open(spill_path, "wb")  # noqa: SIM115
            spill.write(ids.tobytes())
            written += len(ids)
            ids = array("i")
    if spill is None:
        flat = np.frombuffer(ids, dtype=np.int32) if len(ids) else np.zeros(0, np.int32)
    else:
        spill.write(ids.tobytes())
        written += len(ids)
        spill.close()
        flat = np.memmap(spill_path, dtype=np.int32, mode="r", shape=(written,))
    bound_array = np.frombuffer(bounds, dtype=np.int64).copy()
    # Drop empty sentences (every word unknown) so that jobs never see them.
    keep = np.concatenate([[True], np.diff(bound_array) > 0])
    return Encoded(flat, bound_array[keep], raw, tmpdir)


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


# ---------------------------------------------------------------------- one pass over bytes
_DONE, _ROOM, _HARD = 0, 1, 2  # the kernels' statuses
_OTHER, _ALNUM, _APOSTROPHE, _SPACE, _CONTEXT = 0, 1, 2, 3, 4  # the kernels' classes
_BLOCK = 1 << 25  # bytes read at a time (32 MiB)
_MIN_PIECE = 1 << 20  # the least text worth a thread of its own


@functools.lru_cache(maxsize=1)
def unicode_tables() -> tuple[np.ndarray, np.ndarray]:
    r"""``lower[c]`` and ``kinds[c]`` of every code point ``c`` of the Basic Multilingual Plane.

    Both come from Python itself, so the kernels cut words exactly as :func:`tokenize` does:
    ``lower`` is ``str.lower`` (one code point to one, for all but two), ``kinds`` says
    whether the lower-cased code point is a letter or digit (the regular expression's
    ``[^\W_]``), an apostrophe, white space (``str.split``'s), or one whose lower case depends
    on its neighbours or is two code points long (capital sigma, dotted capital I), which the
    kernels leave to Python.
    """
    codes = np.arange(0x10000, dtype=np.uint32)
    codes[0xD800:0xE000] = 0x20  # surrogates never come out of a UTF-8 decoder
    codes[[0x130, 0x3A3]] = 0x20  # lowered by context or to two code points
    text = codes.astype("<u4").tobytes().decode("utf-32-le")
    lowered = text.lower()
    lower = np.frombuffer(lowered.encode("utf-32-le"), dtype="<u4").astype(np.int32)
    alnum = np.frombuffer(re.sub(r"[^\W_]", "\x00", lowered).encode("utf-32-le"), dtype="<u4") == 0
    space = np.frombuffer(re.sub(r"\s", "\x00", text).encode("utf-32-le"), dtype="<u4") == 0
    kinds = np.full(0x10000, _OTHER, dtype=np.uint8)
    kinds[alnum] = _ALNUM
    kinds[space] = _SPACE
    kinds[0] = _OTHER  # NUL itself (lines holding one go to Python, which refuses them)
    kinds[[0x27, 0x2019]] = _APOSTROPHE
    kinds[[0x130, 0x3A3]] = _CONTEXT
    lower[[0x130, 0x3A3]] = [0x130, 0x3A3]
    return lower, kinds


class _Table:
    """The kernels' state: a hash table of words, their counts, the id stream, line ends."""

    def __init__(self) -> None:
        words = 1 << 14
        self.slots = np.full(2 * words, -1, dtype=np.int32)
        self.hashes = np.zeros(words, dtype=np.uint64)
        self.starts = np.zeros(words, dtype=np.int64)
        self.lengths = np.zeros(words, dtype=np.int32)
        self.counts = np.zeros(words, dtype=np.int64)
        self.arena = np.zeros(1 << 18, dtype=np.uint8)
        self.sizes = np.zeros(4, dtype=np.int64)  # words, arena bytes, ids, lines
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
            from . import _corpus_kernels

            _corpus_kernels.rehash(self.slots, self.hashes, words)
        if used + 2 * need > len(self.arena):
            self.arena = _grown(self.arena, max(2 * len(self.arena), used + 2 * need))
        if n_ids + need > len(self.ids):
            self.ids = _grown(self.ids, max(2 * len(self.ids), n_ids + need))
        if lines + 1 > len(self.line_ends):
            self.line_ends = _grown(self.line_ends, 2 * len(self.line_ends))

    def absorb(self, other: _Table) -> None:
        """Append ``other`` (the table of the text that follows this one's) to this table."""
        from . import _corpus_kernels

        words, used, n_ids, lines = (int(v) for v in other.sizes)
        mapping = np.zeros(words, dtype=np.int32)
        while _corpus_kernels.absorb(
                other.hashes, other.starts, other.lengths, other.counts, other.arena[:used], words,
                self.slots, self.hashes, self.starts, self.lengths, self.counts, self.arena,
                self.sizes, mapping) == _ROOM:
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
        pieces = min(workers(), max(1, len(block) // _MIN_PIECE))
        cuts = [0]
        for k in range(1, pieces):
            cut = block.find(b"\n", max(len(block) * k // pieces, cuts[-1])) + 1
            if cut > 0:
                cuts.append(cut)
        cuts.append(len(block))
        if len(cuts) <= 2:
            self.feed(block, split_only, path, line_base)
            return
        tables = [self] + [_Table() for _ in cuts[2:]]
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
        from . import _corpus_kernels

        lower, kinds = unicode_tables()
        data = np.frombuffer(block, dtype=np.uint8)
        end = len(data)
        p = 0
        while p < end:
            status, p = _corpus_kernels.scan_lines(data, p, end, lower, kinds, split_only,
                                                   *self.state())
            if status == _DONE:
                break
            newline = block.find(b"\n", p, end)
            line_end = end if newline < 0 else newline
            if status == _ROOM:
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
            while _corpus_kernels.intern_tokens(token_bytes, token_ends, *self.state()) == _ROOM:
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


def scan(path: Any, split_only: bool = False, part: tuple[int, int] = (0, 1)) -> Scanned:
    """Tokenise, count and encode the files of ``path`` in one pass of the kernels.

    ``part=(rank, ranks)`` scans one share of the corpus: the lines that start in the rank's
    slice of the bytes of all files end to end (compressed files, whose sizes say nothing of
    their lines, go whole to rank ``file number % ranks``). The shares, in rank order, are the
    corpus in order.
    """
    table = _Table()
    for file, begin, stop in _shares(corpus_files(path), *part):
        first_line = int(table.sizes[3])
        try:
            with open_binary(file) as handle:
                _skip_to(handle, begin)
                start = handle.tell()

                def line_base(file: Path = file, start: int = start, first_line: int = first_line) -> int:
                    return first_line - _lines_before(file, start)

                carry = b""
                left = stop - handle.tell() if stop >= 0 else -1
                while left != 0:
                    chunk = handle.read(_BLOCK if left < 0 else min(_BLOCK, left))
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
    return Scanned(table)


def _shares(files: list[Path], rank: int, ranks: int) -> list[tuple[Path, int, int]]:
    """``(file, first byte, end byte or -1 for the end)`` of what rank ``rank`` reads."""
    if ranks == 1:
        return [(f, 0, -1) for f in files]
    plain = [not _compressed(f) for f in files]
    sizes = [f.stat().st_size if p else 0 for f, p in zip(files, plain, strict=True)]
    total = sum(sizes)
    lo, hi = total * rank // ranks, total * (rank + 1) // ranks
    shares = []
    base = 0
    for number, (file, is_plain, size) in enumerate(zip(files, plain, sizes, strict=True)):
        if not is_plain:
            if number % ranks == rank:
                shares.append((file, 0, -1))
            continue
        begin, stop = max(lo - base, 0), min(hi - base, size)
        if begin < stop:
            shares.append((file, begin, stop))
        base += size
    return shares


def _compressed(path: Path) -> bool:
    with open(path, "rb") as handle:
        head = handle.read(6)
    return head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ"))


def _skip_to(handle: Any, begin: int) -> None:
    """Move to the first line starting at byte ``begin`` or later."""
    if begin:
        handle.seek(begin - 1)
        handle.readline()  # the rest of a line that started before the share


def _lines_before(file: Path, position: int) -> int:
    """How many lines of ``file`` end before byte ``position`` (for an error's line number)."""
    with open(file, "rb") as handle:
        return sum(handle.read(min(_BLOCK, position - done)).count(b"\n")
                   for done in range(0, position, _BLOCK))


class Scanned:
    """A corpus scanned by the kernels: words in order of first appearance, their counts, and
    the corpus as a stream of those provisional ids with the end of every line."""

    def __init__(self, table: _Table) -> None:
        words, used, n_ids, lines = (int(v) for v in table.sizes)
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

    def word(self, i: int) -> str:
        start = int(self._starts[i])
        return self._arena[start:start + int(self._lengths[i])].decode("utf-8")

    def vocabulary(self, min_count: int, max_vocab_size: int | None, owner: str) -> tuple[list[str], np.ndarray]:
        """Words with at least ``min_count`` occurrences, most frequent first (ties: first seen),
        exactly as :func:`select_vocab` ranks them."""
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
        """The corpus as ids of ``index``, unknown words dropped, long lines cut (see
        :func:`encode`)."""
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
        ends = before[self.line_ends]
        ends = _cut_long(ends)
        bounds = np.unique(np.concatenate([[0], ends]))  # empty lines vanish here
        tmpdir = None
        if len(kept) >= SPILL_IDS:
            tmpdir = tempfile.TemporaryDirectory(prefix="embedlab-corpus-")
            spill_path = os.path.join(tmpdir.name, "ids.i32")
            kept.tofile(spill_path)
            kept = np.memmap(spill_path, dtype=np.int32, mode="r", shape=(len(kept),))
        return Encoded(kept, bounds.astype(np.int64), len(self.ids), tmpdir)


def _cut_long(ends: np.ndarray) -> np.ndarray:
    """Line ends plus the cuts every ``MAX_SENTENCE`` words inside longer lines."""
    starts = np.concatenate([[0], ends[:-1]])
    long = np.flatnonzero(ends - starts > MAX_SENTENCE)
    if len(long) == 0:
        return ends
    cuts = [np.arange(starts[i] + MAX_SENTENCE, ends[i], MAX_SENTENCE) for i in long]
    return np.sort(np.concatenate([ends, *cuts]))


class Streamed:
    """A corpus read in Python (any tokenizer, or token lists): counted, then encoded."""

    def __init__(self, source: CorpusLike, part: tuple[int, int] = (0, 1)) -> None:
        self.token_lists: Iterable[list[str]] = _TokenLists(source)
        if part[1] > 1:
            self.token_lists = _EveryNth(self.token_lists, *part)

    def word_counts(self) -> tuple[list[str], np.ndarray]:
        """Every word in order of first appearance, and its count."""
        counts, _, _ = count_words(self.token_lists)
        return list(counts), np.fromiter(counts.values(), dtype=np.int64, count=len(counts))

    def vocabulary(self, min_count: int, max_vocab_size: int | None, owner: str) -> tuple[list[str], np.ndarray]:
        counts, _, _ = count_words(self.token_lists)
        return select_vocab(counts, min_count, max_vocab_size, owner)

    def encode(self, index: dict[str, int]) -> Encoded:
        return encode(self.token_lists, index)


class _EveryNth:
    """Sentences ``rank``, ``rank + ranks``, ... of a re-iterable corpus: one rank's share."""

    def __init__(self, token_lists: Iterable[list[str]], rank: int, ranks: int) -> None:
        self._token_lists, self._rank, self._ranks = token_lists, rank, ranks

    def __iter__(self) -> Iterator[list[str]]:
        for number, tokens in enumerate(self._token_lists):
            if number % self._ranks == self._rank:
                yield tokens


def merge_counts(shares: list[tuple[list[str], np.ndarray]]) -> Counter[str]:
    """The word counts of the whole corpus from each share's, in rank order: the first-seen
    order of the shares end to end (ties in the vocabulary rank as in one process)."""
    counts: Counter[str] = Counter()
    for words, share_counts in shares:
        for word, count in zip(words, share_counts.tolist(), strict=True):
            counts[word] += count
    return counts


def prepare(source: CorpusLike, part: tuple[int, int] = (0, 1)) -> Scanned | Streamed:
    """The fastest way to read ``source`` (or its share ``part=(rank, ranks)``) that gives the
    same tokens: see the module's text."""
    if getattr(source, "rank_share", False):
        part = (0, 1)  # already this rank's share (node2vec's walks): read it all
    if isinstance(source, str | os.PathLike):
        source = Corpus(source)
    if (isinstance(source, Corpus) and isinstance(source.source, str | os.PathLike)
            and source.tokenizer in (tokenize, whitespace_tokenize)
            and codecs.lookup(source.encoding).name == "utf-8"):
        return scan(source.source, split_only=source.tokenizer is whitespace_tokenize, part=part)
    return Streamed(source, part)
