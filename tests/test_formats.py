"""Vector files: byte-exact oracles, round trips, gensim interop, bad input and fuzzing."""

from __future__ import annotations

import bz2
import contextlib
import gzip
import lzma
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import embedlab
from embedlab import EmbedlabError, FormatError, InvalidParameterError, Vectors
from embedlab.formats import _kernels as K
from embedlab.formats import _reference as R
from embedlab.formats import detect


def w2v_binary(records: list[tuple[bytes, list[float]]], dim: int, newline: bool = True) -> bytes:
    body = b"".join(
        key + b" " + struct.pack(f"<{dim}f", *values) + (b"\n" if newline else b"")
        for key, values in records
    )
    return f"{len(records)} {dim}\n".encode() + body


@pytest.fixture
def small() -> Vectors:
    return Vectors(
        ["the", "cat", "naïve", "日本"],
        np.array([[0.1, -2e-5, 3.0], [1.0, 2.5, -3.25], [3.4028235e38, 0.0, -0.0], [1e-30, 7, 8]],
                 dtype=np.float32),
        counts=[10, 5, 2, 1],
    )


# ---------------------------------------------------------------------- oracles by hand
def test_word2vec_text_by_hand(tmp_path) -> None:
    path = tmp_path / "v.txt"
    path.write_bytes(b"2 3\nking 0.5 -1 2e-3\nqueen\t1.25 0 -0\n")
    v = embedlab.load(path)
    assert detect(path) == "word2vec" and v.keys == ["king", "queen"]
    np.testing.assert_array_equal(v.matrix, np.float32([[0.5, -1, 0.002], [1.25, 0, -0.0]]))


def test_glove_tokens_with_spaces(tmp_path) -> None:
    path = tmp_path / "g.txt"
    path.write_bytes(b"new york 0.1 0.2\n. 1 2\nat&t 3 4\n\n")
    v = embedlab.load(path)
    assert detect(path) == "glove"
    assert v.keys == ["new york", ".", "at&t"]
    np.testing.assert_array_equal(v["new york"], np.float32([0.1, 0.2]))


def test_word2vec_binary_with_and_without_newlines(tmp_path) -> None:
    records = [(b"a", [1.0, 2.0]), ("é".encode(), [-0.5, 3.0e-7])]
    for newline in (True, False):
        path = tmp_path / f"b{newline}.bin"
        path.write_bytes(w2v_binary(records, 2, newline))
        v = embedlab.load(path)
        assert detect(path) == "word2vec-binary" and v.keys == ["a", "é"]
        np.testing.assert_array_equal(v.matrix, np.float32([[1, 2], [-0.5, 3.0e-7]]))


@pytest.mark.parametrize("opener", [gzip.open, bz2.open, lzma.open])
def test_compressed_inputs_by_content(tmp_path, opener) -> None:
    path = tmp_path / "vectors.data"  # no telling extension
    with opener(path, "wb") as handle:
        handle.write(w2v_binary([(b"x", [1.0]), (b"y", [2.0])], 1))
    assert embedlab.load(path).keys == ["x", "y"]


def test_limit(tmp_path, small) -> None:
    for fmt in ("word2vec", "word2vec-binary", "glove", "native"):
        path = tmp_path / f"f.{fmt}"
        embedlab.save(small, path, format=fmt)
        assert embedlab.load(path, limit=2).keys == ["the", "cat"]


# ---------------------------------------------------------------------- round trips
@pytest.mark.parametrize("fmt", ["word2vec", "word2vec-binary", "glove", "native", "projector"])
def test_round_trip_is_exact(tmp_path, small, fmt) -> None:
    path = tmp_path / f"out.{fmt}"
    embedlab.save(small, path, format=fmt)
    back = embedlab.load(path)
    assert back.keys == small.keys
    np.testing.assert_array_equal(back.matrix, small.matrix)
    assert detect(path) == fmt


def test_native_keeps_counts_metadata_and_mmaps(tmp_path, small) -> None:
    rich = Vectors(small.keys, small.matrix, counts=small.counts, metadata={"pos": ["DET", "N", "ADJ", "N"]})
    embedlab.save(rich, tmp_path / "n", format="native")
    back = embedlab.load(tmp_path / "n", mmap=True)
    base = back.matrix
    while base is not None and not isinstance(base, np.memmap):
        base = base.base
    assert isinstance(base, np.memmap), "a memory-mapped load must not copy the matrix"
    assert back.counts.tolist() == [10, 5, 2, 1] and back.metadata["pos"][2] == "ADJ"


def test_projector_files(tmp_path, small) -> None:
    tagged = Vectors(small.keys, small.matrix, metadata={"kind": ["a", "b", "c", "d"]})
    paths = embedlab.formats.projector.write_projector(tagged, tmp_path / "proj")
    assert paths["metadata"].read_text().splitlines()[:2] == ["key\tkind", "the\ta"]
    assert "tensor_path" in paths["config"].read_text()
    plain = embedlab.formats.projector.write_projector(small, tmp_path / "plain")
    assert plain["metadata"].read_text().splitlines() == small.keys  # one column: no header
    assert plain["tensor"].read_text().splitlines()[0] == "0.100000001\t-1.99999995e-05\t3"
    back = embedlab.load(tmp_path / "proj")
    assert back.keys == small.keys and back.metadata["kind"] == ["a", "b", "c", "d"]


