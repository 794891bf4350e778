"""Intrinsic evaluation: hand oracles, and gensim's own figures on GloVe 6B 50d."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab import DataError, InvalidParameterError, Vectors, datasets, evaluate

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
    assert np.isnan(evaluate.pearson([1, 1, 1], [1, 2, 3]))  # constant input: undefined
    with pytest.raises(DataError, match="equal length"):
        evaluate.spearman([1, 2], [1, 2, 3])


def test_correlations_equal_scipy_bit_for_bit() -> None:
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(3)
    gold = rng.integers(0, 10, 300).astype(float)  # many ties
    model = rng.standard_normal(300).astype(np.float32) + gold.astype(np.float32) / 5
    assert evaluate.pearson(gold, model) == stats.pearsonr(gold, model).statistic
    assert evaluate.spearman(gold, model) == stats.spearmanr(gold, model).statistic


def test_analogies_by_hand_and_case_folding() -> None:
    questions = {"royal": [("man", "king", "woman", "queen"), ("MAN", "WOMAN", "KING", "QUEEN")],
                 "oov": [("man", "king", "woman", "empress")]}
    scores = evaluate.analogies(TOY, questions)
    # king - man + woman = (1, -1, 0) = queen; "King" folds onto "king" (the first spelling).
    assert scores.sections == {"royal": (2, 2), "oov": (0, 0)}
    assert scores.accuracy == 1.0 and scores.oov == 1
    assert scores.oov_ratio == pytest.approx(100 / 3)
    assert scores.rows()[-1] == ("Total accuracy", 2, 2, 1.0)
    # restrict_vocab=4 leaves out apple and King: nothing changes for these questions.
    assert evaluate.analogies(TOY, questions, restrict_vocab=4).accuracy == 1.0
    # Case-sensitive: the upper-case question is unknown.
    strict = evaluate.analogies(TOY, questions, case_insensitive=False)
    assert strict.sections["royal"] == (1, 1) and strict.oov == 2
    assert evaluate.analogies(TOY, questions, method="3cosmul").sections["royal"] == (2, 2)
    # One question per batch gives the same answers as one batch.
    assert evaluate.analogies(TOY, questions, batch_size=1).sections == scores.sections


def test_word_pairs_by_hand() -> None:
    pairs = [("king", "queen", 3.0), ("man", "woman", 1.0), ("king", "apple", 0.5), ("x", "y", 2.0)]
    scores = evaluate.word_pairs(TOY, pairs)
    # cosines king/queen 0, man/woman -1, king/apple 0: model ranks (2.5, 1, 2.5) against
    # gold ranks (3, 2, 1): centred, (0.5, -1, 0.5) . (1, 0, -1) = 0.
    assert (scores.pairs, scores.oov) == (3, 1)
    assert scores.oov_ratio == pytest.approx(25.0)
    assert scores.spearman == pytest.approx(0.0)
    # Pearson of (0, -1, 0) with (3, 1, 0.5): centred (1/3, -2/3, 1/3) . (1.5, -0.5, -1) = 0.5,
    # over lengths sqrt(6)/3 and sqrt(3.5).
    assert scores.pearson == pytest.approx(0.5 / (6**0.5 / 3 * 3.5**0.5))
    # Only the first four keys known: apple is out, so is its pair.
    assert (evaluate.word_pairs(TOY, pairs, restrict_vocab=4).oov) == 2
    with pytest.raises(DataError, match="no pair has both words"):
        evaluate.word_pairs(TOY, [("x", "y", 1.0)])


def test_bad_parameters() -> None:
    with pytest.raises(InvalidParameterError, match="The 'method' parameter of analogies"):
        evaluate.analogies(TOY, {}, method="3cosavg")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="The 'restrict_vocab' parameter of word_pairs"):
        evaluate.word_pairs(TOY, [], restrict_vocab=0)


def test_evaluation_never_changes_the_vectors() -> None:
    before = TOY.matrix.copy()
    evaluate.analogies(TOY, {"s": [("man", "king", "woman", "queen")]}, method="3cosmul")
    evaluate.word_pairs(TOY, [("king", "queen", 1.0), ("man", "woman", 2.0)])
    np.testing.assert_array_equal(TOY.matrix, before)


@pytest.fixture(scope="module")
def glove_and_gensim():  # type: ignore[no-untyped-def]
    from gensim.models import KeyedVectors

    glove = datasets.load("glove-6b-50d")
    kv = KeyedVectors(50)
    kv.add_vectors(glove.keys, np.asarray(glove.matrix))
    return glove, kv


def _gensim_sections(sections: list[dict]) -> dict[str, tuple[int, int]]:
    return {s["section"]: (len(s["correct"]), len(s["correct"]) + len(s["incorrect"]))
            for s in sections}


def _write(path, questions) -> str:  # type: ignore[no-untyped-def]
    """The questions in the Google file format, for gensim to read."""
    path.write_text("".join(f": {name}\n" + "".join(" ".join(q) + "\n" for q in items)
                            for name, items in questions.items()))
    return str(path)


@pytest.mark.network
def test_word_pairs_equal_gensim_on_glove(glove_and_gensim) -> None:  # type: ignore[no-untyped-def]
    glove, kv = glove_and_gensim
    for name in ("wordsim353", "simlex999"):
        file = next(f for f in datasets.path(name).iterdir() if not f.name.startswith("."))
        pearson, spearman, oov = kv.evaluate_word_pairs(str(file))
        ours = evaluate.word_pairs(glove, datasets.load(name))
        # The same digits, not merely close ones.
        assert (ours.pearson, ours.spearman, ours.oov_ratio) == (
            pearson.statistic, spearman.statistic, oov)


@pytest.mark.network
def test_analogies_equal_gensim_on_glove(glove_and_gensim, tmp_path) -> None:  # type: ignore[no-untyped-def]
    glove, kv = glove_and_gensim
    questions = datasets.load("google-analogy")
    # Every 10th question of every section (1,961 of 19,544) over the 30,000 most frequent
    # words (the whole set agrees too: docs/evaluate.md; gensim needs minutes for it) ...
    picked = {name: items[::10] for name, items in questions.items()}
    score, sections = kv.evaluate_word_analogies(_write(tmp_path / "a.txt", picked),
                                                 restrict_vocab=30_000)
    ours = evaluate.analogies(glove, picked, restrict_vocab=30_000, progress=False)
    gensim_counts = _gensim_sections(sections)
    assert ours.accuracy == score
    assert gensim_counts.pop("Total accuracy") == (ours.correct, ours.asked)
    assert gensim_counts == ours.sections
    # ... and a sample of every section over the default 300,000 words.
    picked = {name: items[::100] for name, items in questions.items()}
    score, sections = kv.evaluate_word_analogies(_write(tmp_path / "b.txt", picked))
    ours = evaluate.analogies(glove, picked, progress=False)
    assert (ours.accuracy, ours.asked) == (score, _gensim_sections(sections)["Total accuracy"][1])
    assert {k: v for k, v in _gensim_sections(sections).items() if k != "Total accuracy"} \
        == ours.sections


@pytest.mark.network
def test_3cosmul_equals_gensim_most_similar_cosmul(glove_and_gensim) -> None:  # type: ignore[no-untyped-def]
    from gensim.models import KeyedVectors

    glove, _ = glove_and_gensim
    top = glove.top(20_000)  # gensim's cosmul ignores restrict_vocab: give it only these
    kv = KeyedVectors(50)
    kv.add_vectors(top.keys, np.asarray(top.matrix))
    picked = {name: items[::50] for name, items in datasets.load("google-analogy").items()}
    ours = evaluate.analogies(glove, picked, restrict_vocab=20_000, method="3cosmul",
                              progress=False)
    expected: dict[str, tuple[int, int]] = {}
    for name, items in picked.items():
        correct = asked = 0
        for question in items:
            a, b, c, want = (w.lower() for w in question)  # GloVe 6B is lower-cased
            if not all(w in kv.key_to_index for w in (a, b, c, want)):
                continue
            asked += 1
            found = kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=5)
            guess = next((k for k, _ in found if k not in (a, b, c)), found[-1][0])
            correct += guess == want
        expected[name] = (correct, asked)
    assert ours.sections == expected


@pytest.mark.network
def test_cli_evaluate_prints_the_table() -> None:
    from typer.testing import CliRunner

    from embedlab.cli import app

    result = CliRunner().invoke(app, ["evaluate", "glove-6b-50d", "--restrict-vocab", "5000",
                                      "--sections"])
    assert result.exit_code == 0, result.output
    for text in ("wordsim353", "simlex999", "Spearman", "capital-world", "google-analogy",
                 "accuracy (3CosAdd)"):
        assert text in result.output
    glove = datasets.load("glove-6b-50d")
    expected = evaluate.word_pairs(glove, datasets.load("wordsim353"), restrict_vocab=5000)
    assert f"{expected.spearman:.4f}" in result.output


def test_word_pairs_and_analogies_take_a_file_path_as_gensim_does(tmp_path) -> None:
    """Issue 12: gensim's evaluate_word_pairs / evaluate_word_analogies take a path."""
    pairs_file = tmp_path / "pairs.tsv"
    pairs_file.write_text("# word pairs\nking\tqueen\t3\nman\twoman\t1\nking\tapple\t0.5\n"
                          "x\ty\t2\n")
    loaded = [("king", "queen", 3.0), ("man", "woman", 1.0), ("king", "apple", 0.5),
              ("x", "y", 2.0)]
    assert evaluate.read_word_pairs(pairs_file) == loaded
    from_path = evaluate.word_pairs(TOY, pairs_file)
    assert from_path == evaluate.word_pairs(TOY, str(pairs_file)) == evaluate.word_pairs(TOY, loaded)
    assert (from_path.pairs, from_path.oov) == (3, 1)
    questions_file = tmp_path / "questions.txt"
    questions_file.write_text(": royal\nman king woman queen\nMAN WOMAN KING QUEEN\n"
                              ": oov\nman king woman empress\n")
    scores = evaluate.analogies(TOY, str(questions_file))
    assert scores.sections == {"royal": (2, 2), "oov": (0, 0)} and scores.oov == 1
    assert evaluate.analogies(TOY, questions_file, method="3cosmul").sections["royal"] == (2, 2)


def test_word_pairs_and_analogies_reject_what_they_cannot_read(tmp_path) -> None:
    with pytest.raises(InvalidParameterError, match="The 'pairs' parameter of word_pairs must be "
                                                    "a file path or an iterable of .* Got 42"):
        evaluate.word_pairs(TOY, 42)  # type: ignore[arg-type]
    with pytest.raises(DataError, match=r"pair 2 is \('man', 1.0\); expected \(word, word, score\)"):
        evaluate.word_pairs(TOY, [("king", "queen", 3.0), ("man", 1.0)])
    with pytest.raises(DataError, match="pair 1 is .*'high'.*expected"):
        evaluate.word_pairs(TOY, [("king", "queen", "high")])
    with pytest.raises(InvalidParameterError, match="The 'questions' parameter of analogies must "
                                                    "be a file path or a mapping"):
        evaluate.analogies(TOY, [("man", "king", "woman", "queen")])  # type: ignore[arg-type]
    with pytest.raises(DataError, match=f"{tmp_path / 'missing.txt'}: cannot be read: "
                                        "No such file or directory"):
        evaluate.word_pairs(TOY, tmp_path / "missing.txt")
