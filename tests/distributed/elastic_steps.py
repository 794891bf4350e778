"""A deterministic data-parallel loop that checkpoints every step and resumes from it.

The elastic test runs it under ``torchrun --max-restarts 1`` and kills rank 1 mid-way on the
first attempt; torchrun starts both ranks again, they resume from rank 0's checkpoint, and
the final weights must equal those of an uninterrupted run in one process.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

from embedlab import distributed

STEPS, BATCH, KILL_AT = 8, 12, 5


def train(checkpoint: Path, kill_rank: int | None = None) -> dict[str, torch.Tensor]:
    ctx = distributed.context()
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(60, 4, generator=gen)
    y = x @ torch.tensor([1.0, -2.0, 0.5, 3.0]) + 0.1
    torch.manual_seed(1)
    model = nn.Linear(4, 1)
    optimiser = torch.optim.Adam(model.parameters(), lr=0.05)
    shuffle = torch.Generator().manual_seed(2)
    step = 0
    state = distributed.load_checkpoint(checkpoint)
    if state is not None:  # resumed after a restart: the model, the optimiser and the shuffle
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        shuffle.set_state(state["shuffle"])
        step = int(state["step"])
    while step < STEPS:
        if kill_rank == ctx.rank and step == KILL_AT and ctx.restarts == 0:
            os._exit(3)  # a crash between two checkpoints
        rows, share = distributed.batch_share(torch.randperm(60, generator=shuffle)[:BATCH], ctx)
        loss = ((model(x[rows])[:, 0] - y[rows]) ** 2).mean() * share
        optimiser.zero_grad()
        loss.backward()
        # DDP's all-reduce by hand: wrapping in DDP would import torch._dynamo, seconds per
        # start on a busy machine, and this test starts four processes
        distributed.average_gradients(list(model.parameters()))
        optimiser.step()
        step += 1
        distributed.save_checkpoint(checkpoint, {
            "model": model.state_dict(), "optimiser": optimiser.state_dict(),
            "shuffle": shuffle.get_state(), "step": step,
        })
    return {k: v.detach().clone() for k, v in model.state_dict().items()}
