"""Checkpoints for elastic training: rank 0 writes, every rank reads back after a restart.

When a rank dies, ``torchrun --max-restarts N`` stops the others and starts every rank
again; each then calls :func:`load_checkpoint` and goes on from the last finished step. The
file is written to a temporary name and renamed into place, so a rank killed while rank 0
writes leaves the previous checkpoint whole.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from .._io import atomic_write
from ._context import barrier, context


def save_checkpoint(path: str | Path, state: dict[str, Any]) -> None:
    """Write ``state`` (tensors, numbers, a generator's ``get_state()``) on rank 0; all ranks wait.

    Every rank must call it (it ends with a barrier, so no rank runs ahead of a checkpoint
    that is not yet on disk).

    Args:
        path: Where the checkpoint file goes (written atomically by rank 0).
        state: What to save: tensors, numbers, a generator's ``get_state()``.
    """
    if context().is_main:
        with atomic_write(path, "wb") as handle:
            torch.save(state, handle)
    barrier()


def load_checkpoint(path: str | Path) -> dict[str, Any] | None:
    """The state last saved at ``path``, or None when there is none yet (a fresh start).

    Args:
        path: The checkpoint file that :func:`save_checkpoint` writes.

    Returns:
        The saved state (tensors on the CPU), or None when ``path`` does not exist.
    """
    target = Path(path)
    if not target.exists():
        return None
    with target.open("rb") as handle:
        state: dict[str, Any] = torch.load(handle, map_location="cpu", weights_only=True)
    return state
