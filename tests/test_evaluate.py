"""Intrinsic evaluation: hand oracles, and gensim's own figures on GloVe 6B 50d."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab import DataError, Vectors, datasets, evaluate

TOY = Vectors(
    ["king", "queen", "man", "woman", "apple", "King"],
    np.array([[1, 1, 0], [1, -1, 0], [0, 1, 0], [0, -1, 0], [0, 0, 3], [5, 5, 5]], np.float32),
)


def test_spearman_and_pearson_by_hand() -> None:
    assert evaluate.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert evaluate.spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    # Ties share the mean rank: ranks (1, 2.5, 2.5, 4) against (1, 2, 3, 4).
    assert evaluate.spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9486832980505138)
    assert evaluate.pearson([1, 2, 3], [2, 4, 7]) == pytest.approx(0.9933992677987828)


def test_analogies_by_hand_and_case_folding() -> None:
    questions = {"royal": [("man", "king", "woman", "queen"), ("MAN", "WOMAN", "KING", "QUEEN")],
                 "oov": [("man", "king", "woman", "empress")]}
    scores = evaluate.analogies(TOY, questions)
    assert scores.sections["royal"] == (2, 2) and scores.sections["oov"] == (0, 0)
    assert scores.accuracy == 1.0 and scores.oov == 1
    # restrict_vocab=4 leaves out apple and King: nothing changes for these questions.
    assert evaluate.analogies(TOY, questions, restrict_vocab=4).accuracy == 1.0
    assert evaluate.analogies(TOY, questions, method="3cosmul").sections["royal"][0] == 2


def test_word_pairs_by_hand() -> None:
    pairs = [("king", "queen", 3.0), ("man", "woman", 1.0), ("king", "apple", 0.5), ("x", "y", 2.0)]
    scores = evaluate.word_pairs(TOY, pairs)
    # cosines: king/queen 0, man/woman -1, king/apple 0 -> ranks agree with the gold order.
    assert (scores.pairs, scores.oov) == (3, 1)
    assert scores.oov_ratio == pytest.approx(25.0)
    with pytest.raises(DataError, match="no pair has both words"):
        evaluate.word_pairs(TOY, [("x", "y", 1.0)])


def test_evaluation_never_changes_the_vectors() -> None:
    before = TOY.matrix.copy()
    evaluate.analogies(TOY, {"s": [("man", "king", "woman", "queen")]})
    np.testing.assert_array_equal(TOY.matrix, before)


@pytest.mark.network
def test_same_figures_as_gensim_on_glove() -> None:
    from gensim.models import KeyedVectors

    glove = datasets.load("glove-6b-50d")
    kv = KeyedVectors(50)
    kv.add_vectors(glove.keys, np.asarray(glove.matrix))
    for name in ("wordsim353", "simlex999"):
        folder = datasets.path(name)
        pearson, spearman, oov = kv.evaluate_word_pairs(str(next(folder.iterdir())))
        ours = evaluate.word_pairs(glove, datasets.load(name))
        assert ours.spearman == pytest.approx(spearman.statistic, abs=1e-12)
        assert ours.pearson == pytest.approx(pearson.statistic, abs=1e-6)  # float32 cosines
        assert ours.oov_ratio == pytest.approx(oov)
    questions_file = datasets.path("google-analogy") / "questions-words.txt"
    score, sections = kv.evaluate_word_analogies(str(questions_file), restrict_vocab=20000)
    ours = evaluate.analogies(glove, datasets.load("google-analogy"), restrict_vocab=20000)
    assert ours.accuracy == score
    for section in sections[:-1]:
        correct, asked = ours.sections[section["section"]]
        assert (correct, asked) == (len(section["correct"]), len(section["correct"]) + len(section["incorrect"]))
