"""The C kernels of the readers against their plain-Python twins, and fuzzing of every reader:
nothing but EmbedlabError may escape. Tests that take ``parse`` run on the C kernels, then on
the reference standing in for them (in the readers too)."""

from __future__ import annotations

import contextlib
import shutil
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import embedlab
from embedlab import EmbedlabError, Vectors
from embedlab.formats import _parse_kernels as K
from embedlab.formats import _parse_reference as R
from kernel_impls import implementations

parse = implementations("embedlab.formats._parse_kernels")
SHARED_FIXTURE = [HealthCheck.function_scoped_fixture]

TRICKY = [b"1e-05", b"-0.0", b"3.4028235e38", b"0.1", b"-2.5E+3", b"123456789012345678901",
          b"1e-40", b".5", b"5.", b"+7", b"0.000000000000000000000001", b"9007199254740993",
          b"nan", b"-inf", b"1e", b"--1", b"1.2.3", b"0x10", b"1_000", b"."]


def test_number_kernel_agrees_with_python() -> None:
    for text in TRICKY:
        fast, code = K.parse_number(text)
        want, want_code = R.parse_number(text)
        if code == K.HARD:
            continue  # declined: the reader hands these to the reference
        assert code == want_code, text
        if code == K.OK:
            assert np.float32(fast).tobytes() == np.float32(want).tobytes(), text


@settings(max_examples=300, deadline=None, suppress_health_check=SHARED_FIXTURE)
@given(st.floats(allow_nan=False, allow_infinity=False, width=32))
def test_float32_text_round_trips_exactly(parse, value: float) -> None:  # type: ignore[no-untyped-def]
    for text in (f"{value:.9g}", f"{value:.5f}", f"{value:.6e}", repr(value)):
        raw = text.encode()
        fast, code = parse.parse_number(raw)
        if code == parse.OK:
            assert np.float32(fast).tobytes() == np.float32(float(raw)).tobytes()


def _block(impl, block: bytes, dim: int, segments: int) -> tuple[np.ndarray, ...]:  # type: ignore[no-untyped-def]
    """The fast tier on a whole block, cut into segments as the text reader cuts it."""
    buf = np.frombuffer(block, np.uint8)
    bounds = impl.segment_bounds(buf, len(buf), segments)
    counts = [impl.count_newlines(buf, bounds[t], bounds[t + 1]) for t in range(segments)]
    assert sum(counts) == block.count(b"\n")
    first = np.cumsum([0, *counts[:-1]])
    n = sum(counts)
    out = np.zeros((n, dim), np.float32)
    starts, ends, key_ends = (np.zeros(n, np.int64) for _ in range(3))
    status = np.zeros(n, np.int8)
    for t in range(segments):  # in reverse, to show that segments are independent
        t = segments - 1 - t
        impl.parse_text_segment(buf, bounds[t], bounds[t + 1], first[t], dim, out, 0, starts, ends,
                                key_ends, status)
    return out, starts, ends, key_ends, status


_FIELD = st.one_of(
    st.sampled_from([b"0.5", b"-0.26010", b"1e-05", b"-0", b"3.4028235e38", b"nan", b"x", b"7.",
                     b"12345678901234567", b"1e3", b"\xc3\xa9", b"\r", b"1.0e+2"]),
    st.floats(width=32, allow_nan=False, allow_infinity=False).map(lambda f: f"{f:.6g}".encode()),
)
_LINE = st.tuples(
    st.lists(_FIELD, min_size=0, max_size=6),
    st.sampled_from([b" ", b"\t", b"  "]),
    st.sampled_from([b"", b"\r", b" "]),
).map(lambda t: t[1].join(t[0]) + t[2])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, min_size=1, max_size=12), st.integers(1, 4), st.integers(1, 5))
def test_fast_tier_agrees_with_reference(lines: list[bytes], dim: int, segments: int) -> None:
    block = b"\n".join(lines) + b"\n"
    out, starts, ends, key_ends, status = _block(K, block, dim, segments)
    r_out, r_starts, r_ends, r_key_ends, r_status = _block(R, block, dim, segments)
    assert starts.tolist() == r_starts.tolist() and ends.tolist() == r_ends.tolist()
    offset = 0
    for i, line in enumerate(lines):
        assert starts[i] == offset and ends[i] == offset + len(line)
        assert (status[i] == K.BLANK) == (r_status[i] == K.BLANK), line
        if status[i] == K.OK:  # what the fast tier accepts, the reference reads the same way
            assert r_status[i] == K.OK, line
            assert out[i].tobytes() == r_out[i].tobytes(), line
            assert key_ends[i] == r_key_ends[i]
        else:
            assert status[i] in (K.SLOW, K.BLANK)
        if r_status[i] == K.OK:  # and the whole-line parser agrees with both
            values, key_end, code, _ = R.parse_text_row(line, dim)
            assert code == K.OK and values.tobytes() == r_out[i].tobytes(), line
            assert key_end == r_key_ends[i] - starts[i]
        offset += len(line) + 1


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(min_size=0, max_size=40).filter(lambda b: b"\n" not in b), min_size=1,
                max_size=8),
       st.integers(1, 4))
