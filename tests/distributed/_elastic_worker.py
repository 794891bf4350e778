"""Run by torchrun in the elastic test: rank 1 dies once; the restarted ranks resume."""

from __future__ import annotations

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))

import elastic_steps  # noqa: E402

from embedlab import distributed  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1])
    ctx = distributed.init()
    weights = elastic_steps.train(out / "checkpoint.pt", kill_rank=1)
    if ctx.is_main:
        torch.save({"weights": weights, "restarts": ctx.restarts}, out / "final.pt")
    distributed.shutdown()


if __name__ == "__main__":
    main()
