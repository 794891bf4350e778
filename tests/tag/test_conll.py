"""CoNLL files: round trip, and errors that name the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedlab.errors import DataError, FormatError
from embedlab.tag import read_conll, write_conll


def test_round_trip_keeps_words_and_both_columns(tmp_path: Path) -> None:
    sentences = [["John", "lives", "in", "Paris", "."], ["Hi"]]
    pos = [["NOUN", "VERB", "ADP", "NOUN", "."], ["X"]]
    names = [["B-PER", "O", "O", "B-LOC", "O"], ["O"]]
    path = write_conll(tmp_path / "a.conll", sentences, pos, names)
    assert path.read_text().splitlines()[:2] == ["John NOUN B-PER", "lives VERB O"]
    assert read_conll(path) == (sentences, names)
    assert read_conll(path, tag_column=1) == (sentences, pos)


def test_docstart_and_extra_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "b.conll"
    path.write_text("-DOCSTART- -X- O\n\n\na DT\ndog NN\n\n\n\ncat NN\n")
    assert read_conll(path) == ([["a", "dog"], ["cat"]], [["DT", "NN"], ["NN"]])


def test_mixed_column_counts_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "c.conll"
    path.write_text("a DT O\ndog NN O\n\ncat NN\n")
    with pytest.raises(FormatError) as caught:
        read_conll(path)
    assert str(caught.value) == (
        f"{path}:4: has 2 columns but line 1 has 3: every token line must have the same columns")


def test_missing_tag_column_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "d.conll"
    path.write_text("\na DT\n")
    with pytest.raises(FormatError, match=rf"^{path}:2: has 2 column\(s\), so there is no tag column 3"):
        read_conll(path, tag_column=3)
    path.write_text("a\n")
    with pytest.raises(FormatError, match=rf"^{path}:1: has one column only"):
        read_conll(path)


def test_writer_refuses_misaligned_tags_and_spaces(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="sentence 0: 2 words but 1 tags in column 1"):
        write_conll(tmp_path / "e", [["a", "b"]], [["X"]])
    with pytest.raises(DataError, match="holds white space"):
        write_conll(tmp_path / "e", [["New York"]], [["NOUN"]])
    assert not (tmp_path / "e").exists()
