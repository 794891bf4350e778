"""Vector files: byte-exact oracles, round trips, gensim interop, bad input."""

from __future__ import annotations

import bz2
import gzip
import lzma
import struct

import numpy as np
import pytest

import embedlab
from embedlab import FormatError, InvalidParameterError, Vectors
from embedlab.formats import _chunks, detect


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
    assert np.signbit(v.matrix[1, 2])  # "-0" stays negative zero


def test_glove_tokens_with_spaces(tmp_path) -> None:
    path = tmp_path / "g.txt"
    path.write_bytes(b"new york 0.1 0.2\n. 1 2\nat&t 3 4\n. . . 5 6\n\n")
    v = embedlab.load(path)
    assert detect(path) == "glove"
    assert v.keys == ["new york", ".", "at&t", ". . ."]
    np.testing.assert_array_equal(v["new york"], np.float32([0.1, 0.2]))
    np.testing.assert_array_equal(v[". . ."], np.float32([5, 6]))


def test_crlf_bom_blank_lines_and_no_final_newline(tmp_path) -> None:
    path = tmp_path / "w.txt"
    path.write_bytes(b"\xef\xbb\xbf2 2\r\n\r\na 1 2\r\n   \n\tb 3 4")
    v = embedlab.load(path)
    assert v.keys == ["a", "b"]
    np.testing.assert_array_equal(v.matrix, np.float32([[1, 2], [3, 4]]))


TRICKY = ["1e-05", "-0.0", "3.4028235e38", "0.1", "-2.5E+3", "123456789012345678901", "1e-40",
          ".5", "5.", "+7", "0.000000000000000000000001", "9007199254740993", "1.17549435e-38",
          "0.30000000000000004", "16777217", "-1e-45", "7E2", "0.41242000000000001"]


