"""Intrinsic evaluation: word-pair similarity and analogies, as the papers (and gensim) score them.

Both are pure functions of (vectors, data): they never change the vectors. Their rules follow
gensim's ``evaluate_word_pairs`` / ``evaluate_word_analogies`` so that figures agree exactly:
only the ``restrict_vocab`` most frequent keys count as known; with ``case_insensitive`` keys
and questions are upper-cased and the most frequent spelling wins; questions with an unknown
word are skipped and counted; an analogy's answer is the best-scoring key that is not one of
its three question words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ._topk import topk_rows
from .errors import DataError, check_param
from .vectors import Vectors

Method = Literal["3cosadd", "3cosmul"]


@dataclass(frozen=True)
class PairScores:
    """Correlation of model similarities with human judgements."""

    pearson: float
    spearman: float
    pairs: int
    oov: int

    @property
    def oov_ratio(self) -> float:
        """Percentage of pairs skipped because a word was unknown."""
        total = self.pairs + self.oov
        return 100.0 * self.oov / total if total else 0.0


@dataclass
class AnalogyScores:
    """Accuracy per section and in total; questions with unknown words are skipped."""

    sections: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (correct, asked)
    oov: int = 0

    @property
    def correct(self) -> int:
        return sum(c for c, _ in self.sections.values())

    @property
    def asked(self) -> int:
        return sum(n for _, n in self.sections.values())

    @property
    def accuracy(self) -> float:
        return self.correct / self.asked if self.asked else 0.0

    def section_accuracy(self, name: str) -> float:
        correct, asked = self.sections[name]
        return correct / asked if asked else 0.0

    @property
    def oov_ratio(self) -> float:
        total = self.asked + self.oov
        return 100.0 * self.oov / total if total else 0.0


def _known(vectors: Vectors, restrict_vocab: int, case_insensitive: bool) -> dict[str, int]:
    """Rows of the ``restrict_vocab`` first keys; when folding case the earliest spelling wins."""
    keys = vectors.keys[:restrict_vocab]
    if not case_insensitive:
        return dict(zip(keys, range(len(keys)), strict=True))
    known: dict[str, int] = {}
    for row, key in enumerate(keys):
        known.setdefault(key.upper(), row)
    return known


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks from 1, ties sharing their average rank (as Spearman's rho needs)."""
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values), dtype=np.float64)
    sorted_values = values[order]
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and sorted_values[j + 1] == sorted_values[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return ranks


def pearson(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """Pearson's correlation coefficient."""
    a = np.asarray(x, dtype=np.float64) - np.mean(x)
    b = np.asarray(y, dtype=np.float64) - np.mean(y)
    denominator = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / denominator) if denominator else float("nan")


def spearman(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """Spearman's rank correlation (Pearson on average ranks)."""
    return pearson(_ranks(np.asarray(x, dtype=np.float64)), _ranks(np.asarray(y, dtype=np.float64)))


def word_pairs(
    vectors: Vectors,
    pairs: Iterable[tuple[str, str, float]],
    restrict_vocab: int = 300_000,
    case_insensitive: bool = True,
) -> PairScores:
    """Correlate cosine similarities with human scores (WordSim-353, SimLex-999 ...)."""
    check_param(isinstance(restrict_vocab, int) and restrict_vocab >= 1, "restrict_vocab", "word_pairs", "an int >= 1", restrict_vocab)
    known = _known(vectors, restrict_vocab, case_insensitive)
    unit = vectors.unit
    gold: list[float] = []
    model: list[float] = []
    oov = 0
    for a, b, score in pairs:
        if case_insensitive:
            a, b = a.upper(), b.upper()
        if a not in known or b not in known:
            oov += 1
            continue
        gold.append(float(score))
        model.append(float(np.dot(unit[known[a]], unit[known[b]])))
    if not gold:
        raise DataError("no pair has both words in the vocabulary: nothing to correlate")
    return PairScores(pearson(gold, model), spearman(gold, model), len(gold), oov)


def analogies(
    vectors: Vectors,
    questions: Mapping[str, Sequence[tuple[str, str, str, str]]],
    restrict_vocab: int = 300_000,
    case_insensitive: bool = True,
    method: Method = "3cosadd",
    batch_size: int = 256,
) -> AnalogyScores:
    """Answer "a is to b as c is to ?" for every question; accuracy per section and in total.

    ``questions`` maps a section name to ``(a, b, c, expected)`` tuples (as
    ``datasets.load("google-analogy")`` gives). ``method`` is 3CosAdd (``b - a + c``) or
    3CosMul (Levy and Goldberg 2014).
    """
    check_param(method in ("3cosadd", "3cosmul"), "method", "analogies", "'3cosadd' or '3cosmul'", method)
    check_param(isinstance(restrict_vocab, int) and restrict_vocab >= 1, "restrict_vocab", "analogies", "an int >= 1", restrict_vocab)
    known = _known(vectors, restrict_vocab, case_insensitive)
    candidates = np.asarray(vectors.matrix[:restrict_vocab], dtype=np.float32)
    norms = np.linalg.norm(candidates, axis=1)
    norms[norms == 0] = 1.0
    unit = candidates / norms[:, None]
    upper_keys = [k.upper() if case_insensitive else k for k in vectors.keys[:restrict_vocab]]
    scores = AnalogyScores()
    for section, items in questions.items():
        rows: list[tuple[int, int, int]] = []
        words: list[tuple[str, str, str, str]] = []
        for question in items:
            a, b, c, expected = (w.upper() for w in question) if case_insensitive else question
            if a in known and b in known and c in known and expected in known:
                rows.append((known[a], known[b], known[c]))
                words.append((a, b, c, expected))
            else:
                scores.oov += 1
        correct = 0
        for start in range(0, len(rows), batch_size):
            chunk = np.asarray(rows[start : start + batch_size])
            top = _answer(unit, norms, candidates, chunk, method)
            for (a, b, c, expected), row_best in zip(words[start : start + batch_size], top, strict=True):
                predicted = None
                for index in row_best:
                    predicted = upper_keys[index]
                    if predicted not in (a, b, c):
                        break
                correct += predicted == expected
        scores.sections[section] = (correct, len(rows))
    return scores


def _answer(
    unit: np.ndarray, norms: np.ndarray, candidates: np.ndarray, rows: np.ndarray, method: str
) -> np.ndarray:
    """The 5 best candidate rows per question, question words left out (as gensim's topn=5)."""
    a, b, c = rows[:, 0], rows[:, 1], rows[:, 2]
    if method == "3cosadd":
        # gensim's order of operations: mean of the unit vectors, then unit length.
        mean = (unit[b] + unit[c] + (-1.0 * unit[a]).astype(np.float32)) / 3
        mean /= np.linalg.norm(mean, axis=1, keepdims=True)
        sims = (mean @ candidates.T) / norms
    else:
        cos = [((1 + unit @ unit[i].T).T / 2) for i in (a, b, c)]
        sims = cos[1] * cos[2] / (cos[0] + 1e-6)
    sims[np.arange(len(rows))[:, None], rows] = -np.inf
    return topk_rows(sims, 5)[0]
