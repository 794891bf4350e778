"""Damaged vector files of every format: each one loads or fails with one EmbedlabError.

Seeded and bounded (a few hundred cases, a few seconds): truncations, bit flips, headers that
claim huge sizes, odd bytes (NUL, tabs, carriage returns, invalid UTF-8), for word2vec text
and binary, GloVe, fastText ``.bin`` and gzip/bz2/xz wrappers. Never another exception, never
a hang (every case runs under an alarm), never an allocation the file cannot back (a header
claiming 10^12 rows fails fast instead of asking for terabytes).
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import random
import signal
import struct
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

import embedlab
from embedlab import EmbedlabError, Vectors
from embedlab.formats import FormatError

SEED = 20261206
PER_CASE_SECONDS = 20


class Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Hang


def _load_or_clean_error(path: Path, fmt: str = "auto") -> None:
    """Load ``path``; anything but a Vectors or an EmbedlabError fails the test, with the case."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(PER_CASE_SECONDS)
    try:
        result = embedlab.load(path, format=fmt, progress=False)
        assert isinstance(result, Vectors)
    except EmbedlabError:
        pass
    except Hang:
        pytest.fail(f"{path.name} (format={fmt}) did not finish in {PER_CASE_SECONDS} s")
    except Exception as exc:  # noqa: BLE001 - the point of the test
        pytest.fail(f"{path.name} (format={fmt}) raised {type(exc).__name__}: {exc}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _sample() -> Vectors:
    rng = np.random.default_rng(SEED)
    keys = ["the", "cat", "naïve", "日本", "new", "a.b", "x1", "z"]
    return Vectors(keys, rng.standard_normal((len(keys), 5)).astype(np.float32),
                   counts=list(range(len(keys), 0, -1)))


def _originals(folder: Path) -> dict[str, bytes]:
    """The clean bytes of each format (fastText via embedlab's own writer)."""
    vectors = _sample()
    files = {}
    for fmt, name in (("word2vec", "w.txt"), ("word2vec-binary", "w.bin"), ("glove", "g.txt"),
                      ("fasttext-bin", "f.bin")):
        embedlab.save(vectors, folder / name, format=fmt)
        files[fmt] = (folder / name).read_bytes()
    return files


def _mutations(data: bytes, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    n = len(data)
    for _ in range(6):
        cut = rng.randrange(n)
        yield f"cut{cut}", data[:cut]
    for _ in range(8):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(n)] ^= 1 << rng.randrange(8)
        yield "flip", bytes(damaged)
    for _ in range(4):
        damaged = bytearray(data)
        at = rng.randrange(n)
        damaged[at:at] = rng.choice([b"\x00", b"\t", b"\r", b" ", b"\xff\xfe", b"\n\n", b"nan",
                                     b"1e999", b"-", b"\x00" * 64])
        yield "insert", bytes(damaged)
    header, newline, rest = data.partition(b"\n")
    if newline and header[:1].isdigit():  # word2vec: claims the file cannot back
        for count, dim in ((10**12, 5), (8, 10**9), (2**63, 5), (8, 2**63), (0, 10**9),
                           (2**40, 2**20), (-1, 5)):
            yield f"header{count}x{dim}", f"{count} {dim}".encode() + newline + rest
    if data[:4] == struct.pack("<i", 793712314):  # fastText: an int32 or int64 field blown up
        for at, fmt in ((8, "<i"), (8 + 8 * 4, "<i"), (60, "<i"), (60 + 12, "<q")):
            damaged = bytearray(data)
            struct.pack_into(fmt, damaged, at, 2**31 - 1 if fmt == "<i" else 2**62)
            yield f"field{at}", bytes(damaged)


CASES_PER_FORMAT = 24


@pytest.fixture(scope="module")
def originals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return _originals(tmp_path_factory.mktemp("originals"))


@pytest.mark.parametrize("fmt", ["word2vec", "word2vec-binary", "glove", "fasttext-bin"])
def test_damaged_files_fail_cleanly(tmp_path: Path, originals: dict[str, bytes], fmt: str) -> None:
    rng = random.Random(f"{SEED}-{fmt}")
    for i, (what, data) in enumerate(_mutations(originals[fmt], rng)):
        path = tmp_path / f"{i}-{what}"
        path.write_bytes(data)
        _load_or_clean_error(path)
        _load_or_clean_error(path, fmt)


COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress,
}


@pytest.mark.parametrize("compression", sorted(COMPRESSORS))
def test_damaged_compressed_streams_fail_cleanly(tmp_path: Path, originals: dict[str, bytes],
                                                 compression: str) -> None:
    rng = random.Random(f"{SEED}-{compression}")
    for fmt in ("word2vec", "word2vec-binary", "fasttext-bin"):
        packed = COMPRESSORS[compression](originals[fmt] * 3)
        for i in range(12):
            damaged = bytearray(packed)
            if i % 3 == 0:
                damaged = damaged[: rng.randrange(len(damaged))]
            else:
                for _ in range(rng.randint(1, 3)):
                    damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
            path = tmp_path / f"{fmt}-{i}.{compression}"
            path.write_bytes(bytes(damaged))
            _load_or_clean_error(path)