def test_tricky_numbers_parse_exactly_like_numpy(tmp_path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("".join(f"w{i} {t} {t}\n" for i, t in enumerate(TRICKY)))
    v = embedlab.load(path, format="glove")
    want = np.float32([float(t) for t in TRICKY])
    assert v.matrix[:, 0].tobytes() == want.tobytes()  # bit for bit, signs of zero included


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
    glove = tmp_path / "glove.data"
    with opener(glove, "wb") as handle:
        handle.write(b"x 1 2\ny 3 4\n")
    assert detect(glove) == "glove"
    np.testing.assert_array_equal(embedlab.load(glove)["y"], [3, 4])


def test_blocks_boundaries_do_not_matter(tmp_path, monkeypatch) -> None:
    rng = np.random.default_rng(1)
    keys = [f"k{i}" for i in range(300)]
    matrix = rng.standard_normal((300, 5)).astype(np.float32)
    ours = Vectors(keys, matrix)
    for fmt in ("glove", "word2vec", "word2vec-binary"):
        embedlab.save(ours, tmp_path / fmt, format=fmt)
    whole = {fmt: embedlab.load(tmp_path / fmt) for fmt in ("glove", "word2vec", "word2vec-binary")}
    monkeypatch.setattr(_chunks, "CHUNK", 97)  # lines and records cut everywhere
    for fmt, expected in whole.items():
        v = embedlab.load(tmp_path / fmt)
        assert v.keys == keys and v.matrix.tobytes() == expected.matrix.tobytes() == matrix.tobytes()


def test_limit(tmp_path, small) -> None:
    for fmt in ("word2vec", "word2vec-binary", "glove", "native"):
        path = tmp_path / f"f.{fmt}"
        embedlab.save(small, path, format=fmt)
        v = embedlab.load(path, limit=2)
        assert v.keys == ["the", "cat"] and v.matrix.shape == (2, 3)
        assert len(embedlab.load(path, limit=0)) == 0


# ---------------------------------------------------------------------- round trips
@pytest.mark.parametrize("fmt", ["word2vec", "word2vec-binary", "glove", "native", "projector"])
def test_round_trip_is_exact(tmp_path, small, fmt) -> None:
    path = tmp_path / f"out.{fmt}"
    embedlab.save(small, path, format=fmt)
    back = embedlab.load(path)
    assert back.keys == small.keys
    assert back.matrix.tobytes() == small.matrix.tobytes()
    assert detect(path) == fmt


def test_fasttext_vec_is_word2vec_text(tmp_path, small) -> None:
    embedlab.save(small, tmp_path / "a.vec", format="fasttext-vec")
    embedlab.save(small, tmp_path / "a.txt", format="word2vec")
    assert (tmp_path / "a.vec").read_bytes() == (tmp_path / "a.txt").read_bytes()
    assert embedlab.load(tmp_path / "a.vec", format="fasttext-vec").keys == small.keys


def test_text_precision_option(tmp_path, small) -> None:
    embedlab.save(small.top(2), tmp_path / "g.txt", format="glove", precision=5)
    assert (tmp_path / "g.txt").read_text().splitlines()[0] == "the 0.10000 -0.00002 3.00000"


def test_native_keeps_counts_metadata_and_mmaps(tmp_path, small) -> None:
    rich = Vectors(small.keys, small.matrix, counts=small.counts,
                   metadata={"pos": ["DET", "N", "ADJ", "N"]})
    embedlab.save(rich, tmp_path / "n", format="native")
    assert sorted(p.name for p in (tmp_path / "n").iterdir()) == [
        "counts.npy", "keys.txt", "meta.json", "vectors.npy"]
    back = embedlab.load(tmp_path / "n", mmap=True)
    base = back.matrix
    while base is not None and not isinstance(base, np.memmap):
        base = base.base
    assert isinstance(base, np.memmap), "a memory-mapped load must not copy the matrix"
    assert back.counts.tolist() == [10, 5, 2, 1] and back.metadata["pos"][2] == "ADJ"
    assert embedlab.load(tmp_path / "n", limit=1).metadata == {"pos": ["DET"]}


def test_native_keys_with_line_breaks_use_json(tmp_path) -> None:
    odd = Vectors(["a\nb", "c\rd", " e "], np.eye(3, dtype=np.float32))
    embedlab.save(odd, tmp_path / "n", format="native")
    assert (tmp_path / "n" / "keys.json").exists()
    assert embedlab.load(tmp_path / "n").keys == ["a\nb", "c\rd", " e "]


def test_native_refuses_to_replace_other_things(tmp_path, small) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    with pytest.raises(FormatError, match="refusing to overwrite"):
        embedlab.save(small, tmp_path / "mine", format="native")
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"


def test_projector_files(tmp_path, small) -> None:
    tagged = Vectors(small.keys, small.matrix, metadata={"kind": ["a", "b", "c", "d"]})
    embedlab.save(tagged, tmp_path / "proj", format="projector")
    back = embedlab.load(tmp_path / "proj")
    assert back.keys == small.keys and back.metadata["kind"] == ["a", "b", "c", "d"]
    assert detect(tmp_path / "proj" / "tensors.tsv") == "projector"


class _Exploding:
    """A matrix that interrupts whoever reads it (Ctrl-C in the middle of a save)."""

    def __getitem__(self, item):
        raise KeyboardInterrupt

    def __array__(self, *args, **kwargs):
        raise KeyboardInterrupt


class _Interrupted(Vectors):
    @property
    def matrix(self):
        return _Exploding()


@pytest.mark.parametrize("fmt", ["word2vec", "word2vec-binary", "glove", "native"])
def test_interrupted_save_keeps_the_old_file(tmp_path, small, fmt) -> None:
    path = tmp_path / "v"
    embedlab.save(small, path, format=fmt)

    def snapshot() -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in ([path] if path.is_file() else path.iterdir())}

    before = snapshot()
    with pytest.raises(KeyboardInterrupt):
        embedlab.save(_Interrupted(["x", "y"], np.ones((2, 3))), path, format=fmt)
    assert snapshot() == before
    assert [p.name for p in tmp_path.iterdir()] == ["v"]  # no temporary left behind
    assert embedlab.load(path).keys == small.keys


# ---------------------------------------------------------------------- interop with gensim
@pytest.fixture
def gensim_pair():
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(0)
    keys = [f"w{i}" for i in range(50)] + ["naïve", "日本", "x-y_z"]
    matrix = (rng.standard_normal((len(keys), 7)) * rng.choice([1e-6, 1, 1e6], (len(keys), 1)))
    matrix = matrix.astype(np.float32)
    kv = KeyedVectors(7)
    kv.add_vectors(keys, matrix)
    return kv, Vectors(keys, matrix)


@pytest.mark.parametrize("binary", [False, True])
def test_gensim_reads_ours_and_we_read_gensims(tmp_path, gensim_pair, binary) -> None:
    from gensim.models import KeyedVectors

    kv, ours = gensim_pair
    fmt = "word2vec-binary" if binary else "word2vec"
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    embedlab.save(ours, mine, format=fmt)
    kv.save_word2vec_format(str(theirs), binary=binary)
    read_by_gensim = KeyedVectors.load_word2vec_format(str(mine), binary=binary)
    read_by_us = embedlab.load(theirs)
    assert detect(theirs) == fmt
    assert read_by_gensim.index_to_key == ours.keys and read_by_us.keys == ours.keys
    # Binary is float32 either way; gensim prints text as repr(float32), the shortest text
    # that reads back the same, and we print 9 significant digits: exact both ways.
    assert read_by_gensim.vectors.tobytes() == ours.matrix.tobytes()
    assert read_by_us.matrix.tobytes() == ours.matrix.tobytes()


