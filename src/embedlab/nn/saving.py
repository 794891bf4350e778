"""A saved model is a folder: ``model.safetensors`` + ``config.json`` + ``vocab.json``.

The folder is written whole into a temporary sibling and renamed into place, so an
interrupted save leaves the previous model (or nothing), never a mix of old and new files.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import torch

from ..errors import DataError, FormatError
from ..vocab import Vocab

FILES = ("config.json", "model.safetensors", "vocab.json")


def write_model_dir(
    directory: str | Path, config: dict[str, Any], state: dict[str, torch.Tensor], vocab: Vocab
) -> Path:
    """Write the three files into ``directory``, replacing a model saved there before."""
    from safetensors.torch import save as save_tensors

    target = Path(directory)
    if target.exists() and not (target.is_dir() and _replaceable(target)):
        raise DataError(f"{target}: exists and is not a saved model; choose a new directory")
    try:
        encoded = json.dumps(config, indent=1)
    except TypeError:
        raise DataError(
            f"the classes {config.get('classes')!r} cannot be saved: only str, int, float and "
            "bool labels can be written to JSON"
        ) from None
    tensors = {k: v.detach().cpu().contiguous() for k, v in state.items()}
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # mkdtemp makes the folder private; a model is not
        (staging / "model.safetensors").write_bytes(save_tensors(tensors))
        vocab.save(staging / "vocab.json")
        (staging / "config.json").write_text(encoded, encoding="utf-8")
        for name in FILES:
            with open(staging / name, "rb") as handle:
                os.fsync(handle.fileno())
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            os.replace(staging, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def read_model_dir(
    directory: str | Path, expected_format: str
) -> tuple[dict[str, Any], dict[str, torch.Tensor], Vocab]:
    """The config, weights and vocabulary of a folder written by :func:`write_model_dir`."""
    from safetensors.torch import load as load_tensors

    root = Path(directory)
    if not root.is_dir():
        raise FormatError("no such directory; give the folder that save() wrote", root)
    try:
        config = json.loads((root / "config.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise FormatError(f"not a saved model ({exc})", root / "config.json") from None
    if not isinstance(config, dict) or config.get("format") != expected_format:
        raise FormatError(
            f"not a saved model of this kind (expected format {expected_format!r})",
            root / "config.json",
        )
    try:
        weights = load_tensors((root / "model.safetensors").read_bytes())
    except OSError as exc:
        raise FormatError(f"cannot be read: {exc.strerror}", root / "model.safetensors") from None
    except Exception as exc:  # safetensors raises its own error type on corrupt bytes
        raise FormatError(f"corrupt weights file ({exc})", root / "model.safetensors") from None
    return config, weights, Vocab.load(root / "vocab.json")


def _replaceable(directory: Path) -> bool:
    """Whether ``directory`` is empty or holds a saved model that a new save may replace."""
    names = {p.name for p in directory.iterdir()}
    return not names or ("config.json" in names and names <= set(FILES))
