"""Run by tests/train/test_train_distributed.py under torchrun: fit a trainer on every rank.

    torchrun --nproc_per_node 2 distributed_fit.py CORPUS OUT_DIR word2vec|fasttext
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from embedlab.train import FastText, Word2Vec

corpus, out, trainer = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
options: dict[str, object] = {"vector_size": 16, "window": 3, "min_count": 1, "epochs": 4,
                              "workers": 2, "progress": False, "sample": 0.0}
model = (Word2Vec(**options) if trainer == "word2vec"  # type: ignore[arg-type]
         else FastText(bucket=2000, minn=2, maxn=3, **options))  # type: ignore[arg-type]
vectors = model.fit(corpus)

import torch.distributed as dist  # noqa: E402 - joined by fit()

rank = dist.get_rank() if dist.is_initialized() else 0
np.save(out / f"rank{rank}.npy", vectors.matrix)
(out / f"rank{rank}.words").write_text("\n".join(vectors.keys))
(out / f"rank{rank}.trained").write_text(str(model.corpus_words))
