"""Run by torchrun in test_elastic.py: word2vec on 2 ranks, resumed after a crash.

``argv``: the output folder (holding ``corpus.txt``) and ``crash`` or ``whole``. With
``crash``, rank 1 dies at the end of epoch 1 of the first attempt; torchrun restarts both
ranks and the script, unchanged, resumes from the checkpoint rank 0 wrote (the one of epoch 1,
or of epoch 0 if rank 0 was stopped before it had written the newer one: either way the
result must be the uninterrupted run's).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from embedlab import distributed
from embedlab.train import Word2Vec


def main() -> None:
    out, mode = Path(sys.argv[1]), sys.argv[2]
    ctx = distributed.init()
    checkpoint = out / f"{mode}.ckpt"

    def crash(model: Word2Vec, epoch: int, loss: float) -> None:
        if mode == "crash" and ctx.rank == 1 and ctx.restarts == 0 and epoch == 1:
            os._exit(3)

    model = Word2Vec(vector_size=12, window=2, min_count=1, epochs=4, workers=1, seed=5,
                     checkpoint=checkpoint, checkpoint_every=1, callbacks=[crash], progress=False)
    # The script a user writes for elastic runs: resume when a checkpoint is there.
    resumed = checkpoint.exists()
    vectors = model.fit(out / "corpus.txt", resume=checkpoint if resumed else None)
    if ctx.is_main:
        (out / f"{mode}.resumed").write_text(str(resumed))
        np.save(out / f"{mode}.npy", vectors.matrix)
        (out / f"{mode}.restarts").write_text(str(ctx.restarts))
    distributed.shutdown()


if __name__ == "__main__":
    main()