def test_interrupted_save_keeps_the_old_file(tmp_path, small, monkeypatch) -> None:
    path = tmp_path / "v.txt"
    embedlab.save(small, path, format="word2vec")
    before = path.read_bytes()
    import embedlab.formats.text as text_module

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(text_module, "_check_key", boom)
    with pytest.raises(KeyboardInterrupt):
        embedlab.save(small, path, format="word2vec")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["v.txt"]


# ---------------------------------------------------------------------- interop with gensim
def test_gensim_reads_ours_and_we_read_gensims(tmp_path) -> None:
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(0)
    keys = [f"w{i}" for i in range(50)] + ["naïve", "日本"]
    matrix = rng.standard_normal((len(keys), 7)).astype(np.float32)
    ours = Vectors(keys, matrix)
    kv = KeyedVectors(7)
    kv.add_vectors(keys, matrix)
    for binary in (False, True):
        fmt = "word2vec-binary" if binary else "word2vec"
        mine, theirs = tmp_path / f"mine.{fmt}", tmp_path / f"theirs.{fmt}"
        embedlab.save(ours, mine, format=fmt)
        kv.save_word2vec_format(str(theirs), binary=binary)
        read_by_gensim = KeyedVectors.load_word2vec_format(str(mine), binary=binary)
        read_by_us = embedlab.load(theirs)
        assert read_by_gensim.index_to_key == keys and read_by_us.keys == keys
        np.testing.assert_array_equal(read_by_gensim.vectors, matrix)
        if binary:
            np.testing.assert_array_equal(read_by_us.matrix, matrix)
        else:  # gensim prints repr(float32): the shortest text that reads back the same
            np.testing.assert_array_equal(read_by_us.matrix, matrix)
    # Without a header: GloVe text, both ways.
    glove = tmp_path / "glove.txt"
    embedlab.save(ours, glove, format="glove")
    np.testing.assert_array_equal(
        KeyedVectors.load_word2vec_format(str(glove), no_header=True).vectors, matrix
    )
    kv.save_word2vec_format(str(tmp_path / "nh.txt"), write_header=False)
    np.testing.assert_array_equal(embedlab.load(tmp_path / "nh.txt").matrix, matrix)


# ---------------------------------------------------------------------- kernels vs reference
TRICKY = [b"1e-05", b"-0.0", b"3.4028235e38", b"0.1", b"-2.5E+3", b"123456789012345678901", b"1e-40",
          b".5", b"5.", b"+7", b"0.000000000000000000000001", b"9007199254740993", b"nan", b"-inf"]


@pytest.mark.parametrize("text", TRICKY)
def test_number_kernel_agrees_with_python(text: bytes) -> None:
    fast, code = K.parse_number(np.frombuffer(text, np.uint8), 0, len(text), K._POW10)
    if code == K.HARD:
        return  # the reader hands these to the reference, tested below
    assert code == K.OK
    assert np.float32(fast).tobytes() == np.float32(float(text)).tobytes()


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, width=32))
def test_float32_text_round_trips_exactly(value: float) -> None:
    for text in (f"{value:.9g}", f"{value:.5f}", repr(value)):
        raw = text.encode()
        fast, code = K.parse_number(np.frombuffer(raw, np.uint8), 0, len(raw), K._POW10)
        want = np.float32(float(raw))
        if code == K.OK:
            assert np.float32(fast).tobytes() == want.tobytes()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(min_size=0, max_size=40).filter(lambda b: b"\n" not in b), min_size=1, max_size=8),
       st.integers(1, 4))
