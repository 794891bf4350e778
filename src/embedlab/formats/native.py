"""embedlab's native format: a folder made for speed.

``vectors.npy``  the float32 matrix, C order (memory-mappable: reopening 400k x 300 takes
                 milliseconds, and only the rows you touch are read from disk)
``keys.txt``     the keys in row order, one per line, UTF-8 (``keys.json`` instead when a key
                 is empty, holds a line break or cannot be written as UTF-8)
``counts.npy``   optional int64 counts
``meta.json``    format tag, shape, where the keys are, metadata columns, and a manifest: the
                 size and SHA-256 of every other member

Saving goes through :func:`embedlab._io.atomic_folder` and reading through
:func:`embedlab._io.read_folder`, so a reader sees one whole save, never a mix of two, even
with other processes saving to the same folder; an interrupted save leaves the old folder.

Reopening trusts nothing it can check cheaply: member sizes against the manifest, the keys
against their checksum (2 ms for 400k keys), the keys' grammar, the ``.npy`` headers. The
matrix itself is only read where that is the job anyway (without ``mmap``, its values are
checked to be finite); ``verify=True`` also checks the matrix against its checksum, its values,
and that the keys are unique. Folders written before the manifest existed are checked for
unique keys on every load (they have no checksum to stand for it).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._io import Folder, PathLike, atomic_folder, may_replace, read_folder
from ..errors import FormatError
from ..vectors import Vectors

TAG = "embedlab.vectors/1"
_CHUNK_ROWS = 1 << 16  # rows per step when checking values (bounded extra memory)


def is_native(path: Path) -> bool:
    """Whether ``path`` is a native folder: its meta.json says so, or (damaged) it has a
    meta.json and a vectors.npy, so that reading it says what is wrong with which member.

    Args:
        path: The folder to look at.

    Returns:
        Whether ``path`` is (or was meant to be) a native folder.
    """
    meta = path / "meta.json"
    if not (path.is_dir() and meta.is_file()):
        return False
    try:
        return bool(json.loads(meta.read_text(encoding="utf-8")).get("format") == TAG)
    except (OSError, ValueError, AttributeError, RecursionError):
        return (path / "vectors.npy").is_file()


# ---------------------------------------------------------------------- writing
def _keys_member(keys: Sequence[str]) -> tuple[str, bytes]:
    """keys.txt when every key survives a line-per-key UTF-8 file unchanged, else keys.json."""
    text = "".join(key + "\n" for key in keys)
    plain = "\r" not in text and text.count("\n") == len(keys) and "" not in keys
    if plain:
        try:
            return "keys.txt", text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates (keys read with surrogateescape)
            pass
    try:
        return "keys.json", json.dumps(list(keys), ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return "keys.json", json.dumps(list(keys)).encode("ascii")  # \\udcxx escapes


def _sha256(handle: io.BufferedIOBase) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(1 << 22):
        digest.update(chunk)
    return digest.hexdigest()


def _metadata_digest(metadata: dict[str, list[Any]]) -> str:
    return hashlib.sha256(json.dumps(metadata, sort_keys=True).encode("ascii")).hexdigest()


def write_native(vectors: Vectors, path: PathLike) -> None:
    """Write ``vectors`` as a native folder at ``path`` (replacing one that is there).

    Args:
        vectors: The vectors to write.
        path: The folder to write.

    Raises:
        FormatError: Something other than a native folder is at ``path``, or the metadata
            cannot be saved as JSON.
    """
    target = Path(path)
    if not may_replace(target, is_native):
        raise FormatError(
            "expected nothing or an embedlab native folder to replace, found something else; "
            "refusing to overwrite it",
            target,
        )
    try:
        json.dumps(vectors.metadata)
    except (TypeError, ValueError):
        raise FormatError("metadata values must be JSON-serialisable to be saved", target) from None
    with atomic_folder(target) as staging:
        np.save(staging / "vectors.npy", np.ascontiguousarray(vectors.matrix, dtype=np.float32))
        keys_file, encoded = _keys_member(vectors.keys)
        (staging / keys_file).write_bytes(encoded)
        members = ["vectors.npy", keys_file]
        if vectors.counts is not None:
            np.save(staging / "counts.npy", np.asarray(vectors.counts, dtype=np.int64))
            members.append("counts.npy")
        manifest = {}
        for name in members:  # hashed as written to disk (still in the page cache)
            with open(staging / name, "rb") as handle:
                manifest[name] = {"size": (staging / name).stat().st_size, "sha256": _sha256(handle)}
        meta: dict[str, Any] = {
            "format": TAG, "count": len(vectors), "dim": vectors.dim, "dtype": "float32",
            "keys": keys_file, "counts": vectors.counts is not None, "metadata": vectors.metadata,
            "manifest": manifest, "metadata_sha256": _metadata_digest(vectors.metadata),
        }
        (staging / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


# ---------------------------------------------------------------------- reading
def read_native(
    path: PathLike,
    mmap: bool = False,
    limit: int | None = None,
    verify: bool = False,
    allow_nonfinite: bool = False,
) -> Vectors:
    """Open a native folder; with ``mmap=True`` the matrix stays on disk, read on demand.

    ``verify=True`` reads everything to check it: the matrix against the checksum saved with it,
    its values (NaN and infinities are errors unless ``allow_nonfinite``), the keys' uniqueness.
    A damaged or altered folder raises :class:`~embedlab.FormatError` naming the member file.

    Args:
        path: The native folder.
        mmap: Leave the matrix on disk, memory-mapped.
        limit: How many vectors to keep, from the start; None keeps them all.
        verify: Read everything to check it against the checksums saved with it.
        allow_nonfinite: Accept NaN and infinite values.

    Returns:
        The vectors read.

    Raises:
        FormatError: The folder is missing, unreadable, damaged or altered.
    """
    root = Path(path)
    try:
        return read_folder(root, lambda folder: _Reader(folder, mmap, verify, allow_nonfinite).read(limit))
    except FileNotFoundError:
        raise FormatError("no such folder", root) from None
    except NotADirectoryError:
        raise FormatError("expected an embedlab native folder, found a file", root) from None
    except OSError as exc:
        raise FormatError(f"cannot be read: {exc.strerror or exc}", root) from None


@dataclass
class _Header:
    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    offset: int


class _Reader:
    def __init__(self, folder: Folder, mmap: bool, verify: bool, allow_nonfinite: bool) -> None:
        self.folder = folder
        self.root = folder.path
        self.mmap = mmap
        self.verify = verify
        self.allow_nonfinite = allow_nonfinite

    def fail(self, member: str, message: str) -> FormatError:
        return FormatError(message, self.root / member)

    def read(self, limit: int | None) -> Vectors:
        meta = self._meta()
        count, dim = meta["count"], meta["dim"]
        keys_file = meta["keys"]
        manifest: dict[str, dict[str, Any]] | None = meta.get("manifest")
        with_counts = manifest is not None and "counts.npy" in manifest
        # Open every member first: once open, a save replacing the folder cannot take them away.
        with contextlib.ExitStack() as stack:
            handles = {name: stack.enter_context(self._open(name)) for name in (keys_file, "vectors.npy")}
            if with_counts or (manifest is None and self.folder.exists("counts.npy")):
                handles["counts.npy"] = stack.enter_context(self._open("counts.npy"))
            if manifest is not None:
                self._check_sizes(manifest, handles)
            keys = self._keys(keys_file, handles[keys_file].read(), count, manifest)
            header = self._npy_header("vectors.npy", handles["vectors.npy"], np.float32, (count, dim))
            counts = None
            if "counts.npy" in handles:
                counts = self._counts(handles["counts.npy"], count, manifest)
            rows = count if limit is None else min(limit, count)
            matrix = self._matrix(handles["vectors.npy"], header, rows, manifest)
        index = None
        if self.verify or manifest is None:
            # Without a checksum standing for the keys, their uniqueness is checked here; the
            # index built for it is the one every lookup needs, so it is kept.
            index = self._unique_index(keys_file, keys)
        metadata = self._metadata(meta, count)
        if rows < count:
            keys, counts = keys[:rows], None if counts is None else counts[:rows]
            metadata = {name: column[:rows] for name, column in metadata.items()}
            index = None
        return Vectors._trusted(keys, matrix, counts=counts, metadata=metadata, index=index)

    # ------------------------------------------------------------------ members
    def _open(self, name: str) -> io.BufferedReader:
        try:
            return self.folder.open(name)
        except FileNotFoundError:
            raise self.fail(name, "missing from the native folder (was the folder copied in part?)") from None
        except IsADirectoryError:
            raise self.fail(name, "is a folder, expected a file") from None

    def _meta(self) -> dict[str, Any]:
        with self._open("meta.json") as handle:  # outside the try: FormatError is a ValueError
            data = handle.read()
        try:
            meta = json.loads(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise self.fail("meta.json", f"expected UTF-8 JSON, found {exc.reason} at byte {exc.start}") from None
        except ValueError as exc:
            raise self.fail("meta.json", f"not valid JSON ({exc})") from None
        except RecursionError:
            raise self.fail("meta.json", "not an embedlab meta.json (its JSON is nested too deeply)") from None
        if not isinstance(meta, dict) or meta.get("format") != TAG:
            raise self.fail("meta.json", f"expected meta.json to say format {TAG!r}")
        count, dim = meta.get("count"), meta.get("dim")
        for name, value in (("count", count), ("dim", dim)):
            if type(value) is not int or value < 0:
                raise self.fail("meta.json", f"expected {name!r} to be a whole number >= 0, found {value!r}")
        keys_file = meta.setdefault("keys", "keys.json")
        if keys_file not in ("keys.txt", "keys.json"):
            raise self.fail("meta.json", f"expected 'keys' to be 'keys.txt' or 'keys.json', found {keys_file!r}")
        manifest = meta.get("manifest")
        if manifest is not None and not (
            isinstance(manifest, dict)
            and set(manifest) <= {keys_file, "vectors.npy", "counts.npy"}
            and {keys_file, "vectors.npy"} <= set(manifest)
            and all(
                isinstance(entry, dict) and type(entry.get("size")) is int
                and isinstance(entry.get("sha256"), str)
                for entry in manifest.values()
            )
        ):
            raise self.fail("meta.json", "its manifest is damaged (expected the size and sha256 of "
                            f"{keys_file}, vectors.npy and counts.npy if any)")
        return meta

    def _check_sizes(self, manifest: dict[str, dict[str, Any]], handles: dict[str, io.BufferedReader]) -> None:
        import os

        for name, handle in handles.items():
            size = os.fstat(handle.fileno()).st_size
            if size != manifest[name]["size"]:
                raise self.fail(
                    name, f"is {size} bytes but was saved as {manifest[name]['size']} (the folder "
                    "was changed or damaged after it was saved; save the vectors again)",
                )

    def _checksum(self, name: str, data: bytes, manifest: dict[str, dict[str, Any]] | None) -> None:
        if manifest is not None and hashlib.sha256(data).hexdigest() != manifest[name]["sha256"]:
            raise self.fail(name, "does not match the checksum saved in meta.json (the folder was "
                            "changed or damaged after it was saved; save the vectors again)")

    def _keys(self, name: str, data: bytes, count: int, manifest: dict[str, dict[str, Any]] | None) -> list[str]:
        self._checksum(name, data, manifest)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise FormatError(f"expected UTF-8 keys, found {exc.reason} at byte {exc.start}",
                              self.root / name, line) from None
        keys: list[str]
        if name == "keys.json":
            try:
                keys = json.loads(text)
            except ValueError as exc:
                raise self.fail(name, f"not valid JSON ({exc})") from None
            except RecursionError:
                raise self.fail(name, "expected a JSON list of keys, found deeply nested JSON") from None
            if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
                raise self.fail(name, "expected a JSON list of strings")
        else:
            keys = self._key_lines(name, data, text, checked=manifest is not None)
        if len(keys) != count:
            raise self.fail(name, f"holds {len(keys)} keys but meta.json says {count}")
        return keys

    def _key_lines(self, name: str, data: bytes, text: str, checked: bool) -> list[str]:
        # The writer puts any key that would not survive one-per-line in keys.json, so a
        # carriage return or an empty line here means the file was altered (or converted).
        # A checksum that matched already says the file is the writer's: no need to look.
        if not checked:
            for bad, what in ((b"\r", "a carriage return"), (b"\n\n", "an empty key")):
                at = data.find(bad)  # on the bytes: memchr speed, where str.find is slower
                if at >= 0:
                    line = data.count(b"\n", 0, at) + 1 + (bad == b"\n\n")
                    raise FormatError(f"found {what}; keys.txt holds one non-empty key per line "
                                      "and no carriage returns", self.root / name, line)
            if data.startswith(b"\n"):
                raise FormatError("found an empty key", self.root / name, 1)
            if data and not data.endswith(b"\n"):
                raise self.fail(name, "the last key has no line break after it (is the file truncated?)")
        keys = text.split("\n")
        keys.pop()  # after the last line break (pop, not a slice: no copy of 400k references)
        return keys

    def _unique_index(self, name: str, keys: list[str]) -> dict[str, int]:
        index = dict(zip(keys, range(len(keys)), strict=True))
        if len(index) != len(keys):
            seen: dict[str, int] = {}
            for row, key in enumerate(keys):
                if seen.setdefault(key, row) != row:
                    raise self.fail(name, f"the key {key!r} appears twice (rows {seen[key]} and {row}); "
                                    "keys must be unique")
        return index

    def _npy_header(
        self, name: str, handle: io.BufferedReader, dtype: type[np.generic], shape: tuple[int, ...]
    ) -> _Header:
        try:
            version = np.lib.format.read_magic(handle)
            if version == (1, 0):
                found_shape, fortran, found_dtype = np.lib.format.read_array_header_1_0(handle)
            else:
                found_shape, fortran, found_dtype = np.lib.format.read_array_header_2_0(handle)
        except Exception as exc:  # noqa: BLE001 - numpy's header parser raises many kinds
            # (ValueError, SyntaxError, tokenize.TokenError, RecursionError ...) on damaged bytes
            raise self.fail(name, f"not a readable .npy file: damaged header ({type(exc).__name__})") from None
        if fortran or found_dtype != np.dtype(dtype).newbyteorder("<") or tuple(found_shape) != shape:
            raise self.fail(
                name, f"expected a C-order {np.dtype(dtype).name} array of shape {shape} (as meta.json "
                f"says), found {'Fortran-order ' if fortran else ''}{found_dtype} {tuple(found_shape)}",
            )
        import os

        offset = handle.tell()
        expected = offset + int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        size = os.fstat(handle.fileno()).st_size
        if size != expected:
            raise self.fail(name, f"is {size} bytes, expected {expected} for shape {shape}"
                            + (" (is it truncated?)" if size < expected else ""))
        return _Header(tuple(found_shape), np.dtype(found_dtype), offset)

    def _counts(
        self, handle: io.BufferedReader, count: int, manifest: dict[str, dict[str, Any]] | None
    ) -> np.ndarray:
        header = self._npy_header("counts.npy", handle, np.int64, (count,))
        handle.seek(0)
        data = handle.read()
        self._checksum("counts.npy", data, manifest)
        return np.frombuffer(data, dtype=header.dtype, offset=header.offset).astype(np.int64)

    def _matrix(
        self, handle: io.BufferedReader, header: _Header, rows: int,
        manifest: dict[str, dict[str, Any]] | None,
    ) -> np.ndarray:
        name = "vectors.npy"
        if self.verify and manifest is not None:
            handle.seek(0)
            if _sha256(handle) != manifest[name]["sha256"]:
                raise self.fail(name, "does not match the checksum saved in meta.json (the folder "
                                "was changed or damaged after it was saved; save the vectors again)")
        dim = header.shape[1]
        matrix: np.ndarray
        if self.mmap and rows:
            full = np.memmap(handle, dtype=header.dtype, mode="r", offset=header.offset, shape=header.shape)
            matrix = full[:rows] if rows < header.shape[0] else full
        else:
            matrix = np.empty((rows, dim), dtype=np.float32)
            handle.seek(header.offset)
            view = matrix.reshape(-1).view(np.uint8)
            if view.size and handle.readinto(view.data) != view.size:
                raise self.fail(name, "ended early (is it truncated?)")
        if self.verify or not self.mmap:
            # Already in memory without mmap, so checking the values costs little there.
            self._check_finite(matrix)
        return matrix

    def _check_finite(self, matrix: np.ndarray) -> None:
        if self.allow_nonfinite:
            return
        for start in range(0, len(matrix), _CHUNK_ROWS):
            block = matrix[start:start + _CHUNK_ROWS]
            finite = np.isfinite(block).all(axis=1)
            if not finite.all():
                row = start + int(np.argmin(finite))
                raise self.fail("vectors.npy", f"row {row} holds NaN or infinite values; fix the data, "
                                "or pass allow_nonfinite=True to load them anyway")

    def _metadata(self, meta: dict[str, Any], count: int) -> dict[str, list[Any]]:
        metadata = meta.get("metadata") or {}
        if not isinstance(metadata, dict) or any(
            not isinstance(v, list) or len(v) != count for v in metadata.values()
        ):
            raise self.fail("meta.json", f"expected metadata columns of {count} values")
        saved = meta.get("metadata_sha256")
        if self.verify and saved is not None and saved != _metadata_digest(metadata):
            raise self.fail("meta.json", "its metadata columns do not match the checksum saved with "
                            "them (the folder was changed after it was saved; save the vectors again)")
        return metadata
