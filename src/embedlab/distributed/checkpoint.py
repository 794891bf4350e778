"""Checkpoints for elastic training: rank 0 writes, every rank reads back after a restart.

When a rank dies, ``torchrun --max-restarts N`` stops the others and starts every rank
again; each then calls :func:`load_checkpoint` and goes on from the last finished step. The
file is written to a temporary name and renamed into place, so a rank killed while rank 0
writes leaves the previous checkpoint whole.

The trainers that resume by themselves (``TextClassifier.fit(..., checkpoint=path)``,
``MatrixFactorization.fit(..., checkpoint=path)``) stamp each checkpoint with a
:func:`fingerprint` of their data and settings and open it with :func:`resume_from`, so a
file left by another fit is refused rather than silently continued.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .._io import atomic_write
from ..errors import FormatError, InvalidParameterError, writing
from ._context import barrier, context


def save_checkpoint(path: str | Path, state: dict[str, Any]) -> None:
    """Write ``state`` (tensors, numbers, a generator's ``get_state()``) on rank 0; all ranks wait.

    Every rank must call it (it ends with a barrier, so no rank runs ahead of a checkpoint
    that is not yet on disk).

    Args:
        path: Where the checkpoint file goes (written atomically by rank 0).
        state: What to save: tensors, numbers, a generator's ``get_state()``.

    Raises:
        WriteError: ``path`` cannot be written.
    """
    if context().is_main:
        with writing(path), atomic_write(path, "wb") as handle:
            torch.save(state, handle)
    barrier()


def load_checkpoint(path: str | Path) -> dict[str, Any] | None:
    """The state last saved at ``path``, or None when there is none yet (a fresh start).

    Args:
        path: The checkpoint file that :func:`save_checkpoint` writes.

    Returns:
        The saved state (tensors on the CPU), or None when ``path`` does not exist.

    Raises:
        FormatError: ``path`` exists but is not a readable checkpoint.
    """
    target = Path(path)
    if not target.exists():
        return None
    try:
        with target.open("rb") as handle:
            state = torch.load(handle, map_location="cpu", weights_only=True)
    except (RuntimeError, EOFError, ValueError, pickle.UnpicklingError) as exc:
        raise FormatError(
            f"not a readable checkpoint ({type(exc).__name__}); the file is damaged or is "
            "something else: delete it to train from scratch", target,
        ) from None
    if not isinstance(state, dict):
        raise FormatError("not a checkpoint (it holds no dictionary of training state)", target)
    return state


def fingerprint(*data: torch.Tensor | np.ndarray, **settings: Any) -> str:
    """A digest of a fit's data and settings, stamped into its checkpoints.

    Args:
        *data: The arrays the fit trains on (their dtype, shape and bytes count).
        **settings: The settings that change the result (JSON-able values).

    Returns:
        A hexadecimal SHA-256 digest: equal for the same data and settings.
    """
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode("utf-8"))
    for part in data:
        array = part.detach().cpu().numpy() if isinstance(part, torch.Tensor) else np.asarray(part)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def resume_from(path: str | Path | None, stamp: str, owner: str) -> dict[str, Any] | None:
    """The state saved at ``path`` by the same fit (same :func:`fingerprint`), else None.

    Args:
        path: The fit's ``checkpoint=`` file, or None (no checkpoints).
        stamp: The fit's :func:`fingerprint`.
        owner: Who asks, for the error message (``"TextClassifier.fit"``).

    Returns:
        The saved state, or None when ``path`` is None or holds no checkpoint yet.

    Raises:
        FormatError: ``path`` is damaged.
        InvalidParameterError: ``path`` was written by a fit on other data or settings.
    """
    if path is None:
        return None
    state = load_checkpoint(path)
    if state is not None and state.get("fingerprint") != stamp:
        raise InvalidParameterError(
            f"{owner}: the checkpoint {path} was written by a fit on other data or with other "
            "settings; delete it to train from scratch, or pass another checkpoint= path"
        )
    return state
