"""``torchrun -m embedlab train --distributed word2vec ...``: the documented CLI launch, end to end."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import embedlab

sys.path.insert(0, str(Path(__file__).parent))  # this folder's helpers
from launch import torchrun  # noqa: E402

WORDS = ["cat", "dog", "sat", "on", "the", "mat", "ran", "in", "park", "a", "big", "small"]


def test_two_ranks_train_word2vec_from_the_cli_and_rank_0_alone_writes(tmp_path: Path) -> None:
    rng = random.Random(0)
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("".join(" ".join(rng.choice(WORDS) for _ in range(12)) + "\n" for _ in range(300)))
    out = tmp_path / "vectors" / "small.vec"
    # 180 s: the word2vec kernels compile on the first run in a fresh checkout (numba caches them).
    done = torchrun("embedlab", "train", "--distributed", "word2vec", str(corpus), "-o", str(out),
                    "--vector-size", "8", "--min-count", "1", "--epochs", "2", "--workers", "1",
                    timeout=180, extra=("-m",))
    assert done.stdout.count("wrote ") == 1  # one summary: rank 0's
    assert sorted(p.name for p in out.parent.iterdir()) == ["small.vec"]  # one file, no leftovers
    vectors = embedlab.load(out)
    assert sorted(vectors) == sorted(WORDS)
    assert vectors.dim == 8
