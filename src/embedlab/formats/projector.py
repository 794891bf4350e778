"""The TensorBoard Embedding Projector's files: a tensor TSV, a metadata TSV and a config.

Rules as the projector reads them: ``tensors.tsv`` holds one vector per line, values separated
by tabs, no header and no keys. ``metadata.tsv`` has one line per vector; with a single column
it has no header row, with several columns the first row names them.

The four files are written as one folder (:func:`embedlab._io.atomic_folder`): a reader never
finds new tensors beside old metadata, and a save killed half-way leaves the previous folder.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

import numpy as np

from .._io import Folder, PathLike, atomic_folder, decompressing, open_binary, read_folder
from ..errors import FormatError
from ..vectors import Vectors


def _cell(value: object) -> str:
    # Tabs and line breaks would shift the projector's columns and rows.
    return str(value).replace("\t", " ").replace("\n", " ").replace("\r", " ")


FILES = {
    "tensor": "tensors.tsv", "metadata": "metadata.tsv",
    "config": "projector_config.pbtxt", "json": "projector_config.json",
}


def write_projector(
    vectors: Vectors, directory: PathLike, metadata_columns: Sequence[str] | None = None
) -> dict[str, Path]:
    """Write ``tensors.tsv``, ``metadata.tsv``, ``projector_config.pbtxt`` and a JSON config for
    the standalone projector as the folder ``directory``; returns their paths.

    The folder is replaced whole, so it must be new, empty or hold only these four files.

    Args:
        vectors: The vectors to write.
        directory: The folder to write the files into.
        metadata_columns: The metadata columns to export; None exports them all.

    Returns:
        The path of each file written, by kind: ``tensor``, ``metadata``, ``config``, ``json``.

    Raises:
        FormatError: A column is not in the metadata, ``directory`` is a file, or it holds
            files other than the projector's.
    """
    out = Path(directory)
    columns = list(metadata_columns if metadata_columns is not None else vectors.metadata)
    for column in columns:
        if column not in vectors.metadata:
            raise FormatError(f"no metadata column {column!r} to export", out)
    if out.is_dir():
        others = sorted(p.name for p in out.iterdir() if p.name not in FILES.values())
        if others:
            raise FormatError(
                f"holds files other than the projector's ({', '.join(others[:3])}"
                f"{', ...' if len(others) > 3 else ''}); the folder is replaced whole, so export "
                "into a new or empty folder",
                out,
            )
    elif out.exists():
        raise FormatError("expected a folder to write the projector files into, found a file", out)
    matrix = np.asarray(vectors.matrix, dtype=np.float32)
    with atomic_folder(out) as staging:
        with open(staging / FILES["tensor"], "w", encoding="utf-8") as handle:
            for row in matrix.tolist():
                handle.write("\t".join(f"{v:.9g}" for v in row) + "\n")
        with open(staging / FILES["metadata"], "w", encoding="utf-8") as handle:
            if columns:
                handle.write("\t".join(["key", *map(_cell, columns)]) + "\n")
                for i, key in enumerate(vectors.keys):
                    cells = [_cell(key)] + [_cell(vectors.metadata[c][i]) for c in columns]
                    handle.write("\t".join(cells) + "\n")
            else:
                handle.writelines(_cell(key) + "\n" for key in vectors.keys)
        (staging / FILES["config"]).write_text(
            "embeddings {\n"
            '  tensor_name: "embedlab"\n'
            f'  tensor_path: "{FILES["tensor"]}"\n'
            f'  metadata_path: "{FILES["metadata"]}"\n'
            "}\n",
            encoding="utf-8",
        )
        config = {"embeddings": [{
            "tensorName": "embedlab", "tensorShape": [len(vectors), vectors.dim],
            "tensorPath": FILES["tensor"], "metadataPath": FILES["metadata"],
        }]}
        (staging / FILES["json"]).write_text(json.dumps(config, indent=2), encoding="utf-8")
    return {kind: out / name for kind, name in FILES.items()}


def read_projector(
    tensor_path: PathLike, metadata_path: PathLike | None = None, allow_nonfinite: bool = False
) -> Vectors:
    """Read a projector tensor TSV (and its metadata, which gives the keys).

    The metadata file beside the tensor file is found without being named; the two are read
    from one save of their folder. NaN and infinite values are errors unless ``allow_nonfinite``.

    Args:
        tensor_path: The ``tensors.tsv`` file.
        metadata_path: The metadata file; None uses ``metadata.tsv`` beside the tensor file
            when there is one (without metadata the keys are row numbers).
        allow_nonfinite: Accept NaN and infinite values.

    Returns:
        The vectors read, with the metadata's other columns as metadata.

    Raises:
        FormatError: A file does not hold tab-separated numbers, or the metadata and the
            tensor disagree on the number of rows.
    """
    tensor = Path(tensor_path)
    metadata = None if metadata_path is None else Path(metadata_path)
    if metadata is not None and metadata.parent != tensor.parent:
        with open_binary(tensor) as raw:
            rows, numbers = _read_tensor(raw, tensor)
        with open_binary(metadata) as raw:
            lines = _lines(raw)
        return _vectors(rows, numbers, tensor, lines, metadata, allow_nonfinite)

    def read(folder: Folder) -> Vectors:
        meta_name = FILES["metadata"] if metadata is None else metadata.name
        with_meta = metadata is not None or folder.exists(meta_name)
        with contextlib.ExitStack() as stack:
            tensor_file = stack.enter_context(folder.open(tensor.name))
            meta_file = stack.enter_context(folder.open(meta_name)) if with_meta else None
            rows, numbers = _read_tensor(decompressing(tensor_file), tensor)
            lines = None if meta_file is None else _lines(decompressing(meta_file))
        meta_path = tensor.parent / meta_name if with_meta else None
        return _vectors(rows, numbers, tensor, lines, meta_path, allow_nonfinite)

    return read_folder(tensor.parent, read)


def _read_tensor(raw: IO[bytes], tensor: Path) -> tuple[list[list[float]], list[int]]:
    """The rows of a tensor file, and the line number of each."""
    rows: list[list[float]] = []
    numbers: list[int] = []
    for number, line in enumerate(io.TextIOWrapper(raw, encoding="utf-8"), start=1):
        if not line.strip():
            continue
        # float() also takes "1_0" (as 10.0) and digits of other scripts; the projector does not.
        if "_" in line or not line.isascii():
            raise FormatError("expected tab-separated numbers (digits, '.', 'e', signs)", tensor, number)
        try:
            rows.append([float(v) for v in line.rstrip("\r\n").split("\t")])
        except ValueError:
            raise FormatError("expected tab-separated numbers", tensor, number) from None
        numbers.append(number)
        if len(rows[-1]) != len(rows[0]):
            raise FormatError(
                f"expected {len(rows[0])} values (as on the first line), found {len(rows[-1])}",
                tensor, number,
            )
    if not rows:
        raise FormatError("the tensor file holds no vectors", tensor)
    return rows, numbers


def _lines(raw: IO[bytes]) -> list[str]:
    text: Iterable[str] = io.TextIOWrapper(raw, encoding="utf-8")
    return [line.rstrip("\r\n") for line in text if line.strip()]


def _vectors(
    rows: list[list[float]], numbers: list[int], tensor: Path, meta_lines: list[str] | None,
    metadata_path: Path | None, allow_nonfinite: bool,
) -> Vectors:
    matrix = np.asarray(rows, dtype=np.float32)
    if not allow_nonfinite:
        finite = np.isfinite(matrix).all(axis=1)
        if not finite.all():
            raise FormatError(
                "holds NaN or infinite values; fix the file or pass allow_nonfinite=True",
                tensor, numbers[int(np.argmin(finite))],
            )
    if meta_lines is None:
        return Vectors([str(i) for i in range(len(rows))], matrix, allow_nonfinite=allow_nonfinite)
    multi = bool(meta_lines) and len(meta_lines) == len(rows) + 1 and "\t" in meta_lines[0]
    header: list[str] = []
    metadata: dict[str, list[str]]
    if multi:
        header = meta_lines[0].split("\t")
        cells = [line.split("\t") for line in meta_lines[1:]]
        keys = [c[0] for c in cells]
        metadata = {name: [c[j] if j < len(c) else "" for c in cells] for j, name in enumerate(header[1:], 1)}
    else:
        keys, metadata = meta_lines, {}
    if len(keys) != len(rows):
        raise FormatError(
            f"the metadata has {len(keys)} rows but the tensor has {len(rows)}", metadata_path
        )
    if len(set(keys)) != len(keys):
        # Projector metadata is often a class label ("7", "cat"), not a unique name: number
        # the rows and keep the first column as metadata instead of failing on duplicates.
        first = header[0] if multi else "label"
        metadata = {first: keys, **metadata}
        keys = [str(i) for i in range(len(rows))]
    return Vectors(keys, matrix, metadata=metadata, allow_nonfinite=allow_nonfinite)
