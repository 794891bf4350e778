"""SequenceTagger: learns a toy language, saves and loads, is deterministic, refuses bad input."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from embedlab import Vectors
from embedlab.errors import DataError, InvalidParameterError
from embedlab.tag import SequenceTagger

SMALL: dict[str, Any] = {"embedding_dim": 16, "char_dim": 8, "char_filters": 16, "hidden": 16, "min_count": 1}


def _toy(n: int, seed: int = 0) -> tuple[list[list[str]], list[list[str]]]:
    """DET ADJ* NOUN VERB; nouns end in -o and verbs in -s, so the spelling tells new words."""
    rng = random.Random(seed)
    sentences, tags = [], []
    for _ in range(n):
        words, labels = [rng.choice(["a", "the"])], ["DET"]
        for _ in range(rng.randint(0, 2)):
            words.append(rng.choice(["big", "red", "old"]))
            labels.append("ADJ")
        words += [rng.choice(["dogo", "cato", "bixo", "ramo"]), rng.choice(["runs", "eats", "sits"])]
        labels += ["NOUN", "VERB"]
        sentences.append(words)
        tags.append(labels)
    return sentences, tags


@pytest.fixture(scope="module")
def trained() -> SequenceTagger:
    sentences, tags = _toy(200)
    tagger = SequenceTagger(**SMALL)
    tagger.fit(sentences, tags, epochs=8, batch_size=16, progress=False,
               validation=_toy(20, seed=1))
    return tagger


def test_learns_the_toy_language_to_100_percent(trained: SequenceTagger) -> None:
    sentences, tags = _toy(50, seed=2)
    assert trained.evaluate(sentences, tags)["accuracy"] == 1.0
    assert trained.history is not None and trained.history.epochs == 8
    assert set(trained.history.last()) >= {"loss", "accuracy", "val_loss", "val_accuracy"}


def test_save_and_load_give_the_same_predictions(trained: SequenceTagger, tmp_path: Path) -> None:
    sentences, _ = _toy(30, seed=3)
    trained.save(tmp_path / "model")
    loaded = SequenceTagger.load(tmp_path / "model")
    assert loaded.predict(sentences) == trained.predict(sentences)
    assert loaded.tags == ["ADJ", "DET", "NOUN", "VERB"]


def test_same_seed_same_weights() -> None:
    sentences, tags = _toy(40)
    first, second = SequenceTagger(**SMALL), SequenceTagger(**SMALL)
    first.fit(sentences, tags, epochs=2, progress=False, seed=5)
    second.fit(sentences, tags, epochs=2, progress=False, seed=5)
    for (name, a), (_, b) in zip(first.net.state_dict().items(), second.net.state_dict().items(),
                                 strict=True):
        assert torch.equal(a, b), name


def test_spans_are_scored_for_bio_tags() -> None:
    sentences = [["John", "met", "Mary"], ["Mary", "ran"]] * 10
    tags = [["B-NAME", "O", "B-NAME"], ["B-NAME", "O"]] * 10
    tagger = SequenceTagger(**SMALL)
    tagger.fit(sentences, tags, epochs=30, batch_size=4, progress=False)
    figures = tagger.evaluate(sentences, tags)
    assert figures["f1"] == 1.0 and figures["accuracy"] == 1.0


def test_pretrained_vectors_start_the_word_table_and_can_be_frozen() -> None:
    vectors = Vectors(["a", "dogo"], np.array([[1.0, 0.0], [0.0, 1.0]], np.float32))
    tagger = SequenceTagger(pretrained=vectors, freeze=True, char_filters=4, hidden=4, min_count=1)
    tagger.fit(*_toy(40), epochs=1, progress=False)
    assert tagger.vocab is not None
    row = tagger.net.words(torch.tensor([tagger.vocab.token_to_id("dogo")]))[0]
    assert row.tolist() == [0.0, 1.0] and not any(p.requires_grad for p in tagger.net.words.parameters())


def test_bad_input_gets_one_clear_sentence() -> None:
    tagger = SequenceTagger(**SMALL)
    with pytest.raises(DataError, match="training sentence 1 has 2 words but 1 tags"):
        tagger.fit([["a"], ["a", "b"]], [["X"], ["X"]], progress=False)
    with pytest.raises(DataError, match=r"training sentences\[0\] is empty"):
        tagger.fit([[]], [[]], progress=False)
    with pytest.raises(DataError, match="2 training sentences but 1 tag lists"):
        tagger.fit([["a"], ["b"]], [["X"]], progress=False)
    with pytest.raises(DataError, match="not trained yet"):
        tagger.predict([["a"]])
    tagger.fit([["a"]], [["X"]], epochs=1, progress=False)
    with pytest.raises(DataError, match=r"evaluation sentence 0: tag 'Y' \(word 0\) is not one"):
        tagger.evaluate([["a"]], [["Y"]])
    with pytest.raises(DataError, match=r"sentences\[0\] is str"):
        tagger.predict(["a dog"])
    with pytest.raises(InvalidParameterError, match="'early_stopping' parameter"):
        tagger.fit([["a"]], [["X"]], early_stopping=2, progress=False)


def test_crf_tagger_learns_and_reloads(tmp_path: Path) -> None:
    sentences, tags = _toy(120)
    tagger = SequenceTagger(**SMALL, crf=True)
    tagger.fit(sentences, tags, epochs=8, batch_size=16, progress=False)
    test_sentences, test_tags = _toy(30, seed=4)
    assert tagger.evaluate(test_sentences, test_tags)["accuracy"] == 1.0
    tagger.save(tmp_path / "crf")
    assert SequenceTagger.load(tmp_path / "crf").predict(test_sentences) == tagger.predict(test_sentences)


def _by_meaning(words: dict[str, str], n: int, seed: int) -> tuple[list[list[str]], list[list[str]]]:
    """``the WORD``: whether WORD is a NOUN or a VERB shows neither in its spelling (random
    letters) nor in its context; only its pretrained vector tells."""
    rng = random.Random(seed)
    keys = sorted(words)
    sentences = [["the", rng.choice(keys)] for _ in range(n)]
    return sentences, [["DET", words[s[1]]] for s in sentences]


def _random_words(n: int, rng: random.Random) -> list[str]:
    return ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6)) for _ in range(n)]


@pytest.fixture(scope="module")
def meaning() -> tuple[SequenceTagger, dict[str, str], Vectors]:
    rng = random.Random(7)
    seen_words, unseen_words = _random_words(12, rng), _random_words(12, rng)
    classes = {w: ("NOUN" if i % 2 else "VERB") for i, w in enumerate(seen_words + unseen_words)}
    # The pretrained table knows every word (in capitals: looked up lower-cased) and "the".
    keys = ["THE", *(w.upper() for w in classes)]
    matrix = np.array([[0.0, 0.0, 1.0]] + [[1.0, 0.0, 0.0] if classes[w] == "NOUN" else [0.0, 1.0, 0.0]
                                           for w in classes], np.float32)
    vectors = Vectors(keys, matrix)
    tagger = SequenceTagger(pretrained=vectors, char_dim=4, char_filters=4, hidden=8, min_count=1)
    tagger.fit(*_by_meaning({w: classes[w] for w in seen_words}, 200, seed=0), epochs=15,
               batch_size=8, progress=False)
    return tagger, {w: classes[w] for w in unseen_words}, vectors


def test_words_unseen_in_training_get_their_pretrained_vector(
    meaning: tuple[SequenceTagger, dict[str, str], Vectors],
) -> None:
    tagger, unseen, vectors = meaning
    assert tagger.vocab is not None and tagger.vocab.token_to_id("the") < tagger.trainable_rows
    for word in unseen:
        index = tagger.vocab.token_to_id(word)
        assert index >= tagger.trainable_rows  # an id of its own, past the learned rows
        # its input is its pretrained vector plus the learned <unk> row
        unk = tagger.net.words.learned.weight[tagger.vocab.unk_id]
        given = tagger.net.words(torch.tensor([index]))[0]
        torch.testing.assert_close(given - unk, torch.tensor(vectors[word.upper()]))
    sentences, tags = _by_meaning(unseen, 60, seed=1)
    assert tagger.evaluate(sentences, tags)["accuracy"] == 1.0


def test_the_pretrained_rows_are_saved_with_the_tagger(
    meaning: tuple[SequenceTagger, dict[str, str], Vectors], tmp_path: Path,
) -> None:
    tagger, unseen, _ = meaning
    tagger.save(tmp_path / "model")
    loaded = SequenceTagger.load(tmp_path / "model")  # without the vectors
    sentences, tags = _by_meaning(unseen, 60, seed=1)
    assert loaded.predict(sentences) == tags
    assert loaded.trainable_rows == tagger.trainable_rows


class _EndsInO:
    """A subword model that knows the words ending in -o (a NOUN direction) and no others."""

    def vector(self, key: str) -> np.ndarray | None:
        return np.array([1.0, 0.0], np.float32) if key.endswith("o") else None


def test_a_subword_model_gives_new_words_ids_when_they_come(tmp_path: Path) -> None:
    vectors = Vectors(["a", "dogo"], np.array([[0.0, 1.0], [1.0, 0.0]], np.float32), subwords=_EndsInO())
    tagger = SequenceTagger(pretrained=vectors, char_filters=4, hidden=4, min_count=1)
    tagger.fit(*_toy(20), epochs=1, progress=False)
    assert tagger.vocab is not None
    before = len(tagger.vocab)
    tagger.predict([["a", "zebro", "zebrx"]])
    assert len(tagger.vocab) == before + 1 and "zebro" in tagger.vocab and "zebrx" not in tagger.vocab
    row = tagger.net.words.pretrained.weight[tagger.vocab.token_to_id("zebro")]  # type: ignore[union-attr]
    assert row.tolist() == [1.0, 0.0]
    tagger.save(tmp_path / "m")
    loaded = SequenceTagger.load(tmp_path / "m")
    assert loaded.predict([["a", "zebro", "zebrx"]]) == tagger.predict([["a", "zebro", "zebrx"]])
    assert "lemo" not in loaded.vocab  # type: ignore[operator]
    loaded.predict([["lemo"]])
    assert "lemo" not in loaded.vocab  # type: ignore[operator]  # no subword model: <unk>
    again = SequenceTagger.load(tmp_path / "m", pretrained=vectors)
    again.predict([["lemo"]])
    assert "lemo" in again.vocab  # type: ignore[operator]


def test_word_dropout_swaps_learned_rows_for_unk_while_training_only() -> None:
    from embedlab.nn import Embedding
    from embedlab.tag._network import WordVectors

    torch.manual_seed(0)
    learned = Embedding(4, 2, padding_idx=0)
    table = torch.tensor([[0.0, 0.0], [0.0, 0.0], [4.0, 5.0], [6.0, 7.0], [8.0, 9.0]])  # pad, unk, 3 words
    words = WordVectors(learned, table, unk=1, word_dropout=0.9999)
    ids = torch.tensor([[2, 3, 4, 0]])  # 4 has a pretrained row only: it uses <unk>'s learned row
    with torch.no_grad():
        words.train()
        dropped = words(ids)[0]
        expected = learned.weight[[1, 1, 1, 0]] + torch.tensor([[4.0, 5.0], [6.0, 7.0], [8.0, 9.0], [0.0, 0.0]])
        assert torch.equal(dropped, expected)  # padding stays padding
        words.eval()
        kept = words(ids)[0]
        assert torch.equal(kept[:2], learned.weight[[2, 3]] + torch.tensor([[4.0, 5.0], [6.0, 7.0]]))


def test_several_pretrained_sets_are_joined_side_by_side(tmp_path: Path) -> None:
    """A word's pretrained row is each set's vector of it in turn; zeros where a set lacks it,
    and a subword model's built vector for words only the other set knows (or new ones)."""
    plain = Vectors(["a", "zulu"], np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))
    built = Vectors(["dogo"], np.array([[0.5, 0.5]], np.float32), subwords=_EndsInO())
    tagger = SequenceTagger(pretrained=[plain, built], char_filters=4, hidden=4, min_count=1)
    assert tagger.dim == 4
    tagger.fit(*_toy(20), epochs=1, progress=False)
    assert tagger.vocab is not None

    def row(word: str) -> list[float]:
        table = tagger.net.words.pretrained  # grows when new words come: read it each time
        assert table is not None and tagger.vocab is not None
        return [float(v) for v in table.weight[tagger.vocab.token_to_id(word)]]

    assert row("a") == [1.0, 2.0, 0.0, 0.0]      # a training word the second set cannot build
    assert row("dogo") == [0.0, 0.0, 0.5, 0.5]   # a training word only the second set has
    assert row("zulu") == [3.0, 4.0, 0.0, 0.0]   # only the first set knows it: an id past training's
    assert tagger.vocab.token_to_id("zulu") >= tagger.trainable_rows
    tagger.predict([["a", "zebro"]])              # a new word the subword model builds
    assert row("zebro") == [0.0, 0.0, 1.0, 0.0]
    tagger.save(tmp_path / "m")
    loaded = SequenceTagger.load(tmp_path / "m", pretrained=[plain, built])
    assert loaded.predict([["a", "lemo", "zulu"]]) == tagger.predict([["a", "lemo", "zulu"]])
    with pytest.raises(InvalidParameterError, match="must match the pretrained vectors \\(4\\)"):
        SequenceTagger(pretrained=[plain, built], embedding_dim=2).fit(*_toy(2), progress=False)


