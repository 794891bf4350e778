"""Run by tests/train/test_train_distributed.py under torchrun: fit a trainer on every rank.

    torchrun --nproc_per_node 2 distributed_fit.py CORPUS OUT_DIR word2vec|fasttext|node2vec

node2vec ignores CORPUS and walks two 8-node cliques joined by one edge.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from embedlab.graph import Graph, Node2Vec
from embedlab.train import FastText, Word2Vec

corpus, out, trainer = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
options: dict[str, object] = {"vector_size": 16, "window": 3, "min_count": 1, "epochs": 4,
                              "workers": 2, "progress": False, "sample": 0.0}
if trainer == "node2vec":
    edges = [(a, b) for part in (0, 8) for a in range(part, part + 8) for b in range(a + 1, part + 8)]
    graph = Graph.from_edges([a for a, _ in edges] + [0], [b for _, b in edges] + [8], nodes=range(16))
    walker = Node2Vec(vector_size=16, window=3, walk_length=20, walks_per_node=10, epochs=3,
                      p=0.5, q=2.0, workers=1, progress=False)
    vectors = walker.fit(graph)
    np.save(out / f"walks{walker.walks_.first_walk}.npy", walker.walks_.nodes)
else:
    model = (Word2Vec(**options) if trainer == "word2vec"  # type: ignore[arg-type]
             else FastText(bucket=2000, minn=2, maxn=3, **options))  # type: ignore[arg-type]
    vectors = model.fit(corpus)

import torch.distributed as dist  # noqa: E402 - joined by fit()

rank = dist.get_rank() if dist.is_initialized() else 0
np.save(out / f"rank{rank}.npy", vectors.matrix)
(out / f"rank{rank}.words").write_text("\n".join(vectors.keys))
