"""SentenceIndex and the `embedlab distill|encode|search` commands, in-process."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import embedlab
from embedlab import DataError
from embedlab.cli import app
from embedlab.sentences import SentenceIndex, StaticModel

runner = CliRunner()


def test_search_finds_the_paraphrase(small_model: StaticModel, sentences: list[str]) -> None:
    index = SentenceIndex(small_model).add(sentences, [f"s{i}" for i in range(len(sentences))])
    hits = index.search("a person plays the guitar", k=2)
    assert {key for key, _ in hits} == {"s2", "s3"}
    assert hits[0][1] >= hits[1][1]
    assert index.text("s4") == sentences[4]
    many = index.search(["markets fell", "a cat on a mat"], k=1)
    assert [hits[0][0] for hits in many] == ["s4", "s0"]


def test_the_collection_is_vectors_with_its_texts(small_model: StaticModel,
                                                   sentences: list[str]) -> None:
    index = SentenceIndex(small_model).add(sentences[:3]).add(sentences[3:])
    vectors = index.vectors
    assert vectors.keys == [str(i) for i in range(len(sentences))]  # running numbers go on
    assert vectors.metadata["text"] == sentences
    np.testing.assert_allclose(vectors.matrix, small_model.encode(sentences), atol=1e-6)


def test_bad_additions_are_refused(small_model: StaticModel, sentences: list[str]) -> None:
    index = SentenceIndex(small_model).add(sentences[:2], ["a", "b"])
    with pytest.raises(DataError, match="id 'a' \\(text 0\\) is already in the index"):
        index.add(sentences[2:3], ["a"])
    with pytest.raises(DataError, match="2 texts but 1 ids"):
        index.add(sentences[2:4], ["c"])
    with pytest.raises(DataError, match="not one string"):
        index.add("the cat")
    assert len(index) == 2
    assert index.search("zzqqxx", k=3) == []  # nothing known in the query: nothing is near it


def test_cli_distill_encode_and_search(tmp_path: Path, small_model: StaticModel,
                                       teacher_folder: Path, sentences: list[str]) -> None:
    model_dir = tmp_path / "model"
    small_model.save(model_dir)
    texts = tmp_path / "texts.tsv"
    texts.write_text("".join(f"id{i}\t{s}\n" for i, s in enumerate(sentences)), encoding="utf-8")
    out = tmp_path / "vectors.txt"
    result = runner.invoke(app, ["encode", str(model_dir), str(texts), "--ids", "-o", str(out),
                                 "-f", "word2vec"])
    assert result.exit_code == 0, result.output
    loaded = embedlab.load(out)
    assert loaded.keys[:2] == ["id0", "id1"]
    np.testing.assert_allclose(loaded.matrix, small_model.encode(sentences), atol=1e-5)
    found = runner.invoke(app, ["search", str(model_dir), str(texts), "--ids",
                                "a person plays the guitar", "-k", "2"])
    assert found.exit_code == 0, found.output
    assert {line.split("\t")[1] for line in found.output.splitlines()} == {"id2", "id3"}
    bad = runner.invoke(app, ["search", str(model_dir), str(texts), "cat"])
    assert bad.exit_code == 0  # without --ids, every whole line is a text, ids are line numbers
    missing = runner.invoke(app, ["distill", str(tmp_path), "-o", str(tmp_path / "d")])
    assert "is not a sentence-transformers model folder" in str(missing.exception)


def test_help_has_examples() -> None:
    for command in ("distill", "encode", "search"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Example: embedlab " + command in result.output


