"""The TensorBoard Embedding Projector's files: a tensor TSV, a metadata TSV and a config.

Rules as the projector reads them: ``tensors.tsv`` holds one vector per line, values separated
by tabs, no header and no keys. ``metadata.tsv`` has one line per vector; with a single column
it has no header row, with several columns the first row names them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .._io import PathLike, atomic_write, open_text
from ..errors import FormatError
from ..vectors import Vectors


def _cell(value: object) -> str:
    # Tabs and line breaks would shift the projector's columns and rows.
    return str(value).replace("\t", " ").replace("\n", " ").replace("\r", " ")


def write_projector(
    vectors: Vectors, directory: PathLike, metadata_columns: Sequence[str] | None = None
) -> dict[str, Path]:
    """Write ``tensors.tsv``, ``metadata.tsv``, ``projector_config.pbtxt`` and a JSON config for
    the standalone projector into ``directory``; returns their paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    columns = list(metadata_columns if metadata_columns is not None else vectors.metadata)
    for column in columns:
        if column not in vectors.metadata:
            raise FormatError(f"no metadata column {column!r} to export", out)
    paths = {
        "tensor": out / "tensors.tsv", "metadata": out / "metadata.tsv",
        "config": out / "projector_config.pbtxt", "json": out / "projector_config.json",
    }
    matrix = np.asarray(vectors.matrix, dtype=np.float32)
    with atomic_write(paths["tensor"], "w") as handle:
        for row in matrix.tolist():
            handle.write("\t".join(f"{v:.9g}" for v in row) + "\n")
    with atomic_write(paths["metadata"], "w") as handle:
        if columns:
            handle.write("\t".join(["key", *map(_cell, columns)]) + "\n")
            for i, key in enumerate(vectors.keys):
                cells = [_cell(key)] + [_cell(vectors.metadata[c][i]) for c in columns]
                handle.write("\t".join(cells) + "\n")
        else:
            handle.writelines(_cell(key) + "\n" for key in vectors.keys)
    with atomic_write(paths["config"], "w") as handle:
        handle.write(
            "embeddings {\n"
            '  tensor_name: "embedlab"\n'
            f'  tensor_path: "{paths["tensor"].name}"\n'
            f'  metadata_path: "{paths["metadata"].name}"\n'
            "}\n"
        )
    config = {"embeddings": [{
        "tensorName": "embedlab", "tensorShape": [len(vectors), vectors.dim],
        "tensorPath": paths["tensor"].name, "metadataPath": paths["metadata"].name,
    }]}
    with atomic_write(paths["json"], "w") as handle:
        json.dump(config, handle, indent=2)
    return paths


def read_projector(tensor_path: PathLike, metadata_path: PathLike | None = None) -> Vectors:
    """Read a projector tensor TSV (and its metadata, which gives the keys)."""
    tensor = Path(tensor_path)
    if metadata_path is None and tensor.with_name("metadata.tsv").exists():
        metadata_path = tensor.with_name("metadata.tsv")
    rows: list[list[float]] = []
    with open_text(tensor) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                rows.append([float(v) for v in line.rstrip("\r\n").split("\t")])
            except ValueError:
                raise FormatError("expected tab-separated numbers", tensor, number) from None
            if len(rows[-1]) != len(rows[0]):
                raise FormatError(
                    f"expected {len(rows[0])} values (as on the first line), found {len(rows[-1])}",
                    tensor, number,
                )
    if not rows:
        raise FormatError("the tensor file holds no vectors", tensor)
    matrix = np.asarray(rows, dtype=np.float32)
    if metadata_path is None:
        return Vectors([str(i) for i in range(len(rows))], matrix)
    with open_text(metadata_path) as handle:
        meta_lines = [line.rstrip("\r\n") for line in handle if line.strip()]
    multi = bool(meta_lines) and len(meta_lines) == len(rows) + 1 and "\t" in meta_lines[0]
    header: list[str] = []
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
    return Vectors(keys, matrix, metadata=metadata)
