"""A rank killed mid-training is restarted by torchrun and resumes from the last checkpoint."""

from __future__ import annotations

import sys
from pathlib import Path

import torch

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))  # this folder's helpers, shared with the torchrun worker
import elastic_steps  # noqa: E402
import resumable  # noqa: E402
from launch import torchrun  # noqa: E402
from resumable import crash_at  # noqa: E402


def test_a_killed_rank_resumes_to_the_uninterrupted_result(tmp_path: Path) -> None:
    torchrun(HERE / "_elastic_worker.py", str(tmp_path), timeout=90,
             extra=("--max-restarts", "1", "--monitor-interval", "0.2"))
    final = torch.load(tmp_path / "final.pt", weights_only=True)
    assert final["restarts"] == 1  # the kill happened and torchrun restarted the ranks
    alone = elastic_steps.train(tmp_path / "alone.pt")
    for name, tensor in alone.items():
        torch.testing.assert_close(final["weights"][name], tensor, rtol=1e-5, atol=1e-6)


def test_killed_classifier_and_mf_fits_resume_from_their_own_checkpoints(tmp_path: Path) -> None:
    # Two kills, two restarts: the classifier in attempt 0, matrix factorisation in attempt 1.
    torchrun(HERE / "_resume_worker.py", str(tmp_path), timeout=150,
             extra=("--max-restarts", "2", "--monitor-interval", "0.2"))
    final = torch.load(tmp_path / "final.pt", weights_only=True)
    assert final["restarts"] == 2
    assert final["classifier_steps"] == 0  # attempt 2 found the classifier's finished checkpoint
    with crash_at(None, lambda: None) as whole:
        alone = resumable.mf(None)
    assert 0 < final["mf_steps"] < whole[0]  # resumed, not trained again from the start
    for name, expected in (("classifier", resumable.classifier(None)), ("mf", alone)):
        for key, tensor in expected.items():  # 2 ranks against 1 process: float rounding apart
            torch.testing.assert_close(final[name][key], tensor, rtol=1e-4, atol=1e-5)
