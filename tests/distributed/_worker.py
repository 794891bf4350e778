"""Run by torchrun in the 2-rank tests: every scenario once, answers saved to ``argv[1]``."""

from __future__ import annotations

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))

import scenarios  # noqa: E402

from embedlab import distributed  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1])
    ctx = distributed.init()
    torch.set_num_threads(1)
    answers: dict[str, object] = {
        "world_size": ctx.world_size,
        "classifier": scenarios.classifier_weights(),
        "mf": scenarios.mf_factors(),
        "dual_encoder": scenarios.dual_encoder_weights(),
        "lookup": scenarios.sharded_lookup(ctx),
        "budget": scenarios.budget_training(ctx, budget=16_000),
        "search": [torch.from_numpy(a) for a in scenarios.sharded_search(ctx, k=6)],
        "search_all": [torch.from_numpy(a) for a in scenarios.sharded_search(ctx, k=30)],
    }
    torch.save(answers, out / f"rank{ctx.rank}.pt")
    distributed.shutdown()


if __name__ == "__main__":
    main()