def test_a_corrupt_xz_names_the_stream_and_what_to_do(tmp_path: Path) -> None:
    packed = bytearray(lzma.compress(b"2 2\na 1 2\nb 3 4\n" * 20))
    packed[30] ^= 0xFF
    (tmp_path / "v.xz").write_bytes(bytes(packed))
    with pytest.raises(FormatError, match=r"v\.xz: the xz stream is corrupt after \d+ "
                                          r"uncompressed bytes .*compress the file again"):
        embedlab.load(tmp_path / "v.xz")


@pytest.mark.parametrize("fmt", ["word2vec", "word2vec-binary"])
def test_huge_header_claims_fail_without_allocating(tmp_path: Path, fmt: str) -> None:
    body = b"a " + (b"1 2 3\n" if fmt == "word2vec" else struct.pack("<3f", 1, 2, 3) + b"\n")
    for count, dim in ((10**12, 3), (2, 10**9)):
        path = tmp_path / f"{count}-{dim}"
        path.write_bytes(f"{count} {dim}\n".encode() + body)
        with pytest.raises(FormatError, match=rf"{path.name}.*(header promises {count} vectors|"
                                              rf"expected {dim} values after the word, found 3)"):
            embedlab.load(path, format=fmt)
        packed = tmp_path / f"{count}-{dim}.gz"
        packed.write_bytes(gzip.compress(path.read_bytes()))
        with pytest.raises(FormatError, match=r"\.gz.*(header promises|refuses more than)"):
            embedlab.load(packed, format=fmt)
    path.write_bytes(b"99999999999999999999 3\n" + body)
    with pytest.raises(FormatError, match=r":1: expected a header .* impossible sizes"):
        embedlab.load(path, format=fmt)


def test_binary_keys_out_of_step_are_rejected(tmp_path: Path) -> None:
    one, two = struct.pack("<2f", 1, 2), struct.pack("<2f", 3, 4)
    path = tmp_path / "space.bin"
    path.write_bytes(b"2 2\nne w" + one + b"\nb " + two + b"\n")  # a key holding a space
    with pytest.raises(FormatError, match=r"space\.bin: record at byte \d+: expected a word, "
                                          r"found .* with a line break in it: the records are out of step"):
        embedlab.load(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_read_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    payload = gzip.compress(b"2 3\nking 0.5 -1 2e-3\nqueen 1.25 0 -0\n")

    def write() -> None:
        with open(fifo, "wb") as out:
            out.write(payload)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(PER_CASE_SECONDS)
    try:
        vectors = embedlab.load(fifo, progress=False)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    writer.join()
    assert vectors.keys == ["king", "queen"]
    np.testing.assert_array_equal(vectors["queen"], np.float32([1.25, 0, -0.0]))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("fmt", ["auto", "word2vec", "glove", "word2vec-binary", "fasttext-bin"])
def test_dev_zero_fails_fast(fmt: str) -> None:
    with pytest.raises(FormatError, match=r"/dev/zero: .*(unrecognised binary data|without a line "
                                          r"break|expected the model argument)"):
        embedlab.load("/dev/zero", format=fmt, progress=False)


@pytest.mark.parametrize(
    ("content", "keys"),
    [
        (b"2 3\nking\t0.5\t-1\t2e-3\nqueen\t1.25\t0\t-0\n", ["king", "queen"]),  # tabs
        (b"2 3\r\nking 0.5 -1 2e-3\r\nqueen 1.25 0 -0", ["king", "queen"]),  # CRLF, no last newline
        (b"0 3", []),  # an empty word2vec file without a newline
    ],
)
def test_valid_word2vec_text_variants_load(tmp_path: Path, content: bytes, keys: list[str]) -> None:
    path = tmp_path / "v.txt"
    path.write_bytes(content)
    assert embedlab.formats.detect(path) == "word2vec"
    assert embedlab.load(path).keys == keys


def test_a_lone_header_is_not_a_glove_file(tmp_path: Path) -> None:
    path = tmp_path / "h.txt"
    path.write_bytes(b"12 4")
    with pytest.raises(FormatError, match=r"h\.txt:2: the header promises 12 vectors but the file "
                                          r"holds only 0"):
        embedlab.load(path)


def test_word2vec_text_with_a_typo_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "typo.txt"
    path.write_bytes(b"2 3\nking 0.5 x 2\nqueen 1.25 0 -0\n")
    assert embedlab.formats.detect(path) == "word2vec"
    with pytest.raises(FormatError, match=r"typo\.txt:2: expected a number as value 2, found 'x'"):
        embedlab.load(path)
    with pytest.raises(FormatError, match=r"typo\.txt: .*it looks like word2vec text: load it "
                                          r"with format='word2vec'"):
        embedlab.load(path, format="word2vec-binary")
