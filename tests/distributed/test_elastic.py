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


def test_killed_word2vec_ranks_resume_to_the_uninterrupted_vectors(tmp_path: Path) -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)]
    lines = [" ".join(rng.choice(words, size=12)) for _ in range(600)]
    (tmp_path / "corpus.txt").write_text("\n".join(lines) + "\n")
    worker = HERE / "_word2vec_elastic_worker.py"
    extra = ("--max-restarts", "1", "--monitor-interval", "0.2")
    torchrun(worker, str(tmp_path), "crash", timeout=120, extra=extra)
    torchrun(worker, str(tmp_path), "whole", timeout=120, extra=extra)
    assert (tmp_path / "crash.restarts").read_text() == "1"  # the crash happened, and a restart
    assert (tmp_path / "whole.restarts").read_text() == "0"
    # Rank 1 reached epoch 1 only through averaging steps with rank 0, so rank 0 had written
    # epoch 0's checkpoint by then: the restarted run resumed, it did not start over.
    assert (tmp_path / "crash.resumed").read_text() == "True"
    np.testing.assert_array_equal(np.load(tmp_path / "crash.npy"), np.load(tmp_path / "whole.npy"))
