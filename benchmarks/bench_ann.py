"""Approximate neighbours on real vectors: faiss HNSW through embedlab vs exact search.

GloVe 6B 50d (400,000 words, the named dataset), 1,000 query words drawn with a fixed seed,
top-10 by cosine. The exact answer (embedlab's blocked search) is the ground truth and the
speed baseline. One HNSW graph is built (its build time reported), then ``ef_search`` is swept:
recall@10 and throughput ratio per setting, medians of ``--repeats`` runs. The setting
reported is the fastest one with recall@10 >= 0.95. Results go to results/ann.json.

    python benchmarks/bench_ann.py [--hnsw-m 16] [--ef-construction 100] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from _common import save_results


def timed(function, repeats: int):  # type: ignore[no-untyped-def]
    seconds, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--hnsw-m", type=int, default=16)
    parser.add_argument("--ef-construction", type=int, default=100)
    parser.add_argument("--ef", type=int, nargs="+", default=[16, 24, 32, 48, 64, 96, 128])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from embedlab import datasets
    from embedlab.neighbors import build_index, recall_at_k

    glove = datasets.load("glove-6b-50d")
    rng = np.random.default_rng(0)
    words = [glove.keys[i] for i in rng.choice(len(glove), args.queries, replace=False)]

    exact = build_index(glove, method="exact")
    exact_seconds, (truth, _) = timed(lambda: exact.search(words, args.k), args.repeats)
    print(f"exact: {exact_seconds:.3f} s for {args.queries} queries "
          f"({args.queries / exact_seconds:.0f}/s)")

    start = time.perf_counter()
    ann = build_index(glove, method="faiss", hnsw_m=args.hnsw_m,
                      ef_construction=args.ef_construction)
    build_seconds = time.perf_counter() - start
    print(f"HNSW build (M={args.hnsw_m}, efConstruction={args.ef_construction}): "
          f"{build_seconds:.1f} s")

    sweep = []
    for ef in args.ef:
        ann._faiss.hnsw.efSearch = ef
        seconds, (rows, _) = timed(lambda: ann.search(words, args.k), args.repeats)
        recall = recall_at_k(rows, truth)
        speedup = exact_seconds / seconds
        sweep.append({"ef_search": ef, "seconds": seconds, "recall_at_10": recall,
                      "speedup_vs_exact": speedup})
        print(f"  efSearch {ef:4d}: recall@{args.k} {recall:.4f}  {seconds * 1000:7.1f} ms  "
              f"{speedup:5.1f}x exact")
    good = [s for s in sweep if s["recall_at_10"] >= 0.95]
    best = max(good, key=lambda s: s["speedup_vs_exact"]) if good else None
    if best:
        print(f"best with recall >= 0.95: efSearch {best['ef_search']}, recall "
              f"{best['recall_at_10']:.4f} at {best['speedup_vs_exact']:.1f}x exact throughput "
              "(target >= 10x)")
    else:
        print("no setting reached recall 0.95")
    path = save_results("ann", {
        "dataset": "glove-6b-50d", "rows": len(glove), "dim": glove.dim,
        "queries": args.queries, "k": args.k, "hnsw_m": args.hnsw_m,
        "ef_construction": args.ef_construction, "build_seconds": build_seconds,
        "exact_seconds": exact_seconds, "sweep": sweep, "best": best,
    })
    print(f"written to {path}")


if __name__ == "__main__":
    main()
