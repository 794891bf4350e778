"""embedlab GloVe on the news corpus: phases timed, quality beside word2vec's.

There is no GloVe peer on these machines (the Stanford tool is C, not on a registry), so this
reports embedlab's own figures: co-occurrence entries, seconds per phase, updates/s, Google
analogy accuracy and WordSim-353 Spearman (``embedlab.evaluate``).

It runs once per ``--x-max``: 100 is the paper's value (and ``GloVe``'s default), 10 the one the
GloVe tool's demo uses for a text8-sized corpus. On this 2M-word corpus almost every
co-occurrence count is far below 100 (median 0.27 after 1/distance weighting), so with
``x_max=100`` every entry gets a weight of a few hundredths and the fit is still improving
after 50 epochs; ``x_max=10`` converges in about 25.

    python benchmarks/bench_glove.py [--epochs 25] [--x-max 100,10]
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
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--x-max", default="100,10", help="comma-separated x_max values, one run each")
    args = parser.parse_args()
    from embedlab import datasets, evaluate
    from embedlab.text import Corpus, whitespace_tokenize
    from embedlab.train import GloVe

    results = {}
    for x_max in [float(x) for x in args.x_max.split(",")]:
        model = GloVe(vector_size=100, window=10, min_count=5, x_max=x_max, epochs=args.epochs, workers=2,
                      seed=1, progress=False)
        start = time.perf_counter()
        vectors = model.fit(Corpus(str(corpus_file()), tokenizer=whitespace_tokenize))
        total = time.perf_counter() - start
        analogy = evaluate.analogies(vectors, datasets.load("google-analogy")).accuracy
        wordsim = evaluate.word_pairs(vectors, datasets.load("wordsim353")).spearman
        result = {"epochs": args.epochs, "x_max": x_max, "vocab": len(vectors),
                  "cooccurrences": model.cooccurrences, "timings": model.timings, "total_s": total,
                  "updates_per_s": model.cooccurrences * args.epochs / model.timings["train"],
                  "final_cost": model.losses[-1], "analogy": analogy, "wordsim": wordsim}
        for key, value in result.items():
            print(f"{key:15} {value}")
        print(flush=True)
        results[f"x_max={x_max:g}"] = result
    print("saved", save_results("glove", {"epochs": args.epochs, "runs": results}))


if __name__ == "__main__":
    main()
