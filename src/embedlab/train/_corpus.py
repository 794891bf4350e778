"""Turn a corpus into what the kernels eat: a vocabulary and one flat int32 id array.

:func:`prepare` picks the way. A corpus of files read with the default tokenizer or
``whitespace_tokenize`` (a path, or a :class:`Corpus` over one) is scanned once by the C kernels
of ``_corpus_kernels`` straight from its bytes (``_scan``): tokens, counts and a provisional id
stream in one pass, then the vocabulary and the final ids by array operations. Any other corpus
(a custom tokenizer, an iterable of token lists) is read twice in Python (``_streamed``): once
to count words, once to encode them. Both give the same vocabulary and ids (``_encoded``).
Words outside the vocabulary are dropped before windows are formed (as word2vec and gensim
do). Sentences longer than ``MAX_SENTENCE`` words are split into pieces so that kernel buffers
stay bounded. Large corpora are encoded into a memory-mapped temporary file rather than held
in memory.

The modules of corpus preparation:

- ``_unicode_tables``: the scanner's two tables of the BMP, from Python's own ``str.lower``,
  ``\\w`` and ``\\s``;
- ``_corpus_kernels.c`` (and its twin ``_corpus_reference.py``): the scanner;
- ``_scan_table``: the scanner's state, grown as it fills, one table per thread;
- ``_shards``: which bytes each rank reads;
- ``_scan``: files to a :class:`Scanned` corpus; ``_streamed``: anything to a
  :class:`Streamed` one; ``_encoded``: what both give the trainers.
"""

from __future__ import annotations

import codecs
import os

from ..text import Corpus, tokenize, whitespace_tokenize
from ._encoded import MAX_SENTENCE, SPILL_IDS, Encoded, split_jobs
from ._scan import Scanned, scan
from ._streamed import CorpusLike, Streamed, count_words, encode, merge_counts, select_vocab
from ._streamed import TokenLists as _TokenLists

__all__ = [
    "MAX_SENTENCE", "SPILL_IDS", "CorpusLike", "Encoded", "Scanned", "Streamed", "_TokenLists",
    "count_words", "encode", "merge_counts", "prepare", "scan", "select_vocab", "split_jobs",
]


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