def test_slow_tier_agrees_with_reference(lines: list[bytes], dim: int) -> None:
    block = b"\n".join(lines) + b"\n"
    data = np.frombuffer(block, np.uint8)
    ends = np.flatnonzero(data == 10)
    starts = np.r_[0, ends[:-1] + 1].astype(np.int64)
    results = []
    for impl in (K, R):
        out = np.zeros((len(ends), dim), np.float32)
        key_ends = np.zeros(len(ends), np.int64)
        status = np.zeros(len(ends), np.int8)
        bad = np.zeros(len(ends), np.int64)
        impl.parse_text_rows(data, starts, ends, dim, out, key_ends, status, bad)
        results.append((out, key_ends, status, bad))
    (out, key_ends, status, bad), (r_out, r_key_ends, r_status, r_bad) = results
    for i, line in enumerate(lines):
        if status[i] == K.HARD:  # declined by C: the reader asks parse_text_row
            assert R.parse_text_row(line, dim)[2] == r_status[i]
            continue
        assert (status[i], key_ends[i]) == (r_status[i], r_key_ends[i]), line
        if status[i] == K.OK:
            assert out[i].tobytes() == r_out[i].tobytes()
        elif status[i] != K.EMPTY_KEY:
            assert bad[i] == r_bad[i], line


@settings(max_examples=200, deadline=None, suppress_health_check=SHARED_FIXTURE)
@given(st.binary(max_size=200))
def test_newline_count_is_exact(parse, data: bytes) -> None:  # type: ignore[no-untyped-def]
    buf = np.frombuffer(data + b"\n", np.uint8)
    for segments in (1, 3):
        bounds = parse.segment_bounds(buf, len(buf), segments)
        assert bounds == K.segment_bounds(buf, len(buf), segments)
        assert bounds[0] == 0 and bounds[-1] == len(buf) and (np.diff(bounds) >= 0).all()
        counts = [parse.count_newlines(buf, bounds[t], bounds[t + 1]) for t in range(segments)]
        assert sum(counts) == data.count(b"\n") + 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=120), st.integers(1, 3))
def test_binary_scan_agrees_with_reference(data: bytes, dim: int) -> None:
    buf = np.frombuffer(data, np.uint8)
    most = len(data) + 1
    found = []
    for impl in (K, R):
        key_starts, key_ends, offsets = (np.zeros(most, np.int64) for _ in range(3))
        n, pos = impl.scan_binary_records(buf, 0, len(buf), dim, most, key_starts, key_ends, offsets)
        found.append((n, pos, key_starts.tolist(), key_ends.tolist(), offsets.tolist()))
    assert found[0] == found[1]
    n, pos, key_starts, key_ends, offsets = found[0]
    for k in range(n):  # a record: a word without spaces, a space, then 4 * dim bytes
        assert b" " not in data[key_starts[k] : key_ends[k]] and data[key_ends[k]] == 32
        assert offsets[k] == key_ends[k] + 1 and offsets[k] + 4 * dim <= len(data)
    assert pos == (offsets[n - 1] + 4 * dim if n else 0)


def test_gather_keys(parse) -> None:  # type: ignore[no-untyped-def]
    buf = np.frombuffer(b"ab cd e", np.uint8)
    assert parse.gather_keys(buf, np.array([0, 3, 6]), np.array([2, 5, 7])) == b"ab\ncd\ne"


