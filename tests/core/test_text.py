"""The default tokenizer and streaming corpora."""

from __future__ import annotations

import bz2
import lzma

import pytest

from embedlab import Corpus, FormatError, tokenize
from embedlab.errors import DataError


def test_tokenize_is_lowercase_unicode_words() -> None:
    assert tokenize("Don't stop, Café au-lait!") == ["don't", "stop", "café", "au", "lait"]
    assert tokenize("Naïve Straße 42") == ["naïve", "straße", "42"]
    assert tokenize("snake_case isn't one word") == ["snake", "case", "isn't", "one", "word"]
    assert tokenize("") == []


def test_corpus_streams_files_directories_and_iterables(tmp_path) -> None:
    (tmp_path / "d").mkdir()
    with bz2.open(tmp_path / "d" / "a.bz2", "wt") as handle:
        handle.write("One two\n\nthree\n")
    with lzma.open(tmp_path / "d" / "b.xz", "wt") as handle:
        handle.write("Four\n")
    corpus = Corpus(tmp_path / "d")
    assert list(corpus) == [["one", "two"], ["three"], ["four"]]
    assert list(corpus) == list(corpus)  # re-iterable
    assert list(Corpus(["A b", "c"], tokenizer=str.split)) == [["A", "b"], ["c"]]


def test_corpus_errors_name_the_file(tmp_path) -> None:
    binary = tmp_path / "model.bin"
    binary.write_bytes(b"abc\x00\x01\x02\n")
    with pytest.raises(FormatError, match="model.bin:1: found a NUL byte"):
        list(Corpus(binary))
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"ok\ncaf\xe9\n")
    with pytest.raises(FormatError, match="latin.txt:2: not valid utf-8"):
        list(Corpus(latin))
    assert list(Corpus(latin, encoding="latin-1")) == [["ok"], ["café"]]
    with pytest.raises(DataError, match="no such corpus"):
        list(Corpus(tmp_path / "missing.txt"))
