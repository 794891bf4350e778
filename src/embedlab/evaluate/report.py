"""The standard intrinsic suite in one call: WordSim-353, SimLex-999 and the Google analogies.

``embedlab.evaluate.report(vectors)`` runs it (the ``embedlab evaluate`` command prints it).
The figures are :func:`~embedlab.evaluate.word_pairs` and :func:`~embedlab.evaluate.analogies`
on the named datasets, so they are gensim's to the digit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import DataError, check_param
from ..vectors import Vectors
from ._intrinsic import TOTAL, AnalogyScores, Method, PairScores, analogies, word_pairs

PAIR_BENCHMARKS = ("wordsim353", "simlex999")
ANALOGY_BENCHMARK = "google-analogy"


@dataclass(frozen=True)
class Report:
    """Every score of the suite. ``pairs[name]`` is None when no pair had both words known."""

    count: int
    dim: int
    restrict_vocab: int
    pairs: dict[str, PairScores | None] = field(default_factory=dict)
    analogies: dict[str, AnalogyScores] = field(default_factory=dict)  # by method

    def rows(self, sections: bool = False) -> list[tuple[str, str, str, str, str]]:
        """``(benchmark, metric, score, answered, skipped)`` as text, a table's rows.

        Args:
            sections: Also give a row per analogy section.

        Returns:
            The rows: Spearman and Pearson per word-pair benchmark, then the analogy accuracy
            per method.
        """
        out: list[tuple[str, str, str, str, str]] = []
        for name, scores in self.pairs.items():
            if scores is None:
                out.append((name, "Spearman", "-", "0", "100.0%"))
                continue
            out.append((name, "Spearman", f"{scores.spearman:.4f}", f"{scores.pairs}",
                        f"{scores.oov_ratio:.1f}%"))
            out.append(("", "Pearson", f"{scores.pearson:.4f}", "", ""))
        for method, result in self.analogies.items():
            label = "3CosAdd" if method == "3cosadd" else "3CosMul"
            if sections:
                for section, correct, asked, accuracy in result.rows():
                    if section == TOTAL:
                        continue
                    out.append(("  " + section, f"accuracy ({label})",
                                f"{accuracy:.4f}" if asked else "-", f"{correct}/{asked}", ""))
            out.append((ANALOGY_BENCHMARK, f"accuracy ({label})", f"{result.accuracy:.4f}",
                        f"{result.correct}/{result.asked}", f"{result.oov_ratio:.1f}%"))
        return out


def report(vectors: Vectors, restrict_vocab: int = 300_000, cosmul: bool = False,
           progress: bool = True) -> Report:
    """Score ``vectors`` on WordSim-353, SimLex-999 (Spearman and Pearson) and the Google
    analogies (3CosAdd, and 3CosMul too with ``cosmul=True``).

    Only the first ``restrict_vocab`` keys count as known, as in gensim. The datasets are
    loaded by name (fetched once into the cache). The vectors are never changed.

    Args:
        vectors: the vectors to score.
        restrict_vocab: how many of the first keys count as known (an int >= 1).
        cosmul: also rank analogies by 3CosMul.
        progress: show a progress bar while answering analogies.

    Returns:
        A :class:`Report`; ``report.rows()`` gives the table the CLI prints.

    Raises:
        InvalidParameterError: ``restrict_vocab`` is not an int >= 1.
        DatasetError: a dataset cannot be fetched.
    """
    from .. import datasets

    check_param(isinstance(restrict_vocab, int) and not isinstance(restrict_vocab, bool)
                and restrict_vocab >= 1, "restrict_vocab", "report", "an int >= 1", restrict_vocab)
    pairs: dict[str, PairScores | None] = {}
    for name in PAIR_BENCHMARKS:
        try:
            pairs[name] = word_pairs(vectors, datasets.load(name), restrict_vocab=restrict_vocab)
        except DataError:  # no pair known: reported as such, the suite goes on
            pairs[name] = None
    questions = datasets.load(ANALOGY_BENCHMARK)
    methods: tuple[Method, ...] = ("3cosadd", "3cosmul") if cosmul else ("3cosadd",)
    scores: dict[str, AnalogyScores] = {method: analogies(vectors, questions, restrict_vocab=restrict_vocab, method=method,
                                progress=progress)
              for method in methods}
    return Report(len(vectors), vectors.dim, restrict_vocab, pairs, scores)