def test_copy_records_copies_and_finds_the_first_nonfinite_row(parse) -> None:  # type: ignore[no-untyped-def]
    rows = np.arange(12, dtype=np.float32).reshape(4, 3)
    buf = np.frombuffer(b"".join(b"k " + r.tobytes() for r in rows), np.uint8).copy()
    offsets = np.arange(4, dtype=np.int64) * 14 + 2
    out = np.zeros((4, 3), np.float32)
    assert parse.copy_records(buf, offsets, 12, out) == -1
    assert out.tobytes() == rows.tobytes()
    buf.view(np.uint8)[2 * 14 + 2 + 4 : 2 * 14 + 2 + 8] = np.frombuffer(np.float32(np.inf).tobytes(), np.uint8)
    assert parse.copy_records(buf, offsets, 12, out) == 2
    assert np.isinf(out[2, 1]) and out[3].tolist() == rows[3].tolist()  # and it copies on


def test_kernels_refuse_indices_outside_their_buffers(parse) -> None:  # type: ignore[no-untyped-def]
    """A wrong call from Python is a ValueError, never a read or write out of bounds."""
    buf = np.frombuffer(b"a 1\nb 2\n", np.uint8)
    small = np.zeros(1, np.int64)
    with pytest.raises(ValueError, match="out of range"):
        parse.count_newlines(buf, 0, 99)
    with pytest.raises(ValueError, match="out of range"):  # two lines, room for one
        parse.parse_text_segment(buf, 0, len(buf), 0, 1, np.zeros((1, 1), np.float32), 0, small,
                             small.copy(), small.copy(), np.zeros(1, np.int8))
    with pytest.raises(ValueError, match="must end with a newline"):  # the parser relies on it
        parse.parse_text_segment(buf, 0, 3, 0, 1, np.zeros((2, 1), np.float32), 0, small.repeat(2),
                             small.repeat(2), small.repeat(2), np.zeros(2, np.int8))
    with pytest.raises(ValueError, match="out of range"):
        parse.gather_keys(buf, np.array([0]), np.array([50]))
    with pytest.raises(ValueError, match="out of range"):
        parse.copy_records(buf, np.array([6]), 4, np.zeros(4, np.uint8))
    with pytest.raises(ValueError, match="out of range"):
        parse.parse_text_rows(buf, np.array([0]), np.array([3]), 1, np.zeros((1, 1), np.float32),
                          small, np.zeros(0, np.int8), small.copy())


# ---------------------------------------------------------------------- fuzzing every reader
def _valid_files(tmp_path) -> dict[str, bytes]:
    v = Vectors(["alpha", "beta"], np.float32([[1.0, 2.0], [3.0, -4.0]]))
    files = {}
    for fmt in ("word2vec", "word2vec-binary", "glove"):
        embedlab.save(v, tmp_path / fmt, format=fmt)
        files[fmt] = (tmp_path / fmt).read_bytes()
    files["projector"] = b"1\t2\n3\t-4\n"
    files["fasttext-bin"] = struct.pack("<2i", 793712314, 12) + bytes(range(64))
    return files


READERS = ["auto", "word2vec", "word2vec-binary", "glove", "fasttext-vec", "projector",
           "fasttext-bin"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300), st.sampled_from(READERS))
def test_fuzz_random_bytes(parse, tmp_path, data: bytes, fmt: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "fuzz.bin"
    path.write_bytes(data)
    with contextlib.suppress(EmbedlabError):
        embedlab.load(path, format=fmt, progress=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzz_mutated_valid_files(parse, tmp_path, data) -> None:  # type: ignore[no-untyped-def]
    files = _valid_files(tmp_path)
    fmt = data.draw(st.sampled_from(sorted(files)))
    blob = bytearray(files[fmt])
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(blob) - 1))
        blob[pos] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(blob)))
    path = tmp_path / "m.bin"
    path.write_bytes(bytes(blob[:cut]))
    for reader in ("auto", fmt):
        with contextlib.suppress(EmbedlabError):
            embedlab.load(path, format=reader, on_duplicate=data.draw(
                st.sampled_from(["error", "first", "last"])), progress=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["meta.json", "keys.txt", "vectors.npy", "counts.npy"]),
       st.binary(max_size=80))
def test_fuzz_native_folder(tmp_path, name: str, junk: bytes) -> None:
    folder = tmp_path / "native"
    shutil.rmtree(folder, ignore_errors=True)
    v = Vectors(["a", "b"], np.eye(2, dtype=np.float32), counts=[2, 1])
    embedlab.save(v, folder, format="native")
    (folder / name).write_bytes(junk)
    for mmap in (False, True):
        with contextlib.suppress(EmbedlabError):
            embedlab.load(folder, mmap=mmap)
