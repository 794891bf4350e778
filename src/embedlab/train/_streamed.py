"""The Python way of reading a corpus: any tokenizer, or an iterable of token lists, read twice
(once to count words, once to encode them). The scanner (``_scan``) gives the same vocabulary
and ids for files it can tokenise itself."""

from __future__ import annotations

import os
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from ..errors import DataError
from ..text import Corpus
from . import _encoded
from ._encoded import Encoded, Spill

CorpusLike = Any  # Corpus | path | iterable of token lists


class TokenLists:
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
    spill: Spill | None = None
    handle = None
    get = index.get
    longest = _encoded.MAX_SENTENCE
    for tokens in token_lists:
        raw += len(tokens)
        sentence = [i for i in map(get, tokens) if i is not None]
        for start in range(0, len(sentence), longest):
            ids.extend(sentence[start : start + longest])
            bounds.append(written + len(ids))
        if len(ids) >= _encoded.SPILL_IDS:
            if spill is None:
                spill = Spill()
                handle = open(spill.path, "wb")  # noqa: SIM115 - closed below, after the loop
            assert handle is not None  # noqa: S101 - opened with the spill
            handle.write(ids.tobytes())
            written += len(ids)
            ids = array("i")
    if spill is None:
        flat = np.frombuffer(ids, dtype=np.int32) if len(ids) else np.zeros(0, np.int32)
    else:
        assert handle is not None  # noqa: S101
        handle.write(ids.tobytes())
        written += len(ids)
        handle.close()
        flat = spill.mapped(written)
    bound_array = np.frombuffer(bounds, dtype=np.int64).copy()
    # Drop empty sentences (every word unknown) so that jobs never see them.
    keep = np.concatenate([[True], np.diff(bound_array) > 0])
    return Encoded(flat, bound_array[keep], raw, spill.folder if spill else None)


class Streamed:
    """A corpus read in Python (any tokenizer, or token lists): counted, then encoded."""

    def __init__(self, source: CorpusLike, part: tuple[int, int] = (0, 1)) -> None:
        self.token_lists: Iterable[list[str]] = TokenLists(source)
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


def merge_counts(shares: list[tuple[list[str], np.ndarray]],
                 first_seen: list[np.ndarray] | None = None) -> Counter[str]:
    """The word counts of the whole corpus from each share's, in first-seen order.

    With ``first_seen`` (each share's :meth:`Scanned.first_seen`, rows comparable across shares),
    a word's place is its earliest row over the shares: the one-process order, so that ties in
    the vocabulary rank as in one process. Without it, the shares' orders end to end, in rank
    order (the one-process order when the shares are slices of the corpus in order).
    """
    counts: Counter[str] = Counter()
    if first_seen is None:
        for words, share_counts in shares:
            for word, count in zip(words, share_counts.tolist(), strict=True):
                counts[word] += count
        return counts
    earliest: dict[str, tuple[int, ...]] = {}
    for (words, share_counts), places in zip(shares, first_seen, strict=True):
        for word, count, place in zip(words, share_counts.tolist(), map(tuple, places.tolist()), strict=True):
            counts[word] += count
            if word not in earliest or place < earliest[word]:
                earliest[word] = place
    return Counter({word: counts[word] for word in sorted(earliest, key=earliest.__getitem__)})
