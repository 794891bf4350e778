"""embedlab's native format: a folder made for speed.

``vectors.npy``  the float32 matrix, C order (memory-mappable: reopening 400k x 300 takes
                 milliseconds, and only the rows you touch are read from disk)
``keys.txt``     the keys in row order, one per line, UTF-8 (``keys.json`` instead when a key
                 holds a line break)
``counts.npy``   optional int64 counts
``meta.json``    format tag, shape, where the keys are, metadata columns

The folder is written beside its destination and renamed into place, so a reader never sees
half a save and an interrupted save leaves the old folder intact.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from .._io import PathLike
from ..errors import FormatError
from ..vectors import Vectors

TAG = "embedlab.vectors/1"


def is_native(path: Path) -> bool:
    meta = path / "meta.json"
    if not (path.is_dir() and meta.is_file()):
        return False
    try:
        return bool(json.loads(meta.read_text(encoding="utf-8")).get("format") == TAG)
    except (OSError, ValueError, AttributeError):
        return False


def write_native(vectors: Vectors, path: PathLike) -> None:
    """Write ``vectors`` as a native folder at ``path`` (replacing one that is there)."""
    target = Path(path)
    if target.exists() and not is_native(target):
        raise FormatError(
            "expected nothing or an embedlab native folder to replace, found something else; "
            "refusing to overwrite it",
            target,
        )
    try:
        json.dumps(vectors.metadata)
    except (TypeError, ValueError):
        raise FormatError("metadata values must be JSON-serialisable to be saved", target) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        np.save(tmp / "vectors.npy", np.ascontiguousarray(vectors.matrix, dtype=np.float32))
        if any("\n" in key or "\r" in key for key in vectors.keys):
            keys_file = "keys.json"
            (tmp / keys_file).write_text(json.dumps(vectors.keys, ensure_ascii=False), "utf-8")
        else:
            keys_file = "keys.txt"
            (tmp / keys_file).write_bytes("".join(k + "\n" for k in vectors.keys).encode(
                "utf-8", "surrogateescape"))
        if vectors.counts is not None:
            np.save(tmp / "counts.npy", np.asarray(vectors.counts, dtype=np.int64))
        meta: dict[str, Any] = {
            "format": TAG, "count": len(vectors), "dim": vectors.dim, "dtype": "float32",
            "keys": keys_file, "counts": vectors.counts is not None, "metadata": vectors.metadata,
        }
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        _swap_into_place(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap_into_place(tmp: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
        os.replace(target, old / "previous")
    try:
        os.replace(tmp, target)
    except BaseException:
        if old is not None:  # put the previous folder back
            os.replace(old / "previous", target)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def read_native(path: PathLike, mmap: bool = False, limit: int | None = None) -> Vectors:
    """Open a native folder; with ``mmap=True`` the matrix stays on disk, read on demand."""
    root = Path(path)
    try:
        meta = json.loads((root / "meta.json").read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != TAG:
            raise FormatError(f"expected meta.json to say format {TAG!r}", root)
        keys_file = meta.get("keys", "keys.json")
        if keys_file == "keys.txt":
            text = (root / keys_file).read_bytes().decode("utf-8", "surrogateescape")
            keys = text.split("\n")[:-1]
        else:
            keys = json.loads((root / "keys.json").read_text(encoding="utf-8"))
        matrix = np.load(root / "vectors.npy", mmap_mode="r" if mmap else None, allow_pickle=False)
        counts = np.load(root / "counts.npy") if (root / "counts.npy").exists() else None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise FormatError(f"not a readable embedlab native folder ({exc})", root) from None
    if (
        matrix.ndim != 2 or matrix.dtype != np.float32 or not isinstance(keys, list)
        or matrix.shape != (len(keys), meta.get("dim", -1))
    ):
        raise FormatError(
            f"expected vectors.npy of shape ({len(keys)}, {meta.get('dim')}) float32, found "
            f"{matrix.shape} {matrix.dtype}",
            root,
        )
    if counts is not None and counts.shape != (len(keys),):
        raise FormatError(f"expected {len(keys)} counts in counts.npy, found {counts.shape}", root)
    metadata = meta.get("metadata") or {}
    if limit is not None:
        keys, matrix = keys[:limit], matrix[:limit]
        counts = None if counts is None else counts[:limit]
        metadata = {k: v[:limit] for k, v in metadata.items()}
    if not isinstance(metadata, dict) or any(
        not isinstance(v, list) or len(v) != len(keys) for v in metadata.values()
    ):
        raise FormatError(f"expected metadata columns of {len(keys)} values in meta.json", root)
    # Keys and values were checked when the vectors were built and saved: checking again (the
    # key index, NaN) would read everything, and reopening should take milliseconds.
    return Vectors._trusted(keys, matrix, counts=counts, metadata=metadata)