def test_new_words_get_fasttexts_built_vectors_the_same_as_one_at_a_time() -> None:
    """The batched path (fastText's kernels, many words at once) gives each word exactly the
    vector ``Vectors[word]`` gives, and leaves out words no set can build."""
    from embedlab.subwords import FastTextSubwords
    from embedlab.tag._lookup import subword_vectors

    rng = np.random.default_rng(0)
    words = ["</s>", "dogo", "cato"]
    ngrams = FastTextSubwords(rng.standard_normal((3 + 40, 3)).astype(np.float32), words, 3, 4, 40)
    with_ngrams = Vectors(words, ngrams.word_vectors(), subwords=ngrams)
    # A words-only table (no buckets): builds its own words and nothing else.
    own = FastTextSubwords(np.array([[1.0, 2.0]], np.float32), ["lemo"], 0, 0, 0)
    words_only = Vectors(["lemo"], np.array([[1.0, 2.0]], np.float32), subwords=own)
    plain = Vectors(["zebro"], np.array([[9.0]], np.float32))
    got, rows = subword_vectors([plain, with_ngrams, words_only], ["zebro", "ramo", "dogo", "ramo", "lemo"])
    assert got == ["zebro", "ramo", "dogo", "lemo"]  # each once; every one has n-grams here
    for word, row in zip(got, rows, strict=True):
        assert row[0] == 0.0  # the plain set builds nothing
        np.testing.assert_array_equal(row[1:4], with_ngrams[word])
        assert list(row[4:]) == ([1.0, 2.0] if word == "lemo" else [0.0, 0.0])
    # Only the words-only table in the list: a word it lacks gets no vector at all.
    assert subword_vectors([words_only], ["ramo", "lemo"])[0] == ["lemo"]
