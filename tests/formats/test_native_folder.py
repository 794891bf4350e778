"""Native folders on reopen: the manifest, tampered and damaged members, old folders, a fuzzer."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import embedlab
from embedlab import FormatError, Vectors
from embedlab.formats.native import read_native

KEYS = ["a", "b", "c"]
MATRIX = np.array([[1, 2], [3, 4], [5, 6]], dtype=np.float32)


def _save(tmp_path: Path, vectors: Vectors | None = None) -> Path:
    path = tmp_path / "v"
    embedlab.save(vectors if vectors is not None else Vectors(KEYS, MATRIX), path)
    return path


def _legacy(path: Path) -> Path:
    """The folder as embedlab wrote it before manifests existed."""
    meta = json.loads((path / "meta.json").read_text())
    del meta["manifest"], meta["metadata_sha256"]
    (path / "meta.json").write_text(json.dumps(meta))
    return path


def _replace(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))


def test_save_keeps_its_files_and_adds_a_manifest_to_meta_json(tmp_path) -> None:
    path = _save(tmp_path)
    assert sorted(p.name for p in path.iterdir()) == ["keys.txt", "meta.json", "vectors.npy"]
    manifest = json.loads((path / "meta.json").read_text())["manifest"]
    assert manifest["keys.txt"]["size"] == 6 and len(manifest["keys.txt"]["sha256"]) == 64
    assert manifest["vectors.npy"]["size"] == (path / "vectors.npy").stat().st_size
    back = embedlab.load(path, verify=True)
    assert back.keys == KEYS and np.array_equal(back.matrix, MATRIX)


def test_folders_written_before_the_manifest_still_load(tmp_path) -> None:
    path = _legacy(_save(tmp_path))
    for options in ({}, {"mmap": True}, {"verify": True}):
        back = embedlab.load(path, **options)
        assert back.keys == KEYS and np.array_equal(back.matrix, MATRIX)
        assert back.most_similar("c", topn=2)[0][0] == "b"


# ---------------------------------------------------------------------- tampered keys
@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b"a\nb\nc\n", b"a\na\nc\n", r"keys\.txt: the key 'a' appears twice \(rows 0 and 1\)"),
        (b"a\nb\nc\n", b"a\n\nbc\n", r"keys\.txt:2: found an empty key"),
        (b"a\nb\nc\n", b"\nab\nc\n", r"keys\.txt:1: found an empty key"),
        (b"a\nb\nc\n", b"a\r\nb\nc", r"keys\.txt:1: found a carriage return"),
        (b"a\nb\nc\n", b"a\nb\n\xff\n", r"keys\.txt:3: expected UTF-8 keys, found invalid start byte"),
    ],
)
def test_tampered_keys_are_caught_and_the_member_is_named(tmp_path, old, new, message) -> None:
    # With the manifest, any change to the keys fails their checksum, cheaply, on every load.
    path = _save(tmp_path)
    _replace(path / "keys.txt", old, new)
    with pytest.raises(FormatError, match=r"keys\.txt: does not match the checksum"):
        embedlab.load(path, mmap=True)
    # Without one (an old folder), the keys' grammar and uniqueness are checked instead.
    _legacy(path)
    with pytest.raises(FormatError, match=message):
        embedlab.load(path, mmap=True)


def test_duplicate_keys_no_longer_give_repeated_neighbours(tmp_path) -> None:
    path = _legacy(_save(tmp_path))
    _replace(path / "keys.txt", b"a\nb\n", b"a\na\n")
    with pytest.raises(FormatError, match="appears twice"):  # before: most_similar listed 'a' twice
        embedlab.load(path).most_similar("c")


def test_keys_a_line_file_cannot_hold_go_to_keys_json(tmp_path) -> None:
    odd = ["", "a\udcff", "x\ry", "z"]  # empty, a surrogate-escaped byte, a carriage return
    path = _save(tmp_path, Vectors(odd, np.eye(4, dtype=np.float32)))
    assert (path / "keys.json").exists() and not (path / "keys.txt").exists()
    assert embedlab.load(path, verify=True).keys == odd


# ---------------------------------------------------------------------- tampered values
def _poison(path: Path, row: int) -> None:
    data = bytearray((path / "vectors.npy").read_bytes())
    offset = len(data) - MATRIX.nbytes + row * MATRIX.shape[1] * 4
    data[offset:offset + 4] = np.float32(np.nan).tobytes()
    (path / "vectors.npy").write_bytes(bytes(data))


def test_nan_values_are_caught_where_the_matrix_is_read(tmp_path) -> None:
    path = _save(tmp_path)
    _poison(path, 1)
    # mmap without verify reads no values: the fast path stays fast (documented).
    assert np.isnan(embedlab.load(path, mmap=True).matrix[1, 0])
    with pytest.raises(FormatError, match=r"vectors\.npy: does not match the checksum"):
        embedlab.load(path, mmap=True, verify=True)
    with pytest.raises(FormatError, match=r"vectors\.npy: row 1 holds NaN or infinite values"):
        embedlab.load(path)  # read into memory anyway, so its values are checked
    _legacy(path)
    with pytest.raises(FormatError, match=r"vectors\.npy: row 1 holds NaN.*allow_nonfinite=True"):
        embedlab.load(path, mmap=True, verify=True)
    assert np.isnan(embedlab.load(path, allow_nonfinite=True).matrix[1, 0])


def test_vectors_saved_with_nan_on_purpose_load_with_allow_nonfinite(tmp_path) -> None:
    matrix = MATRIX.copy()
    matrix[2, 1] = np.inf
    path = _save(tmp_path, Vectors(KEYS, matrix, allow_nonfinite=True))
    with pytest.raises(FormatError, match="row 2 holds NaN or infinite"):
        embedlab.load(path)
    assert embedlab.load(path, verify=True, allow_nonfinite=True).matrix[2, 1] == np.inf


def test_changed_metadata_fails_verify(tmp_path) -> None:
    path = _save(tmp_path, Vectors(KEYS, MATRIX, metadata={"pos": ["N", "V", "N"]}))
    _replace(path / "meta.json", b'"V"', b'"X"')
    assert embedlab.load(path).metadata["pos"] == ["N", "X", "N"]
    with pytest.raises(FormatError, match=r"meta\.json: its metadata columns do not match"):
        embedlab.load(path, verify=True)


# ---------------------------------------------------------------------- damaged members
def test_deeply_nested_meta_json_is_a_format_error(tmp_path) -> None:
    path = _save(tmp_path)
    (path / "meta.json").write_text('{"format": "embedlab.vectors/1", "metadata": ' + "[" * 100_000)
    with pytest.raises(FormatError, match=r"meta\.json: .*nested too deeply"):
        read_native(path)
    with pytest.raises(FormatError):
        embedlab.load(path)


def test_damaged_npy_header_is_a_format_error(tmp_path) -> None:
    path = _save(tmp_path)
    _replace(path / "vectors.npy", b"}", b" ")  # an unclosed brace: numpy's tokenizer gives up
    with pytest.raises(FormatError, match=r"vectors\.npy: not a readable \.npy file: damaged header"):
        embedlab.load(path)


@pytest.mark.parametrize(
    ("member", "damage", "message"),
    [
        ("vectors.npy", lambda p: p.write_bytes(p.read_bytes()[:-4]), r"vectors\.npy: is \d+ bytes but was saved as"),
        ("keys.txt", lambda p: p.unlink(), r"keys\.txt: missing from the native folder"),
        ("counts.npy", lambda p: p.write_bytes(p.read_bytes() + b"\0"), r"counts\.npy: is \d+ bytes"),
        ("meta.json", lambda p: p.write_bytes(b"\xff"), r"meta\.json: expected UTF-8 JSON"),
        ("meta.json", lambda p: p.write_text('{"format": "embedlab.vectors/1", "count": -1}'),
         r"meta\.json: expected 'count' to be a whole number"),
    ],
)
def test_errors_name_the_member_file(tmp_path, member, damage, message) -> None:
    path = _save(tmp_path, Vectors(KEYS, MATRIX, counts=[3, 2, 1]))
    damage(path / member)
    with pytest.raises(FormatError, match=message):
        embedlab.load(path)


def test_truncated_matrix_of_an_old_folder_names_the_member(tmp_path) -> None:
    path = _legacy(_save(tmp_path))
    (path / "vectors.npy").write_bytes((path / "vectors.npy").read_bytes()[:-4])
    with pytest.raises(FormatError, match=r"vectors\.npy: is \d+ bytes, expected \d+ .*truncated"):
        embedlab.load(path, mmap=True)


# ---------------------------------------------------------------------- fuzz
def _mutations(rng: np.random.Generator, path: Path, member: str) -> str:
    target = path / member
    data = target.read_bytes()
    kind = rng.choice(["flip", "truncate", "append", "delete", "folder", "zero"])
    if kind == "flip" and data:
        at = int(rng.integers(len(data)))
        target.write_bytes(data[:at] + bytes([data[at] ^ (1 << int(rng.integers(8)))]) + data[at + 1:])
    elif kind == "truncate":
        target.write_bytes(data[: int(rng.integers(len(data) + 1))])
    elif kind == "append":
        target.write_bytes(data + rng.bytes(int(rng.integers(1, 9))))
    elif kind == "delete":
        target.unlink()
    elif kind == "folder":
        target.unlink()
        target.mkdir()
    else:
        at = int(rng.integers(len(data) + 1))
        target.write_bytes(data[:at] + b"\0" * min(4, len(data) - at) + data[at + 4:])
    return str(kind)


def test_fuzzed_folders_give_format_errors_or_the_saved_vectors(tmp_path) -> None:
    """Seeded and bounded: 150 damaged folders, each loaded in four ways."""
    rng = np.random.default_rng(12)
    original = Vectors(["the", "naïve", "x y", "日本", "k"], rng.standard_normal((5, 3)).astype(np.float32),
                       counts=[9, 7, 5, 3, 1], metadata={"pos": ["D", "A", "N", "N", "X"]})
    members = ["meta.json", "keys.txt", "vectors.npy", "counts.npy"]
    outcomes = {"error": 0, "same": 0, "fast path": 0}
    for case in range(150):
        path = tmp_path / f"c{case}"
        embedlab.save(original, path)
        legacy = rng.random() < 0.25
        if legacy:
            _legacy(path)
        kind = _mutations(rng, path, members[int(rng.integers(len(members)))])
        for options in ({}, {"mmap": True}, {"verify": True}, {"verify": True, "mmap": True}):
            try:
                back = embedlab.load(path, **options)
            except FormatError:
                outcomes["error"] += 1
                continue
            # No exception but FormatError ever; with verify, nothing altered gets through (an
            # old folder has no checksums: there only the keys, shapes and values are checked).
            same = (back.keys == original.keys and back.metadata == original.metadata
                    and np.array_equal(back.counts, original.counts)
                    and np.array_equal(back.matrix, original.matrix))
            if same:
                outcomes["same"] += 1
            else:
                assert legacy or not options.get("verify"), (case, kind, options)
                outcomes["fast path"] += 1
    assert outcomes["error"] > 400 and outcomes["same"] > 10  # the fuzzer reaches both ends


def test_a_missing_meta_json_is_named_as_missing(tmp_path) -> None:
    path = _save(tmp_path)
    (path / "meta.json").unlink()
    with pytest.raises(FormatError, match=r"meta\.json: missing from the native folder"):
        read_native(path)
