"""A saved model is a folder: ``model.safetensors`` + ``config.json`` + ``vocab.json``.

The folder is written through :func:`embedlab._io.atomic_folder` and read through
:func:`embedlab._io.read_folder`: an interrupted save leaves the previous model (or nothing),
and a reader never gets a mix of two saves' files.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import torch

from .._io import Folder, atomic_folder, may_replace, read_folder
from ..errors import DataError, FormatError
from ..vocab import Vocab

FILES = ("config.json", "model.safetensors", "vocab.json")


def write_model_dir(
    directory: str | Path, config: dict[str, Any], state: dict[str, torch.Tensor], vocab: Vocab
) -> Path:
    """Write the three files into ``directory``, replacing a model saved there before.

    Args:
        directory: The folder to write (created; a saved model there is replaced).
        config: The model's settings, written as ``config.json``.
        state: The weights, written as ``model.safetensors``.
        vocab: The vocabulary, written as ``vocab.json``.

    Returns:
        The folder written.

    Raises:
        DataError: ``directory`` exists and is not a saved model, or ``config`` holds labels
            that JSON cannot hold.
    """
    from safetensors.torch import save as save_tensors

    target = Path(directory)
    if not may_replace(target, lambda p: p.is_dir() and _replaceable(p)):
        raise DataError(f"{target}: exists and is not a saved model; choose a new directory")
    try:
        encoded = json.dumps(config, indent=1)
    except TypeError:
        raise DataError(
            f"the classes {config.get('classes')!r} cannot be saved: only str, int, float and "
            "bool labels can be written to JSON"
        ) from None
    tensors = {k: v.detach().cpu().contiguous() for k, v in state.items()}
    with atomic_folder(target) as staging:
        (staging / "model.safetensors").write_bytes(save_tensors(tensors))
        vocab.save(staging / "vocab.json")
        (staging / "config.json").write_text(encoded, encoding="utf-8")
    return target


def read_model_dir(
    directory: str | Path, expected_format: str
) -> tuple[dict[str, Any], dict[str, torch.Tensor], Vocab]:
    """The config, weights and vocabulary of a folder written by :func:`write_model_dir`.

    Args:
        directory: The saved model's folder.
        expected_format: The ``format`` that ``config.json`` must name.

    Returns:
        ``(config, weights, vocab)``: the settings, the tensors by name and the vocabulary.

    Raises:
        FormatError: The folder is missing, unreadable or incomplete, holds another kind of
            model, or a file in it is corrupt.
    """
    from safetensors.torch import load as load_tensors

    root = Path(directory)

    def read(folder: Folder) -> tuple[bytes, bytes, bytes]:
        # All three opened before any is read: they come from one save even if another save
        # replaces the folder meanwhile.
        with _member(folder, "config.json") as config, \
                _member(folder, "model.safetensors") as weights, _member(folder, "vocab.json") as vocab:
            return config.read(), weights.read(), vocab.read()

    try:
        config_bytes, weight_bytes, vocab_bytes = read_folder(root, read)
    except (FileNotFoundError, NotADirectoryError):
        raise FormatError("no such directory; give the folder that save() wrote", root) from None
    except OSError as exc:
        raise FormatError(f"cannot be read: {exc.strerror}", root) from None
    try:
        config = json.loads(config_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        detail = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise FormatError(f"not a saved model ({detail})", root / "config.json") from None
    if not isinstance(config, dict) or config.get("format") != expected_format:
        raise FormatError(
            f"not a saved model of this kind (expected format {expected_format!r})",
            root / "config.json",
        )
    try:
        weights = load_tensors(weight_bytes)
    except Exception as exc:  # safetensors raises its own error type on corrupt bytes
        raise FormatError(f"corrupt weights file ({exc})", root / "model.safetensors") from None
    try:
        vocab_data = json.loads(vocab_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        detail = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise FormatError(f"not valid JSON ({detail})", root / "vocab.json") from None
    return config, weights, Vocab.from_dict(vocab_data, root / "vocab.json")


def _member(folder: Folder, name: str) -> io.BufferedReader:
    try:
        return folder.open(name)
    except FileNotFoundError:
        raise FormatError("missing from the saved model (was the folder copied in part?)",
                          folder.path / name) from None


def _replaceable(directory: Path) -> bool:
    """Whether ``directory`` is empty or holds a saved model that a new save may replace."""
    names = {p.name for p in directory.iterdir()}
    return not names or ("config.json" in names and names <= set(FILES))
