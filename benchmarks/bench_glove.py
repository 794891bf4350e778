"""embedlab GloVe on the news corpus: phases timed, quality beside word2vec's.

There is no GloVe peer on these machines (the Stanford tool is C, not on a registry), so this
reports embedlab's own figures: co-occurrence entries, seconds per phase, updates/s, Google
analogy accuracy and WordSim-353 Spearman (``embedlab.evaluate``).

    python benchmarks/bench_glove.py [--epochs 15]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import save_results  # noqa: E402
from bench_word2vec import corpus_file  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=15)
    args = parser.parse_args()
    from embedlab import datasets, evaluate
    from embedlab.text import Corpus, whitespace_tokenize
    from embedlab.train import GloVe

    model = GloVe(vector_size=100, window=10, min_count=5, epochs=args.epochs, workers=2, seed=1,
                  progress=False)
    start = time.perf_counter()
    vectors = model.fit(Corpus(str(corpus_file()), tokenizer=whitespace_tokenize))
    total = time.perf_counter() - start
    analogy = evaluate.analogies(vectors, datasets.load("google-analogy")).accuracy
    wordsim = evaluate.word_pairs(vectors, datasets.load("wordsim353")).spearman
    result = {"epochs": args.epochs, "vocab": len(vectors), "cooccurrences": model.cooccurrences,
              "timings": model.timings, "total_s": total,
              "updates_per_s": model.cooccurrences * args.epochs / model.timings["train"],
              "final_cost": model.losses[-1], "analogy": analogy, "wordsim": wordsim}
    for key, value in result.items():
        print(f"{key:15} {value}")
    print("saved", save_results("glove", result))


if __name__ == "__main__":
    main()
