"""Word-pair similarity and analogies, scored as gensim scores them (see the package docstring)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Literal

import numpy as np

from .._io import PathLike, open_text
from .._progress import progress_bar
from ..errors import DataError, FormatError, InvalidParameterError, check_param
from ..neighbors.topk import TopK
from ..vectors import Vectors

Method = Literal["3cosadd", "3cosmul"]
TOTAL = "Total accuracy"


@dataclass(frozen=True)
class PairScores:
    """Correlation of model similarities with human judgements.

    ``pairs`` were scored, ``oov`` skipped because a word was unknown.
    """

    pearson: float
    spearman: float
    pairs: int
    oov: int

    @property
    def oov_ratio(self) -> float:
        """Percentage of pairs skipped because a word was unknown (gensim's ``oov_ratio``)."""
        total = self.pairs + self.oov
        return float(self.oov) / total * 100 if total else 0.0


@dataclass
class AnalogyScores:
    """Accuracy per section and in total; questions with unknown words are skipped.

    ``sections`` maps each section name, in file order, to ``(correct, asked)``.
    """

    sections: dict[str, tuple[int, int]] = field(default_factory=dict)
    oov: int = 0
    method: str = "3cosadd"

    @property
    def correct(self) -> int:
        """Correct answers, all sections together."""
        return sum(c for c, _ in self.sections.values())

    @property
    def asked(self) -> int:
        """Questions asked (all words known), all sections together."""
        return sum(n for _, n in self.sections.values())

    @property
    def accuracy(self) -> float:
        """Correct answers over questions asked, all sections together (gensim's score)."""
        return self.correct / self.asked if self.asked else 0.0

    def section_accuracy(self, name: str) -> float:
        """Correct answers over questions asked in one section.

        Args:
            name: The section name, as in the questions.

        Returns:
            The section's accuracy (0.0 when none of its questions was asked).
        """
        correct, asked = self.sections[name]
        return correct / asked if asked else 0.0

    @property
    def oov_ratio(self) -> float:
        """Percentage of questions skipped because a word was unknown."""
        total = self.asked + self.oov
        return float(self.oov) / total * 100 if total else 0.0

    def rows(self) -> list[tuple[str, int, int, float]]:
        """``(section, correct, asked, accuracy)`` per section, then the total.

        Returns:
            One row per section in file order, then ``("Total accuracy", ...)``.
        """
        table = [(name, c, n, c / n if n else 0.0) for name, (c, n) in self.sections.items()]
        return [*table, (TOTAL, self.correct, self.asked, self.accuracy)]


# ---------------------------------------------------------------------- shared rules
def _known(vectors: Vectors, restrict_vocab: int, case_insensitive: bool) -> dict[str, int]:
    """Rows of the ``restrict_vocab`` first keys; when folding case the earliest spelling wins."""
    keys = vectors.keys[:restrict_vocab]
    if not case_insensitive:
        return dict(zip(keys, range(len(keys)), strict=True))
    known: dict[str, int] = {}
    for row, key in enumerate(keys):
        known.setdefault(key.upper(), row)
    return known


def _check(restrict_vocab: int, owner: str) -> None:
    check_param(isinstance(restrict_vocab, int) and not isinstance(restrict_vocab, bool)
                and restrict_vocab >= 1, "restrict_vocab", owner, "an int >= 1", restrict_vocab)


def _exact_norms(rows: np.ndarray) -> np.ndarray:
    """Row lengths as gensim's ``unitvec`` gets them (BLAS dnrm2): float64 from a long sum."""
    wide = rows.astype(np.longdouble)
    norms: np.ndarray = np.sqrt((wide * wide).sum(axis=1)).astype(np.float64)
    return norms


def _unit_like_gensim(rows: np.ndarray) -> np.ndarray:
    """``matutils.unitvec`` for each row: float64 scaling by 1/length, back to the input type."""
    norms = _exact_norms(rows)
    scale = np.divide(1.0, norms, out=np.ones_like(norms), where=norms > 0)
    unit: np.ndarray = (rows.astype(np.float64) * scale[:, None]).astype(rows.dtype)
    return unit


# ---------------------------------------------------------------------- correlations
def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks from 1, ties sharing their average rank (as Spearman's rho needs)."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    # Run boundaries of equal values; each run gets the mean of its positions.
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], len(values)]
    mean_rank = (starts + ends - 1) / 2.0 + 1.0
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks


