"""One process: torchrun's variables read right, helpers are no-ops, errors say what to do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from embedlab import distributed

SRC = Path(__file__).resolve().parents[2] / "src"


def _no_torchrun(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT",
                 "TORCHELASTIC_RESTART_COUNT"):
        monkeypatch.delenv(name, raising=False)


def test_without_torchrun_a_process_is_a_world_of_one(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_torchrun(monkeypatch)
    ctx = distributed.init()
    assert (ctx.rank, ctx.world_size, ctx.is_main, ctx.distributed) == (0, 1, True, False)
    rows = torch.arange(5)
    assert distributed.shard(rows).tolist() == [0, 1, 2, 3, 4]
    share, scale = distributed.batch_share(rows)
    assert share.tolist() == [0, 1, 2, 3, 4] and scale == 1.0
    assert distributed.all_reduce_mean(torch.tensor([2.0, 4.0])).tolist() == [2.0, 4.0]
    model = torch.nn.Linear(2, 1)
    assert distributed.wrap(model) is model


def test_torchrun_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_torchrun(monkeypatch)
    monkeypatch.setenv("RANK", "3")
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("LOCAL_RANK", "1")
    monkeypatch.setenv("TORCHELASTIC_RESTART_COUNT", "2")
    ctx = distributed.context()
    assert (ctx.rank, ctx.world_size, ctx.local_rank, ctx.restarts, ctx.is_main) == (3, 4, 1, 2, False)
    assert distributed.launched_by_torchrun()


def test_a_launch_without_master_address_says_to_use_torchrun(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _no_torchrun(monkeypatch)
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(distributed.DistributedError, match="MASTER_ADDR is not; launch with torchrun"):
        distributed.init()


def test_a_bad_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_torchrun(monkeypatch)
    monkeypatch.setenv("WORLD_SIZE", "two")
    with pytest.raises(distributed.DistributedError, match="WORLD_SIZE='two' is not an integer"):
        distributed.context()


def test_shard_bounds_and_owners_use_64_bit_rows() -> None:
    bounds = distributed.shard_bounds(2**33 + 1, 2)  # more rows than an int32 can number
    assert bounds.tolist() == [0, 2**32 + 1, 2**33 + 1]
    ids = torch.tensor([0, 2**32, 2**32 + 1, 2**33])
    assert distributed.owners(ids, bounds).tolist() == [0, 0, 1, 1]
    assert distributed.shard_bounds(13, 3).tolist() == [0, 5, 9, 13]


def test_a_shard_over_the_budget_stops_before_allocating(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_torchrun(monkeypatch)
    with pytest.raises(distributed.DistributedError,
                       match=r"rank 0's shard of 1000000000 rows x 64 takes 256000000000 bytes"):
        distributed.ShardedEmbedding(10**9, 64, max_bytes_per_rank=2**30)


def test_ids_outside_the_table_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_torchrun(monkeypatch)
    table = distributed.ShardedEmbedding(5, 2)
    with pytest.raises(distributed.DistributedError, match=r"ids must lie in \[0, 5\); got 0 .. 5"):
        table(torch.tensor([0, 5]))


def test_the_initial_table_does_not_depend_on_the_number_of_ranks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _no_torchrun(monkeypatch)
    whole = distributed.ShardedEmbedding(70_000, 2, seed=3).weight.detach()
    # what rank 1 of 3 would hold, built alone
    fake = distributed.Context(rank=1, world_size=3, local_rank=1, device=torch.device("cpu"),
                               backend=None, restarts=0)
    part = distributed.ShardedEmbedding(70_000, 2, seed=3, ctx=fake)
    assert part.start == 23_334
    torch.testing.assert_close(part.weight.detach(), whole[23_334:46_667])


def test_python_dash_m_embedlab_is_the_command() -> None:
    done = subprocess.run([sys.executable, "-m", "embedlab", "train", "--help"],
                          env={"PYTHONPATH": str(SRC), "PATH": ""}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "--distributed" in done.stdout
