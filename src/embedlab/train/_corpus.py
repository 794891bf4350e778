"""Turn a corpus into what the kernels eat: a vocabulary and one flat int32 id array.

A corpus is read twice per ``fit``: once to count words, once to encode them. Words outside
the vocabulary are dropped before windows are formed (as word2vec and gensim do). Sentences
longer than ``MAX_SENTENCE`` words are split into pieces so that kernel buffers stay bounded.
Large corpora are encoded into a memory-mapped temporary file rather than held in memory.
"""

from __future__ import annotations

import os
import tempfile
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import DataError
from ..text import Corpus

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
