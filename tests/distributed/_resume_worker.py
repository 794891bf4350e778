"""Run by torchrun (--max-restarts 2) in test_elastic.py: fits that resume by themselves.

Attempt 0: rank 1 dies in the classifier's second epoch. Attempt 1: the classifier resumes
from its checkpoint and finishes; rank 1 dies in matrix factorisation. Attempt 2: the
classifier's finished checkpoint gives its weights at once; matrix factorisation resumes.
Rank 0 saves the final weights and the optimiser steps each fit took in the last attempt.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))

import resumable  # noqa: E402
from resumable import CLASSIFIER_EPOCH_STEPS, crash_at  # noqa: E402

from embedlab import distributed  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1])
    ctx = distributed.init()
    torch.set_num_threads(1)

    def die() -> None:
        os._exit(3)  # a crash between two checkpoints

    def kill_at(attempt: int, step: int) -> int | None:
        return step if ctx.rank == 1 and ctx.restarts == attempt else None

    with crash_at(kill_at(0, CLASSIFIER_EPOCH_STEPS + 3), die) as classifier_steps:
        classifier = resumable.classifier(out / "classifier.pt")
    with crash_at(kill_at(1, 8), die) as mf_steps:
        mf = resumable.mf(out / "mf.pt")
    if ctx.is_main:
        torch.save({"classifier": classifier, "mf": mf, "restarts": ctx.restarts,
                    "classifier_steps": classifier_steps[0], "mf_steps": mf_steps[0]}, out / "final.pt")
    distributed.shutdown()


if __name__ == "__main__":
    main()