@pytest.mark.parametrize("binary", [False, True])
def test_gensim_without_header_both_ways(tmp_path, gensim_pair, binary) -> None:
    from gensim.models import KeyedVectors

    kv, ours = gensim_pair
    # gensim writes headerless files with write_header=False (text: GloVe; binary: no header).
    theirs = tmp_path / "theirs"
    kv.save_word2vec_format(str(theirs), binary=binary, write_header=False)
    if binary:  # headerless binary is not a format anyone can read back without the shape
        with pytest.raises(FormatError):
            embedlab.load(theirs)
        return
    assert detect(theirs) == "glove"
    assert embedlab.load(theirs).matrix.tobytes() == ours.matrix.tobytes()
    mine = tmp_path / "mine.txt"
    embedlab.save(ours, mine, format="glove")
    back = KeyedVectors.load_word2vec_format(str(mine), no_header=True)
    assert back.index_to_key == ours.keys and back.vectors.tobytes() == ours.matrix.tobytes()


def test_gensim_reads_our_records_without_newlines(tmp_path, gensim_pair) -> None:
    from gensim.models import KeyedVectors

    _kv, ours = gensim_pair
    embedlab.save(ours, tmp_path / "b", format="word2vec-binary", newline=False)
    back = KeyedVectors.load_word2vec_format(str(tmp_path / "b"), binary=True)
    assert back.index_to_key == ours.keys and back.vectors.tobytes() == ours.matrix.tobytes()


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"f.txt: the file is empty"),
        (b"\n\n", r"f.txt: the file is empty"),
        (b"3 2\na 1 2\nb 3 4\n", r"f.txt:4: the header promises 3 vectors but the file holds only "
                                 r"2 \(is the file truncated\?\)"),
        (b"1 2\na 1 2\nb 3 4\n", r"f.txt:3: the header promises 1 vectors but there are more lines"),
        (b"2 2\na 1 2\nb 3\n", r"f.txt:3: expected 2 values after the word, found 1 "
                               r"\(is the file truncated\?\)"),
        (b"2 2\na 1 2\nb 3 4 5\n", r"f.txt:3: expected 2 values after the word, found 3"),
        (b"2 2\na 1 2\nb 3 x4\n", r"f.txt:3: expected a number as value 2, found 'x4'"),
        (b"2 2\na 1 2\nb 1e 4\n", r"f.txt:3: expected a number as value 1, found '1e'"),
        (b"2 2\na 1 2\nb nan 4\n", r"f.txt:3: the vector of 'b' holds NaN or infinite values"),
        (b"2 2\na 1 2\nb 1 1e39\n", r"f.txt:3: the vector of 'b' holds NaN or infinite values"),
        (b"2 2\na 1 2\na 3 4\n", r"f.txt:3: duplicate key 'a' \(first at line 2\)"),
        (b"2 2\na 1 2\n\xff 3 4\n", r"f.txt:3: the key '\\xff' is not valid utf-8"),
        (b"a 1 2\nb 3\n", r"f.txt:2: expected 2 values after the word, found 1"),
        (b"a 1 2\nb 3 4 5\n", r"f.txt:2: expected 2 values after the word \(as on line 1\), found more"),
        (b"2 x\n", r"f.txt:1: expected a vector file"),
        (b"hello world\n", r"f.txt:1: expected a vector file .* found 'hello world'"),
    ],
)
def test_text_errors_name_file_line_and_problem(tmp_path, content, message) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(content)
    with pytest.raises(FormatError, match=message):
        embedlab.load(path)


def test_errors_when_the_format_is_forced(tmp_path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"2 x\n")
    with pytest.raises(FormatError, match=r"f.txt:1: expected a header '<count> <dimensions>', found '2 x'"):
        embedlab.load(path, format="word2vec")
    with pytest.raises(FormatError, match=r"f.txt:1: expected a word followed by numbers"):
        embedlab.load(path, format="glove")
    path.write_bytes(b"")
    for fmt in ("word2vec", "glove", "word2vec-binary"):
        with pytest.raises(FormatError, match="the file is empty"):
            embedlab.load(path, format=fmt)


def test_truncated_compressed_file(tmp_path) -> None:
    path = tmp_path / "v.gz"
    path.write_bytes(gzip.compress(b"2 2\na 1 2\nb 3 4\n" * 50)[:-12])
    with pytest.raises(FormatError, match="v.gz"):
        embedlab.load(path)