def test_row_kernel_agrees_with_reference(lines: list[bytes], dim: int) -> None:
    block = b"\n".join(lines) + b"\n"
    data = np.frombuffer(block, np.uint8)
    ends = np.flatnonzero(data == 10)
    starts = np.r_[0, ends[:-1] + 1].astype(np.int64)
    out = np.zeros((len(ends), dim), np.float32)
    key_ends = np.zeros(len(ends), np.int64)
    status = np.zeros(len(ends), np.int8)
    bad = np.zeros(len(ends), np.int64)
    K.parse_text_rows(data, starts, ends, dim, out, key_ends, status, bad)
    for i, line in enumerate(lines):
        values, key_end, code, field = R.parse_text_row(line, dim)
        if status[i] == K.HARD:
            continue
        assert (status[i], key_ends[i] - starts[i]) == (code, key_end) or (
            code != K.OK and status[i] != K.OK
        )
        if code == K.OK:
            assert out[i].tobytes() == values.tobytes()


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"f.txt: the file is empty"),
        (b"3 2\na 1 2\nb 3 4\n", r"f.txt:4: the header promises 3 vectors but the file holds only 2 \(is the file truncated\?\)"),
        (b"1 2\na 1 2\nb 3 4\n", r"f.txt:3: the header promises 1 vectors but there are more lines"),
        (b"2 2\na 1 2\nb 3\n", r"f.txt:3: expected 2 values after the word, found 1 \(is the file truncated\?\)"),
        (b"2 2\na 1 2\nb 3 4 5\n", r"f.txt:3: expected 2 values after the word, found more \(3\)"),
        (b"2 2\na 1 2\nb 3 x4\n", r"f.txt:3: value 2 is not a number: 'x4'"),
        (b"2 2\na 1 2\nb nan 4\n", r"f.txt:3: the vector of 'b' holds NaN or infinite values"),
        (b"2 2\na 1 2\na 3 4\n", r"f.txt:3: duplicate key 'a' \(first at line 2\)"),
        (b"2 2\na 1 2\n\xff 3 4\n", r"f.txt:3: the key is not valid utf-8"),
        (b"a 1 2\nb 3\n", r"f.txt:2: expected 2 values after the word, found 1"),
        (b"a 1 2\nb 3 4 5\n", r"f.txt:2: expected 2 values after the word \(as on line 1\), found more"),
    ],
)
def test_text_errors_name_file_line_and_problem(tmp_path, content, message) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(content)
    with pytest.raises(FormatError, match=message):
        embedlab.load(path)


def test_policies_for_nan_duplicates_and_unicode(tmp_path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"3 2\na 1 2\na 3 4\nb inf 1\n")
    assert np.isinf(embedlab.load(path, allow_nonfinite=True, on_duplicate="first")["b"][0])
    np.testing.assert_array_equal(embedlab.load(path, allow_nonfinite=True, on_duplicate="first")["a"], [1, 2])
    np.testing.assert_array_equal(embedlab.load(path, allow_nonfinite=True, on_duplicate="last")["a"], [3, 4])
    latin = tmp_path / "l.txt"
    latin.write_bytes(b"1 1\ncaf\xe9 1\n")
    assert embedlab.load(latin, unicode_errors="replace").keys == ["caf\ufffd"]
    assert embedlab.load(latin, encoding="latin-1").keys == ["café"]
    with pytest.raises(InvalidParameterError, match="The 'on_duplicate' parameter of load"):
        embedlab.load(path, on_duplicate="mean")


def test_binary_errors(tmp_path) -> None:
    path = tmp_path / "b.bin"
    full = w2v_binary([(b"a", [1.0, 2.0]), (b"b", [3.0, 4.0])], 2)
    path.write_bytes(full[:-5])
    with pytest.raises(FormatError, match=r"b.bin: the header promises 2 vectors of 2 float32 but the data ends after 1 complete records, at byte"):
        embedlab.load(path)
    path.write_bytes(w2v_binary([(b"a", [1.0]), (b"a", [2.0])], 1))
    with pytest.raises(FormatError, match=r"record 2: duplicate key 'a' \(first at record 1\)"):
        embedlab.load(path)
    path.write_bytes(b"2 x\n")
    with pytest.raises(FormatError, match=r"b.bin:1: expected a header '<count> <dimensions>'"):
        embedlab.load(path, format="word2vec-binary")


def test_unknown_things(tmp_path) -> None:
    with pytest.raises(FormatError, match="no such file"):
        embedlab.load(tmp_path / "missing.txt")
    (tmp_path / "x").write_bytes(b"\x00\x01\x02\x03garbage")
    with pytest.raises(FormatError, match="unrecognised binary file"):
        embedlab.load(tmp_path / "x")
    with pytest.raises(InvalidParameterError, match="The 'format' parameter of load"):
        embedlab.load(tmp_path / "x", format="pickle")
    with pytest.raises(InvalidParameterError, match="cannot be written in this format"):
        embedlab.save(Vectors(["a b"], np.ones((1, 2))), tmp_path / "s.txt", format="word2vec")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300), st.sampled_from(["auto", "word2vec", "word2vec-binary", "glove", "projector"]))
def test_fuzz_only_embedlab_errors_escape(tmp_path, data: bytes, fmt: str) -> None:
    path = tmp_path / "fuzz.bin"
    path.write_bytes(data)
    with contextlib.suppress(EmbedlabError):
        embedlab.load(path, format=fmt)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzz_mutated_valid_files(tmp_path, data) -> None:
    base = w2v_binary([(b"alpha", [1.0, 2.0]), (b"beta", [3.0, -4.0])], 2)
    text = b"2 2\nalpha 1 2\nbeta 3 -4\n"
    blob = bytearray(data.draw(st.sampled_from([base, text])))
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(blob) - 1))
        blob[pos] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(blob)))
    path = tmp_path / "m.bin"
    path.write_bytes(bytes(blob[:cut]))
    with contextlib.suppress(EmbedlabError):
        embedlab.load(path)
