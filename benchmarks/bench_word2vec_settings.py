"""Which Word2Vec settings reach a quality soonest: a sweep over named settings and seeds.

Each setting is trained with ``workers=2`` (one process, the two cores) for every seed, in this
process, on Brown or the news corpus (``bench_spark.py``'s token files), and scored on Google
analogies (3CosAdd) and WordSim-353 (Spearman). It prints each setting's median and fastest
``fit`` seconds and CPU seconds, and the median scores; every run goes to
``benchmarks/results/word2vec_settings_CORPUS.json``. The fastest time says what a setting
costs when the machine lets it run; the median what a run met. bench_spark.py then times the
chosen setting against Spark, each in a fresh process.

All settings share Spark's dim 100 and min_count 5 (the same vocabulary). ``SWEEP`` holds the
settings tried for docs/distributed.md's choice; ``--settings`` takes a JSON object of others.

    python benchmarks/bench_word2vec_settings.py [--corpus brown] [--seeds 1,2,3] [--settings JSON]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import save_results  # noqa: E402
from bench_spark import SETTINGS, corpus  # noqa: E402

_CBOW = {"mode": "cbow", "negative": 5, "learning_rate": 0.05}
SWEEP: dict[str, dict[str, Any]] = {
    "cbow-w8-e10": _CBOW | {"sample": 1e-3, "window": 8, "epochs": 10},
    "cbow-w8-s5e-4-e10": _CBOW | {"sample": 5e-4, "window": 8, "epochs": 10},
    "cbow-w6-s5e-4-e12": _CBOW | {"sample": 5e-4, "window": 6, "epochs": 12},
    "cbow-w6-s3e-4-e12": _CBOW | {"sample": 3e-4, "window": 6, "epochs": 12},
    "cbow-w5-s2e-4-e12": _CBOW | {"sample": 2e-4, "window": 5, "epochs": 12},
    "cbow-w5-s2e-4-e15": _CBOW | {"sample": 2e-4, "window": 5, "epochs": 15},
    "cbow-w8-s1e-4-e10": _CBOW | {"sample": 1e-4, "window": 8, "epochs": 10},
    "cbow-w8-s1e-4-e15": _CBOW | {"sample": 1e-4, "window": 8, "epochs": 15},
    "cbow-w5-s1e-4-e15": _CBOW | {"sample": 1e-4, "window": 5, "epochs": 15},
}


def run(path: Path, settings: dict[str, Any], seed: int) -> dict[str, float]:
    from embedlab import datasets, evaluate
    from embedlab.text import Corpus, whitespace_tokenize
    from embedlab.train import Word2Vec

    model = Word2Vec(seed=seed, progress=False, workers=2, **(SETTINGS | settings))
    start, cpu = time.perf_counter(), time.process_time()
    vectors = model.fit(Corpus(path, tokenizer=whitespace_tokenize))
    fit_s, cpu_s = time.perf_counter() - start, time.process_time() - cpu
    return {"fit_s": fit_s, "cpu_s": cpu_s,
            "analogy": evaluate.analogies(vectors, datasets.load("google-analogy"), progress=False).accuracy,
            "wordsim": evaluate.word_pairs(vectors, datasets.load("wordsim353")).spearman}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="brown", choices=["brown", "news"])
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--settings", help="a JSON object {name: {parameter: value}}; default: SWEEP")
    args = parser.parse_args()
    sweep = json.loads(args.settings) if args.settings else SWEEP
    seeds = [int(s) for s in args.seeds.split(",")]
    path = corpus(args.corpus)
    run(path, {"epochs": 1}, 1)  # numba loads its compiled kernels outside the timings
    results: dict[str, Any] = {}
    print(f"{'setting':22} {'fit s median/fastest':>20} {'CPU s median':>12} {'analogy':>8} {'WordSim':>8}")
    for name, settings in sweep.items():
        runs = [run(path, settings, seed) for seed in seeds]
        median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        results[name] = {"settings": settings, "median": median,
                         "fastest_fit_s": min(r["fit_s"] for r in runs), "runs": runs}
        print(f"{name:22} {median['fit_s']:>11.2f} / {results[name]['fastest_fit_s']:<6.2f} "
              f"{median['cpu_s']:>12.2f} {median['analogy']:>8.4f} {median['wordsim']:>8.4f}", flush=True)
    payload = {"corpus": path.name, "base": SETTINGS, "workers": 2, "seeds": seeds, "results": results}
    print("saved", save_results(f"word2vec_settings_{args.corpus}", payload))


if __name__ == "__main__":
    main()
