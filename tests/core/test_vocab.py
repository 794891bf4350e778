"""Vocab oracles small enough to check by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest

from embedlab import DataError, FormatError, InvalidParameterError, UnknownKeyError, Vocab
from embedlab.vocab import pad

DOCS = [["the", "cat", "sat"], ["the", "dog", "sat"], ["a", "cat"], ["the"]]
# counts: the 3, cat 2, sat 2, dog 1, a 1  (cat seen before sat, dog before a)


def test_ids_follow_count_then_first_occurrence() -> None:
    v = Vocab.build(DOCS)
    assert v.tokens == ["<pad>", "<unk>", "the", "cat", "sat", "dog", "a"]
    assert v.counts == [0, 0, 3, 2, 2, 1, 1]
    assert (v.pad_id, v.unk_id) == (0, 1)


def test_min_count_and_max_size_include_specials() -> None:
    assert Vocab.build(DOCS, min_count=2).tokens == ["<pad>", "<unk>", "the", "cat", "sat"]
    assert Vocab.build(DOCS, max_size=4).tokens == ["<pad>", "<unk>", "the", "cat"]


def test_no_specials_and_custom_specials() -> None:
    plain = Vocab.build(DOCS, specials=(), pad_token=None, unk_token=None)
    assert plain.tokens[:2] == ["the", "cat"] and plain.pad_id is None
    custom = Vocab.build(DOCS, specials=("[PAD]", "[UNK]", "[CLS]"), pad_token="[PAD]", unk_token="[UNK]")
    assert custom.tokens[:4] == ["[PAD]", "[UNK]", "[CLS]", "the"]
    assert custom.unk_id == 1


def test_encode_unknown_policies() -> None:
    v = Vocab.build(DOCS)
    assert v.encode(["the", "zebra", "cat"]) == [2, 1, 3]
    assert v.encode(["the", "zebra", "cat"], unknown="skip") == [2, 3]
    with pytest.raises(UnknownKeyError, match="'zebra'"):
        v.encode(["zebra"], unknown="error")
    assert v.decode([2, 3, 0, 0]) == ["the", "cat", "<pad>", "<pad>"]
    assert v.decode([2, 1, 0], skip_specials=True) == ["the"]


def test_pad_and_truncate_both_ends() -> None:
    assert pad([5, 6, 7], 5, 0) == [5, 6, 7, 0, 0]
    assert pad([5, 6, 7], 5, 0, side="pre") == [0, 0, 5, 6, 7]
    assert pad([5, 6, 7], 2, 0) == [5, 6]
    assert pad([5, 6, 7], 2, 0, truncate="pre") == [6, 7]


def test_encode_batch_tokenizes_text() -> None:
    v = Vocab.build(DOCS)
    batch = v.encode_batch(["The cat!", "a dog sat on the mat"], length=4)
    assert batch.dtype == np.int64
    assert batch.tolist() == [[2, 3, 0, 0], [6, 5, 4, 1]]


def test_save_load_round_trip(tmp_path) -> None:
    v = Vocab.build(DOCS)
    path = tmp_path / "vocab.json"
    v.save(path)
    assert Vocab.load(path) == v
    assert json.loads(path.read_text())["format"] == "embedlab.vocab/1"


def test_bad_input_is_reported(tmp_path) -> None:
    with pytest.raises(InvalidParameterError, match="The 'min_count' parameter of Vocab.build must be"):
        Vocab.build(DOCS, min_count=0)
    with pytest.raises(DataError, match="token lists, not strings"):
        Vocab.build(["the cat sat"])
    with pytest.raises(DataError, match="duplicate token"):
        Vocab(["a", "a"], pad_token=None, unk_token=None)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(FormatError, match="bad.json:1: not valid JSON"):
        Vocab.load(bad)
    with pytest.raises(InvalidParameterError, match="no unk_token"):
        Vocab(["a"], pad_token=None, unk_token=None).encode(["b"])


def test_interrupted_save_keeps_old_file(tmp_path, monkeypatch) -> None:
    path = tmp_path / "vocab.json"
    Vocab.build(DOCS).save(path)
    before = path.read_text()

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(json, "dump", boom)
    with pytest.raises(KeyboardInterrupt):
        Vocab.build([["x"]]).save(path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["vocab.json"]


def test_from_corpus_reads_compressed_files(tmp_path) -> None:
    import gzip

    path = tmp_path / "corpus.txt.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("The cat sat.\nThe dog sat!\n")
    v = Vocab.from_corpus(path, min_count=2)
    assert v.tokens == ["<pad>", "<unk>", "the", "sat"]
