"""Two ranks under torchrun (gloo on loopback) give the one-process answers.

One launch runs every scenario (``scenarios.py``) on 2 ranks; the tests here run the same
scenarios in this process, a world of one, and compare.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from embedlab import distributed
from embedlab.neighbors import exact_top_k

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))  # this folder's helpers, shared with the torchrun worker
import scenarios  # noqa: E402
from launch import torchrun  # noqa: E402


@pytest.fixture(scope="module")
def ranks(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    out = tmp_path_factory.mktemp("ranks")
    torchrun(HERE / "_worker.py", str(out), timeout=90)
    return [torch.load(out / f"rank{r}.pt", weights_only=False) for r in (0, 1)]


def test_the_launch_had_two_ranks(ranks: list[dict[str, Any]]) -> None:
    assert [r["world_size"] for r in ranks] == [2, 2]


def test_text_classifier_on_two_ranks_equals_one_process(ranks: list[dict[str, Any]]) -> None:
    alone = scenarios.classifier_weights()
    for answer in ranks:
        for name, tensor in alone.items():
            torch.testing.assert_close(answer["classifier"][name], tensor, rtol=1e-4, atol=1e-5)


def test_matrix_factorization_on_two_ranks_equals_one_process(ranks: list[dict[str, Any]]) -> None:
    alone = scenarios.mf_factors()
    for answer in ranks:
        for name, tensor in alone.items():
            torch.testing.assert_close(answer["mf"][name], tensor, rtol=1e-4, atol=1e-5)


def test_dual_encoder_ranks_stay_in_step(ranks: list[dict[str, Any]]) -> None:
    # The contrastive loss sees the whole global batch (gather_rows), and DDP keeps the two
    # ranks' weights identical. Not equal to one process: each rank's BatchNorm normalises
    # over its own half of the batch (SyncBatchNorm runs on GPUs only).
    first, second = (answer["dual_encoder"] for answer in ranks)
    for name, tensor in first.items():
        torch.testing.assert_close(second[name], tensor, rtol=0, atol=0)
    alone = scenarios.dual_encoder_weights()
    assert set(alone) == set(first)
    moved = max(float((first[n] - alone[n]).abs().max()) for n in alone if alone[n].is_floating_point())
    assert 0 < moved < 0.1  # close to the one-process weights, not equal


def test_sharded_table_lookups_and_gradients_equal_an_unsharded_table(
    ranks: list[dict[str, Any]],
) -> None:
    full = ranks[0]["lookup"]["full"]
    torch.testing.assert_close(full, ranks[1]["lookup"]["full"])
    # the same seeded table as in one process
    torch.testing.assert_close(full, scenarios.sharded_lookup(distributed.context())["full"])
    # unsharded: one nn.Embedding over every rank's ids
    table = torch.nn.Embedding.from_pretrained(full.clone(), freeze=False)
    loss = torch.zeros(())
    for rank, ids in enumerate(scenarios.RANK_IDS):
        out = table(ids)
        torch.testing.assert_close(ranks[rank]["lookup"]["out"], out.detach())
        loss = loss + (out * scenarios.rank_weights(rank, ids)).sum()
    loss.backward()
    assert table.weight.grad is not None
    starts = [int(r["lookup"]["start"]) for r in ranks]
    assert starts == [0, 7]  # 13 rows: 7 on rank 0, 6 on rank 1
    torch.testing.assert_close(ranks[0]["lookup"]["grad"], table.weight.grad[:7])
    torch.testing.assert_close(ranks[1]["lookup"]["grad"], table.weight.grad[7:])
    # row 12 was looked up once by each rank: weights (3,4,5)/10 + 0 and (0,1,2)/10 + 1
    torch.testing.assert_close(table.weight.grad[12], torch.tensor([1.3, 1.5, 1.7]))


def test_a_table_over_one_ranks_budget_trains_across_two(ranks: list[dict[str, Any]]) -> None:
    with pytest.raises(distributed.DistributedError, match="max_bytes_per_rank=16000"):
        scenarios.budget_training(distributed.context(), budget=16_000)
    alone = scenarios.budget_training(distributed.context(), budget=32_000)
    for answer in ranks:
        torch.testing.assert_close(answer["budget"], alone)


@pytest.mark.parametrize("key, k", [("search", 6), ("search_all", 30)])
def test_sharded_search_equals_the_exact_answer(
    ranks: list[dict[str, Any]], key: str, k: int
) -> None:
    table, queries = scenarios.search_table()
    rows, scores = exact_top_k(queries, table, min(k, len(table)), block=8)
    for answer in ranks:
        np.testing.assert_array_equal(answer[key][0].numpy(), rows)
        np.testing.assert_array_equal(answer[key][1].numpy(), scores)