def pearson(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """Pearson's correlation coefficient, computed in the order scipy's ``pearsonr`` uses.

    Args:
        x: The first sequence of numbers.
        y: The second sequence, as long as ``x``.

    Returns:
        The coefficient in [-1, 1]; NaN when an input is constant.

    Raises:
        DataError: The sequences differ in length or hold fewer than two values.
    """
    a = np.asarray(x, dtype=np.float64)
    b = np.asarray(y, dtype=np.float64)
    if len(a) != len(b) or len(a) < 2:
        raise DataError(f"need two sequences of equal length >= 2; got {len(a)} and {len(b)}")
    am = a - a.mean()
    bm = b - b.mean()
    amax, bmax = np.abs(am).max(), np.abs(bm).max()
    if amax == 0 or bmax == 0:
        return float("nan")  # a constant input: the correlation is undefined
    norm_a = amax * _vector_norm(am / amax)
    norm_b = bmax * _vector_norm(bm / bmax)
    return float(np.clip(_vecdot(am / norm_a, bm / norm_b), -1.0, 1.0))


def spearman(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """Spearman's rank correlation: Pearson on average ranks (``np.corrcoef``, as scipy).

    Args:
        x: The first sequence of numbers.
        y: The second sequence, as long as ``x``.

    Returns:
        The coefficient in [-1, 1]; NaN when an input's ranks are all equal.

    Raises:
        DataError: The sequences differ in length or hold fewer than two values.
    """
    a = np.asarray(x, dtype=np.float64)
    b = np.asarray(y, dtype=np.float64)
    if len(a) != len(b) or len(a) < 2:
        raise DataError(f"need two sequences of equal length >= 2; got {len(a)} and {len(b)}")
    ranked = np.column_stack((_ranks(a), _ranks(b)))
    if (ranked[:, 0] == ranked[0, 0]).all() or (ranked[:, 1] == ranked[0, 1]).all():
        return float("nan")
    return float(np.corrcoef(ranked, rowvar=False)[1, 0])


def _vector_norm(values: np.ndarray) -> float:
    norm = getattr(np.linalg, "vector_norm", None)  # numpy >= 2, as scipy uses
    return float(norm(values) if norm else np.linalg.norm(values))


def _vecdot(a: np.ndarray, b: np.ndarray) -> float:
    vecdot = getattr(np, "vecdot", None)
    return float(vecdot(a, b) if vecdot else np.dot(a, b))


# ---------------------------------------------------------------------- file readers
def _lines(path: PathLike) -> Iterator[tuple[int, str]]:
    """Numbered lines of a text file (compressed or not); unreadable files are one clear error."""
    try:
        handle: IO[str] = open_text(path)
    except OSError as exc:
        raise DataError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    with handle:
        try:
            yield from enumerate(handle, start=1)
        except UnicodeDecodeError as exc:
            raise FormatError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path) from None


def read_word_pairs(path: PathLike) -> list[tuple[str, str, float]]:
    """Read ``word<TAB>word<TAB>score`` lines (WordSim-353, SimLex-999); ``#`` starts a comment.

    Args:
        path: The file (compressed or not).

    Returns:
        The ``(word, word, score)`` triples, in file order.

    Raises:
        FormatError: a line is not two words and a number, separated by tabs.
        DataError: the file cannot be read.
    """
    pairs = []
    for number, line in _lines(path):
        if line.startswith("#") or not line.strip():
            continue
        parts = line.rstrip("\r\n").split("\t")
        try:
            pairs.append((parts[0], parts[1], float(parts[2])))
        except (IndexError, ValueError):
            raise FormatError(
                f"expected 'word<TAB>word<TAB>score', found {line.strip()!r}", path, number
            ) from None
    return pairs


def read_analogies(path: PathLike) -> dict[str, list[tuple[str, str, str, str]]]:
    """Read the Google analogy format: ``: section`` lines, then ``a b c d`` questions.

    Args:
        path: The file (compressed or not).

    Returns:
        Each section name, in file order, mapped to its ``(a, b, c, d)`` questions.

    Raises:
        FormatError: a question is not four words, or comes before the first section.
        DataError: the file cannot be read.
    """
    sections: dict[str, list[tuple[str, str, str, str]]] = {}
    current: list[tuple[str, str, str, str]] | None = None
    for number, line in _lines(path):
        if line.startswith(":"):
            current = sections.setdefault(line[1:].strip(), [])
            continue
        words = line.split()
        if not words:
            continue
        if current is None or len(words) != 4:
            raise FormatError("expected ': section' or four words 'a b c d'", path, number)
        current.append((words[0], words[1], words[2], words[3]))
    return sections


def _is_path(value: object) -> bool:
    return isinstance(value, str | os.PathLike)


# ---------------------------------------------------------------------- word pairs
def word_pairs(
    vectors: Vectors,
    pairs: Iterable[tuple[str, str, float]] | PathLike,
    restrict_vocab: int = 300_000,
    case_insensitive: bool = True,
) -> PairScores:
    """Correlate cosine similarities with human scores (WordSim-353, SimLex-999 ...).

    ``pairs`` are ``(word, word, score)`` as ``datasets.load("wordsim353")`` gives, or the
    path of a file of them (read by :func:`read_word_pairs`), as gensim's
    ``evaluate_word_pairs`` takes.

    Args:
        vectors: The vectors to score.
        pairs: ``(word, word, score)`` triples, or the path of a file of them.
        restrict_vocab: How many of the first keys count as known (an int >= 1).
        case_insensitive: Compare words upper-cased (the earliest spelling of a key wins).

    Returns:
        The Pearson and Spearman correlations, with the pairs scored and skipped.

    Raises:
        InvalidParameterError: ``pairs`` is neither a path nor an iterable of pairs, or
            ``restrict_vocab`` is not an int >= 1.
        DataError: a pair is not ``(word, word, score)``, or no pair has both words known;
            or the file cannot be read.
        FormatError: a line of the file is not two words and a number.
    """
    _check(restrict_vocab, "word_pairs")
    if _is_path(pairs):
        pairs = read_word_pairs(pairs)  # type: ignore[arg-type]
    if not isinstance(pairs, Iterable) or isinstance(pairs, bytes | Mapping):
        raise InvalidParameterError(
            "The 'pairs' parameter of word_pairs must be a file path or an iterable of "
            f"(word, word, score). Got {pairs!r} instead."
        )
    known = _known(vectors, restrict_vocab, case_insensitive)
    gold: list[float] = []
    wanted: list[tuple[int, int]] = []
    oov = 0
    for a, b, score in _checked_pairs(pairs):
        if case_insensitive:
            a, b = a.upper(), b.upper()
        if a not in known or b not in known:
            oov += 1
            continue
        gold.append(float(score))
        wanted.append((known[a], known[b]))
    if not gold:
        raise DataError("no pair has both words in the vocabulary: nothing to correlate")
    rows = sorted({r for pair in wanted for r in pair})
    unit = dict(zip(rows, _unit_like_gensim(np.asarray(vectors.matrix[rows])), strict=True))
    # One float32 dot per pair, like gensim's similarity().
    model = [float(np.dot(unit[i], unit[j])) for i, j in wanted]
    return PairScores(pearson(gold, model), spearman(gold, model), len(gold), oov)


def _checked_pairs(pairs: Iterable[object]) -> Iterator[tuple[str, str, float]]:
    """Each pair as ``(word, word, score)``; anything else is one clear error naming it."""
    for number, pair in enumerate(pairs, start=1):
        fields: tuple[Any, ...] = (
            tuple(pair) if isinstance(pair, Iterable) and not isinstance(pair, str | bytes) else ()
        )
        try:
            if len(fields) != 3 or not isinstance(fields[0], str) or not isinstance(fields[1], str):
                raise TypeError
            score = float(fields[2])
        except (TypeError, ValueError):
            raise DataError(f"pair {number} is {pair!r}; expected (word, word, score)") from None
        yield fields[0], fields[1], score


# ---------------------------------------------------------------------- analogies
def analogies(
    vectors: Vectors,
    questions: Mapping[str, Sequence[tuple[str, str, str, str]]] | PathLike,
    restrict_vocab: int = 300_000,
    case_insensitive: bool = True,
    method: Method = "3cosadd",
    batch_size: int | None = None,
    progress: bool = True,
) -> AnalogyScores:
    """Answer "a is to b as c is to ?" for every question; accuracy per section and in total.

    ``questions`` maps a section name to ``(a, b, c, expected)`` tuples (as
    ``datasets.load("google-analogy")`` gives), or is the path of a file in the Google
    analogy format (read by :func:`read_analogies`), as gensim's ``evaluate_word_analogies``
    takes. ``method`` is 3CosAdd (``b - a + c``) or
    3CosMul. Questions are answered ``batch_size`` at a time with one matrix product each
    (default 1,024), candidates scanned in blocks so memory stays small; a progress bar shows
    on a terminal or in a notebook unless ``progress=False``.

    Args:
        vectors: The vectors to score.
        questions: Section names mapped to ``(a, b, c, expected)`` questions, or the path of
            a file in the Google analogy format.
        restrict_vocab: How many of the first keys count as known (an int >= 1).
        case_insensitive: Compare words upper-cased (the earliest spelling of a key wins).
        method: ``"3cosadd"`` or ``"3cosmul"``.
        batch_size: Questions answered per matrix product (``None``: 1,024).
        progress: Show a progress bar.

    Returns:
        The correct and asked counts per section, and the questions skipped.

    Raises:
        InvalidParameterError: ``questions`` is neither a path nor a mapping, or a parameter
            is out of range.
        DataError: a question is not four words, or the file cannot be read.
        FormatError: a line of the file is neither a section nor four words.
    """
    owner = "analogies"
    if _is_path(questions):
        questions = read_analogies(questions)  # type: ignore[arg-type]
    if not isinstance(questions, Mapping):
        raise InvalidParameterError(
            f"The 'questions' parameter of {owner} must be a file path or a mapping of section "
            f"to (a, b, c, expected) questions. Got {questions!r} instead."
        )
    check_param(method in ("3cosadd", "3cosmul"), "method", owner, "'3cosadd' or '3cosmul'",
                method)
    _check(restrict_vocab, owner)
    check_param(batch_size is None or (isinstance(batch_size, int) and batch_size >= 1),
                "batch_size", owner, "an int >= 1 or None", batch_size)
    known = _known(vectors, restrict_vocab, case_insensitive)
    candidates = np.ascontiguousarray(vectors.matrix[:restrict_vocab], dtype=np.float32)
    norms = np.linalg.norm(candidates, axis=1)  # float32, as gensim's fill_norms
    safe_norms = np.where(norms == 0, np.float32(1), norms)
    folded = [k.upper() if case_insensitive else k for k in vectors.keys[:restrict_vocab]]
    if batch_size is None:
        batch_size = 1024
    scores = AnalogyScores(method=method)
    # Every answerable question of every section, batched together (sections can be small).
    asked: list[tuple[str, tuple[str, str, str, str]]] = []
    rows: list[tuple[int, int, int]] = []
    for section, items in questions.items():
        scores.sections[section] = (0, 0)
        for question in items:
            if isinstance(question, str) or not all(isinstance(w, str) for w in question):
                raise DataError(f"section {section!r}: expected 4 words per question, got "
                                f"{question!r}")
            words = tuple(w.upper() for w in question) if case_insensitive else tuple(question)
            if len(words) != 4:
                raise DataError(f"section {section!r}: expected 4 words per question, got {words}")
            if all(w in known for w in words):
                asked.append((section, words))
                rows.append((known[words[0]], known[words[1]], known[words[2]]))
            else:
                scores.oov += 1
    tally = {section: [0, 0] for section in scores.sections}
    with progress_bar(len(rows), f"analogies ({method})", progress, unit="analogies") as bar:
        for start in range(0, len(rows), batch_size):
            chunk = np.asarray(rows[start : start + batch_size], dtype=np.int64)
            best = _best_five(candidates, safe_norms, chunk, method)
            for (section, (a, b, c, expected)), top in zip(asked[start : start + batch_size],
                                                           best, strict=True):
                # As gensim: the first of the five that is not a question word (folded).
                predicted = None
                for row in top[top >= 0]:
                    predicted = folded[row]
                    if predicted not in (a, b, c):
                        break
                tally[section][0] += predicted == expected
                tally[section][1] += 1
            bar.advance(len(chunk))
    scores.sections = {section: (c, n) for section, (c, n) in tally.items()}
    return scores


def _best_five(
    candidates: np.ndarray, norms: np.ndarray, rows: np.ndarray, method: str,
    block: int = 16_384,
) -> np.ndarray:
    """The 5 best candidate rows per question, its question rows left out (gensim's topn=5).

    Candidates are scored a block at a time (a block stays in cache; scores stay small) and
    each block is folded into the running best five (the one exact top-k: ties to the lower
    row). A question whose candidates run out gets -1 in the free places.
    """
    unit = candidates[rows.ravel()] / norms[rows.ravel(), None]
    a, b, c = unit[0::3], unit[1::3], unit[2::3]
    if method == "3cosadd":
        # gensim's get_mean_vector: float32 sum, float64 mean, unitvec, back to float32.
        mean = ((b + c) - a).astype(np.float64) / 3.0
        queries = [_unit_like_gensim(mean).astype(np.float32)]
    else:
        queries = [a, b, c]
    best = TopK(len(rows), 5)
    for start in range(0, len(candidates), block):
        part = candidates[start : start + block].T
        part_norms = norms[start : start + block]
        # In place, in gensim's order: dot, divide by the norm (then shift for 3CosMul).
        if method == "3cosadd":
            sims = queries[0] @ part
            np.divide(sims, part_norms, out=sims)
        else:
            shifted = []
            for term in queries:
                cos = term @ part
                np.divide(cos, part_norms, out=cos)
                cos += 1
                cos /= 2
                shifted.append(cos)
            sims = shifted[1]
            sims *= shifted[2]
            shifted[0] += 1e-6
            sims /= shifted[0]
        inside = (rows >= start) & (rows < start + part.shape[1])
        question, column = np.nonzero(inside)
        sims[question, rows[question, column] - start] = -np.inf  # never an answer
        best.fold(sims, start)
    return best.rows

