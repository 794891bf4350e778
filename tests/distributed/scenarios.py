"""What the 2-rank tests run: each function trains or searches and returns tensors to compare.

``_worker.py`` runs them under torchrun (2 ranks, gloo on 127.0.0.1); the tests run the same
functions in the test process (a world of one) and compare the answers.
"""

from __future__ import annotations

import numpy as np
import torch

from embedlab import distributed
from embedlab.nn import TextClassifier
from embedlab.recsys import Interactions, MatrixFactorization

WORDS = ["good", "great", "fine", "bad", "awful", "poor", "film", "plot", "cast", "very"]


def _reviews(n: int = 90) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(7)
    texts, labels = [], []
    for i in range(n):
        positive = i % 2 == 0
        mood = WORDS[:3] if positive else WORDS[3:6]
        words = [str(w) for w in rng.choice(mood + WORDS[6:], size=int(rng.integers(3, 8)))]
        texts.append(" ".join(words))
        labels.append("pos" if positive else "neg")
    return texts, labels


def classifier_weights() -> dict[str, torch.Tensor]:
    # 90 texts in batches of 16: the last batch (10 rows) splits 5/5, and 16 splits 8/8.
    texts, labels = _reviews()
    model = TextClassifier(vocab_size=50, embedding_dim=8, input_length=8, hidden=8)
    model.fit(texts, labels, epochs=3, batch_size=16, seed=3, progress=False)
    return {k: v.detach().clone() for k, v in model.net.state_dict().items()}


def mf_factors() -> dict[str, torch.Tensor]:
    rng = np.random.default_rng(11)
    n = 301  # odd: the last minibatch splits unevenly between two ranks
    users, items = rng.integers(0, 20, n), rng.integers(0, 15, n)
    ratings = (1 + (users + items) % 5).astype(float)
    data = Interactions.from_arrays(users.tolist(), items.tolist(), ratings)
    model = MatrixFactorization(vector_size=4, epochs=3, batch_size=50, validation=0.1,
                                early_stopping=0, refit=False, seed=5, progress=False)
    model.fit(data)
    assert model.user_factors is not None and model.item_factors is not None
    return {"users": torch.from_numpy(model.user_factors.copy()),
            "items": torch.from_numpy(model.item_factors.copy())}


# The sharded table: 13 rows x 3, each rank looks up its own ids (ids repeat across ranks).
TABLE_ROWS, TABLE_DIM = 13, 3
RANK_IDS = [torch.tensor([[0, 12, 5], [7, 7, 1]]), torch.tensor([[12, 3, 6, 0]])]


def rank_weights(rank: int, ids: torch.Tensor) -> torch.Tensor:
    """A fixed weight per looked-up value, so each row's gradient is a known sum."""
    return torch.arange(ids.numel() * TABLE_DIM, dtype=torch.float32).reshape(
        *ids.shape, TABLE_DIM) / 10 + rank


def sharded_lookup(ctx: distributed.Context) -> dict[str, torch.Tensor]:
    table = distributed.ShardedEmbedding(TABLE_ROWS, TABLE_DIM, seed=2, ctx=ctx)
    ids = RANK_IDS[ctx.rank]
    out = table(ids)
    (out * rank_weights(ctx.rank, ids)).sum().backward()
    assert table.weight.grad is not None
    return {"out": out.detach(), "grad": table.weight.grad.clone(),
            "start": torch.tensor(table.start), "full": table.full_weight()}


def budget_training(ctx: distributed.Context, budget: int) -> torch.Tensor:
    """A few SGD steps on a 1000 x 8 table (32,000 bytes) under a per-rank budget."""
    table = distributed.ShardedEmbedding(1000, 8, seed=4, max_bytes_per_rank=budget, ctx=ctx)
    optimiser = torch.optim.SGD(table.parameters(), lr=0.5)
    gen = torch.Generator().manual_seed(9)
    for _ in range(3):
        ids = torch.randint(0, 1000, (2, 64), generator=gen)  # every rank draws both halves
        mine = ids[ctx.rank] if ctx.distributed else ids.reshape(-1)
        optimiser.zero_grad()
        (table(mine) ** 2).sum().backward()
        optimiser.step()
    return table.full_weight()


def search_table() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    table = rng.integers(-3, 4, size=(23, 4)).astype(np.float32)  # small ints: many ties
    queries = rng.integers(-2, 3, size=(5, 4)).astype(np.float32)
    return table, queries


def sharded_search(ctx: distributed.Context, k: int) -> tuple[np.ndarray, np.ndarray]:
    table, queries = search_table()
    cut = 9  # rank 0 holds rows 0..8, rank 1 rows 9..22
    mine = table if not ctx.distributed else (table[:cut] if ctx.rank == 0 else table[cut:])
    return distributed.sharded_top_k(queries, mine, k, ctx)


def dual_encoder_weights() -> dict[str, torch.Tensor]:
    """A tiny dual encoder on 8x8 images of four kinds (a bright quadrant each)."""
    from embedlab.crossmodal import DualEncoder

    rng = np.random.default_rng(0)
    labels = np.arange(36) % 4
    images = rng.uniform(0, 0.2, size=(36, 8, 8)).astype(np.float32)
    for i, label in enumerate(labels):
        row, col = divmod(int(label), 2)
        images[i, row * 4 : row * 4 + 4, col * 4 : col * 4 + 4] += 0.8
    captions = [f"a picture of quadrant {'abcd'[label]}" for label in labels]
    model = DualEncoder(vector_size=8, embedding_dim=8, channels=(4, 8), epochs=2, batch_size=12,
                        seed=0, progress=False)
    model.fit(images, captions, labels=labels)
    assert model.towers is not None
    return {k: v.detach().clone() for k, v in model.towers.state_dict().items()}
