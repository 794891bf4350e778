"""fit(..., checkpoint=path) of TextClassifier and MatrixFactorization: a crashed fit called
again resumes from the last epoch's checkpoint and ends where an uninterrupted fit does."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))  # this folder's helpers, shared with torchrun workers
import resumable  # noqa: E402
from resumable import CLASSIFIER_EPOCH_STEPS, CLASSIFIER_STEPS, crash_at  # noqa: E402

from embedlab.errors import FormatError, InvalidParameterError  # noqa: E402


class Crash(Exception):
    pass


def crash() -> None:
    raise Crash


def assert_same(got: dict[str, torch.Tensor], expected: dict[str, torch.Tensor]) -> None:
    assert set(got) == set(expected)
    for name, tensor in expected.items():
        torch.testing.assert_close(got[name], tensor, rtol=0, atol=0)


def test_a_crashed_classifier_fit_resumes_to_the_uninterrupted_weights(tmp_path: Path) -> None:
    checkpoint = tmp_path / "classifier.pt"
    with pytest.raises(Crash), crash_at(CLASSIFIER_EPOCH_STEPS + 3, crash):  # in epoch 2
        resumable.classifier(checkpoint)
    with crash_at(None, crash) as taken:
        resumed = resumable.classifier(checkpoint)
    assert taken[0] == CLASSIFIER_STEPS - CLASSIFIER_EPOCH_STEPS  # epochs 2 and 3 only
    assert_same(resumed, resumable.classifier(None))
    with crash_at(None, crash) as taken:  # the checkpoint of a finished fit: nothing to train
        again = resumable.classifier(checkpoint)
    assert taken[0] == 0
    assert_same(again, resumed)


@pytest.mark.parametrize("crash_step", [8, 22], ids=["first-phase", "refit"])
def test_a_crashed_mf_fit_resumes_to_the_uninterrupted_factors(tmp_path: Path, crash_step: int) -> None:
    with crash_at(None, crash) as whole:
        alone = resumable.mf(None)
    assert whole[0] > 22  # 3 epochs of 6 steps (271 ratings), then a refit of 7 steps an epoch
    checkpoint = tmp_path / "mf.pt"
    with pytest.raises(Crash), crash_at(crash_step, crash):
        resumable.mf(checkpoint)
    with crash_at(None, crash) as taken:
        resumed = resumable.mf(checkpoint)
    assert 0 < taken[0] < whole[0] - crash_step + 7  # at most one epoch trained again
    assert_same(resumed, alone)


def test_a_checkpoint_of_another_fit_is_refused(tmp_path: Path) -> None:
    checkpoint = tmp_path / "mf.pt"
    resumable.mf(checkpoint)
    with pytest.raises(InvalidParameterError, match="written by a fit on other data or with other settings"):
        resumable.classifier(checkpoint)


def test_a_damaged_checkpoint_is_a_format_error(tmp_path: Path) -> None:
    checkpoint = tmp_path / "classifier.pt"
    checkpoint.write_bytes(b"not a checkpoint")
    with pytest.raises(FormatError, match="classifier.pt: not a readable checkpoint"):
        resumable.classifier(checkpoint)
