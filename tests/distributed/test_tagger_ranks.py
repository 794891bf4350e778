"""SequenceTagger.fit on two ranks under torchrun (gloo on loopback) gives the one-process
weights: the same global batches, each rank training on its share of the sentences.

This file is also the torchrun worker: run as a script, it trains on its rank and saves.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from launch import torchrun  # noqa: E402

from embedlab import Vectors, distributed  # noqa: E402
from embedlab.tag import SequenceTagger  # noqa: E402

WORDS = {"DET": ["a", "the"], "ADJ": ["big", "red"], "NOUN": ["dogo", "cato", "ramo"],
         "VERB": ["runs", "eats"]}


def _sentences() -> tuple[list[list[str]], list[list[str]]]:
    """37 sentences of 2 to 4 words: batches of 8 split 4/4, the last (5) 3/2."""
    rng = np.random.default_rng(3)
    sentences, tags = [], []
    for _ in range(37):
        labels = ["DET"] + ["ADJ"] * int(rng.integers(0, 3)) + ["NOUN", "VERB"]
        labels = labels[: int(rng.integers(2, len(labels) + 1))]
        sentences.append([str(rng.choice(WORDS[t])) for t in labels])
        tags.append(labels)
    return sentences, tags


def trained(crf: bool) -> SequenceTagger:
    """Dropout off: each rank would draw its own masks."""
    vectors = Vectors(["the", "dogo", "ramo"], np.eye(3, 6, dtype=np.float32))
    tagger = SequenceTagger(char_dim=4, char_filters=6, hidden=6, dropout=0.0, pretrained=vectors,
                            min_count=2, crf=crf)
    tagger.fit(*_sentences(), epochs=2, batch_size=8, seed=4, progress=False)
    return tagger


def weights(tagger: SequenceTagger) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in tagger.net.state_dict().items()}


def test_two_ranks_train_the_one_process_weights(tmp_path: Path) -> None:
    torchrun(Path(__file__), str(tmp_path), timeout=60)
    ranks = [torch.load(tmp_path / f"rank{r}.pt") for r in (0, 1)]
    assert [int(r["world_size"]) for r in ranks] == [2, 2]
    # 2 epochs of 37 sentences in batches of 8, each split 4/4 between the ranks, the last 3/2
    assert [int(r["sentences_trained"]) for r in ranks] == [38, 36]
    for crf in (False, True):
        alone = weights(trained(crf))
        for answer in ranks:
            theirs = answer["crf" if crf else "softmax"]
            assert set(theirs) == set(alone)
            for name, tensor in alone.items():
                torch.testing.assert_close(theirs[name], tensor, rtol=1e-4, atol=1e-5)
    # rank 0 wrote the softmax tagger once: it loads with rank 0's weights
    loaded = weights(SequenceTagger.load(tmp_path / "model"))
    for name, tensor in ranks[0]["softmax"].items():
        assert torch.equal(loaded[name], tensor), name


def main() -> None:
    out = Path(sys.argv[1])
    ctx = distributed.init()
    torch.set_num_threads(1)
    collate = SequenceTagger._collate
    seen: list[int] = []

    def counting(items: list[tuple[torch.Tensor, ...]]) -> tuple[torch.Tensor, ...]:
        seen.append(len(items))
        return collate(items)  # type: ignore[arg-type]

    SequenceTagger._collate = staticmethod(counting)  # type: ignore[method-assign,assignment]
    softmax = trained(False)
    SequenceTagger._collate = staticmethod(collate)  # type: ignore[method-assign]
    softmax.save(out / "model")
    answers = {"world_size": torch.tensor(ctx.world_size), "softmax": weights(softmax),
               "sentences_trained": torch.tensor(sum(seen)),
               "crf": weights(trained(True))}
    torch.save(answers, out / f"rank{ctx.rank}.pt")
    distributed.shutdown()


if __name__ == "__main__":
    main()
