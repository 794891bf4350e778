"""A rank killed mid-training is restarted by torchrun and resumes from the last checkpoint."""

from __future__ import annotations

import sys
from pathlib import Path

import torch

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))  # this folder's helpers, shared with the torchrun worker
import elastic_steps  # noqa: E402
from launch import torchrun  # noqa: E402


def test_a_killed_rank_resumes_to_the_uninterrupted_result(tmp_path: Path) -> None:
    torchrun(HERE / "_elastic_worker.py", str(tmp_path), timeout=90,
             extra=("--max-restarts", "1", "--monitor-interval", "0.2"))
    final = torch.load(tmp_path / "final.pt", weights_only=True)
    assert final["restarts"] == 1  # the kill happened and torchrun restarted the ranks
    alone = elastic_steps.train(tmp_path / "alone.pt")
    for name, tensor in alone.items():
        torch.testing.assert_close(final["weights"][name], tensor, rtol=1e-5, atol=1e-6)
