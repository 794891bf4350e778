"""The contract every vector format passes (issue 11): an exact round trip, and a clear
FormatError for a truncated file, a row of the wrong dimension and non-finite values.

Native folders and projector files take part in the round trip through the public
``embedlab.save``/``embedlab.load`` only; the damage cases are about single-file readers.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

import embedlab
from embedlab import FormatError, Vectors

ROUND_TRIP = ["word2vec", "fasttext-vec", "word2vec-binary", "glove", "fasttext-bin", "native",
              "projector"]
SINGLE_FILE = ["word2vec", "fasttext-vec", "word2vec-binary", "glove", "fasttext-bin"]


def _vectors(allow_nonfinite: bool = False) -> Vectors:
    matrix = np.array([[0.1, -2e-5, 3.0], [1.0, 2.5, -3.25], [3.4028235e38, 0.0, -0.0],
                       [1e-30, 7, 8]], dtype=np.float32)
    if allow_nonfinite:
        matrix[1, 1] = np.nan
    return Vectors(["the", "cat", "naïve", "日本"], matrix, counts=[10, 5, 2, 1],
                   allow_nonfinite=allow_nonfinite)


def _path(tmp_path: Path, fmt: str) -> Path:
    return tmp_path / ("out" if fmt in ("native", "projector") else f"out.{fmt}")


@pytest.mark.parametrize("fmt", ROUND_TRIP)
def test_round_trip_is_exact(tmp_path: Path, fmt: str) -> None:
    vectors = _vectors()
    path = _path(tmp_path, fmt)
    embedlab.save(vectors, path, format=fmt)
    back = embedlab.load(path, progress=False)
    assert back.keys == vectors.keys
    if fmt == "fasttext-bin":  # fastText adds a word's rows to a zero vector: -0.0 becomes 0.0
        np.testing.assert_array_equal(back.matrix, vectors.matrix)
    else:
        assert np.asarray(back.matrix).tobytes() == vectors.matrix.tobytes()  # bit for bit


@pytest.mark.parametrize("fmt", SINGLE_FILE)
def test_saved_again_the_file_is_byte_identical(tmp_path: Path, fmt: str) -> None:
    first = _path(tmp_path, fmt)
    embedlab.save(_vectors(), first, format=fmt)
    second = tmp_path / "again"
    embedlab.save(embedlab.load(first, progress=False), second, format=fmt)
    assert second.read_bytes() == first.read_bytes()


@pytest.mark.parametrize("fmt", SINGLE_FILE)
def test_truncation_is_a_format_error(tmp_path: Path, fmt: str) -> None:
    path = _path(tmp_path, fmt)
    embedlab.save(_vectors(), path, format=fmt)
    whole = path.read_bytes()
    # GloVe has no header: only a cut that leaves a line after the first short of values can
    # be noticed (one inside the last number, "-3.25" -> "-3.", reads as a valid file).
    cuts = ((len(whole) - 7, whole.index(b"cat 1 ") + 6) if fmt == "glove"
            else (len(whole) - 7, len(whole) // 2, 12))
    for cut in cuts:
        path.write_bytes(whole[:cut])
        with pytest.raises(FormatError, match=rf"out\.{fmt}"):
            embedlab.load(path, format=fmt, progress=False)


def _wrong_dimension(fmt: str, data: bytes) -> bytes:
    """The same file with one row (or the header) giving the wrong number of values."""
    if fmt in ("word2vec", "fasttext-vec", "glove"):
        lines = data.split(b"\n")
        row = 2 if fmt != "glove" else 1
        lines[row] = lines[row].rsplit(b" ", 1)[0]  # the second vector loses a value
        return b"\n".join(lines)
    if fmt == "word2vec-binary":
        return data.replace(b"4 3\n", b"4 4\n", 1)
    damaged = bytearray(data)
    struct.pack_into("<i", damaged, 8, 4)  # fastText: the dim argument
    return bytes(damaged)


@pytest.mark.parametrize("fmt", SINGLE_FILE)
def test_a_wrong_dimension_is_a_format_error(tmp_path: Path, fmt: str) -> None:
    path = _path(tmp_path, fmt)
    embedlab.save(_vectors(), path, format=fmt)
    path.write_bytes(_wrong_dimension(fmt, path.read_bytes()))
    with pytest.raises(FormatError, match=r"(expected 3 values|expected an input matrix of "
                                          r"\d+ x 4|header promises 4 vectors of 4|out of step|dimension right)"):
        embedlab.load(path, format=fmt, progress=False)


@pytest.mark.parametrize("fmt", SINGLE_FILE)
def test_non_finite_values_are_refused_unless_allowed(tmp_path: Path, fmt: str) -> None:
    path = _path(tmp_path, fmt)
    embedlab.save(_vectors(allow_nonfinite=True), path, format=fmt)
    with pytest.raises(FormatError, match=r"NaN or infinite.*allow_nonfinite=True"):
        embedlab.load(path, format=fmt, progress=False)
    back = embedlab.load(path, format=fmt, allow_nonfinite=True, progress=False)
    assert np.isnan(back["cat"][1]) and back["cat"][0] == 1.0