def test_policies_for_nan_duplicates_and_unicode(tmp_path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"4 2\na 1 2\nb inf 1\na 3 4\nc NaN -Infinity\n")
    first = embedlab.load(path, allow_nonfinite=True, on_duplicate="first")
    last = embedlab.load(path, allow_nonfinite=True, on_duplicate="last")
    assert first.keys == last.keys == ["a", "b", "c"]
    np.testing.assert_array_equal(first["a"], [1, 2])
    np.testing.assert_array_equal(last["a"], [3, 4])
    assert np.isinf(first["b"][0]) and np.isnan(first["c"][0]) and first["c"][1] == -np.inf
    latin = tmp_path / "l.txt"
    latin.write_bytes(b"1 1\ncaf\xe9 1\n")
    assert embedlab.load(latin, unicode_errors="replace").keys == ["caf\ufffd"]
    assert embedlab.load(latin, unicode_errors="ignore").keys == ["caf"]
    assert embedlab.load(latin, encoding="latin-1").keys == ["café"]
    with pytest.raises(InvalidParameterError, match="The 'on_duplicate' parameter of load"):
        embedlab.load(path, on_duplicate="mean")
    with pytest.raises(InvalidParameterError, match="The 'unicode_errors' parameter of load"):
        embedlab.load(path, unicode_errors="loose")
    with pytest.raises(InvalidParameterError, match="The 'encoding' parameter of load"):
        embedlab.load(path, encoding="klingon")
    with pytest.raises(InvalidParameterError, match="The 'limit' parameter of load"):
        embedlab.load(path, limit=-1)


def test_binary_errors_name_record_and_byte(tmp_path) -> None:
    path = tmp_path / "b.bin"
    full = w2v_binary([(b"a", [1.0, 2.0]), (b"b", [3.0, 4.0])], 2)
    path.write_bytes(full[:-5])
    with pytest.raises(FormatError, match=r"b.bin: the header promises 2 vectors of 2 float32 but "
                                          r"record 2 \(at byte 15\) is cut short at byte 21"):
        embedlab.load(path)
    path.write_bytes(full[:15])
    with pytest.raises(FormatError, match=r"but the data ends after 1 records, at byte 15"):
        embedlab.load(path)
    path.write_bytes(full + b"c " + b"\x00" * 8)
    with pytest.raises(FormatError, match=r"the header promises 2 vectors but more data follows at byte 26"):
        embedlab.load(path)
    path.write_bytes(w2v_binary([(b"a", [1.0]), (b"a", [2.0])], 1))
    with pytest.raises(FormatError, match=r"record 2 at byte 11: duplicate key 'a' \(first at byte 4\)"):
        embedlab.load(path)
    assert embedlab.load(path, on_duplicate="last")["a"][0] == 2.0
    path.write_bytes(w2v_binary([(b"a", [1.0]), (b"\xffz", [2.0])], 1))
    with pytest.raises(FormatError, match=r"record 2 at byte 11: the key '\\xffz' is not valid utf-8"):
        embedlab.load(path)
    assert embedlab.load(path, unicode_errors="replace").keys == ["a", "\ufffdz"]
    path.write_bytes(w2v_binary([(b"a", [1.0]), (b"b", [float("nan")])], 1))
    with pytest.raises(FormatError, match=r"record 2 at byte 11: the vector of 'b' holds NaN"):
        embedlab.load(path)
    assert np.isnan(embedlab.load(path, allow_nonfinite=True)["b"][0])
    path.write_bytes(b"2 x\n")
    with pytest.raises(FormatError, match=r"b.bin:1: expected a header '<count> <dimensions>'"):
        embedlab.load(path, format="word2vec-binary")


def test_unknown_things(tmp_path) -> None:
    with pytest.raises(FormatError, match="no such file"):
        embedlab.load(tmp_path / "missing.txt")
    (tmp_path / "x").write_bytes(b"\x00\x01\x02\x03garbage")
    with pytest.raises(FormatError, match="unrecognised binary data"):
        embedlab.load(tmp_path / "x")
    (tmp_path / "d").mkdir()
    with pytest.raises(FormatError, match="found a folder with neither"):
        embedlab.load(tmp_path / "d")
    with pytest.raises(InvalidParameterError, match="The 'format' parameter of load"):
        embedlab.load(tmp_path / "x", format="pickle")
    with pytest.raises(InvalidParameterError, match="The 'format' parameter of save"):
        embedlab.save(Vectors(["a"], np.ones((1, 2))), tmp_path / "s", format="pickle")
    with pytest.raises(InvalidParameterError, match="cannot be written in this format"):
        embedlab.save(Vectors(["a b"], np.ones((1, 2))), tmp_path / "s.txt", format="word2vec")
    with pytest.raises(InvalidParameterError, match="cannot be written in this format"):
        embedlab.save(Vectors(["route 66"], np.ones((1, 2))), tmp_path / "s.txt", format="glove")
    assert not (tmp_path / "s.txt").exists()
