"""Intrinsic evaluation: word-pair similarity and analogies, as the papers (and gensim) score them.

Both are pure functions of (vectors, data): they never change the vectors. Their rules follow
gensim's ``evaluate_word_pairs`` / ``evaluate_word_analogies`` so that the figures are the
same, digit for digit:

* only the first ``restrict_vocab`` keys count as known (vectors are usually sorted by
  frequency, so these are the most frequent words);
* with ``case_insensitive`` keys and questions are compared upper-cased, and when several
  spellings of a key fold together the earliest (most frequent) one gives the vector;
* a pair or question with an unknown word is skipped and counted (``oov``, ``oov_ratio`` in
  percent of all of them);
* an analogy ``a : b :: c : ?`` is answered by the best-scoring key among the
  ``restrict_vocab`` first, leaving out the three question words (also their other
  spellings, when case folds); 3CosAdd ranks by cosine with the unit mean of ``b``, ``c`` and
  ``-a``, 3CosMul (Levy and Goldberg 2014) by ``cos'(x,b) cos'(x,c) / (cos'(x,a) + 1e-6)``
  with cosines shifted to [0, 1];
* the total accuracy counts every answered question once, across sections.

The arithmetic copies gensim's order of operations too (norms in float64 by a long-double sum,
float32 dot products, scipy's formulas for Pearson and Spearman), so even the last digits agree
on the same vectors.
"""

from ._intrinsic import (
    TOTAL,
    AnalogyScores,
    Method,
    PairScores,
    analogies,
    pearson,
    read_analogies,
    read_word_pairs,
    spearman,
    word_pairs,
)
from .report import Report, report

__all__ = [
    "TOTAL",
    "AnalogyScores",
    "Method",
    "PairScores",
    "Report",
    "analogies",
    "pearson",
    "read_analogies",
    "read_word_pairs",
    "report",
    "spearman",
    "word_pairs",
]
