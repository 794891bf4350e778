"""Exact top-10 search: embedlab's blocked search vs faiss ``IndexFlatIP``, same matrix.

400,000 x 300 float32 rows scaled to unit length (GloVe 840B-sized), 1,000 queries drawn from
the rows, top-10 by inner product (= cosine). Both run in this process on the same threads,
alternating, ``--repeats`` times; medians and the ratio are printed and written to
results/neighbors.json. Both must return the same rows.

    python benchmarks/bench_neighbors.py [--rows 400000] [--dim 300] [--queries 1000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from _common import save_results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    import faiss
    import torch

    from embedlab import Vectors
    from embedlab.neighbors import build_index

    rng = np.random.default_rng(0)
    matrix = rng.standard_normal((args.rows, args.dim), dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    queries = matrix[rng.choice(args.rows, args.queries, replace=False)].copy()
    vectors = Vectors([f"w{i}" for i in range(args.rows)], matrix)

    flat = faiss.IndexFlatIP(args.dim)
    flat.add(matrix)
    ours = build_index(vectors, method="exact")

    # Single-threaded CPU time first: on a machine shared with other work this is the steadier
    # comparison (wall-clock rounds below swing with the neighbours' load).
    threads = torch.get_num_threads(), faiss.omp_get_max_threads()
    torch.set_num_threads(1)
    faiss.omp_set_num_threads(1)
    cpu: dict[str, list[float]] = {"embedlab": [], "faiss_flat_ip": []}
    for _ in range(3):
        start = time.process_time()
        ours.search(queries, args.k)
        cpu["embedlab"].append(time.process_time() - start)
        start = time.process_time()
        flat.search(queries, args.k)
        cpu["faiss_flat_ip"].append(time.process_time() - start)
    torch.set_num_threads(threads[0])
    faiss.omp_set_num_threads(threads[1])
    cpu_ratio = min(cpu["embedlab"]) / min(cpu["faiss_flat_ip"])
    print(f"1 thread, CPU seconds (best of 3): embedlab {min(cpu['embedlab']):.3f}, faiss "
          f"{min(cpu['faiss_flat_ip']):.3f}: {cpu_ratio:.2f}x")

    times: dict[str, list[float]] = {"embedlab": [], "faiss_flat_ip": []}
    answers = {}
    for _ in range(args.repeats):
        start = time.perf_counter()
        rows, _ = ours.search(queries, args.k)
        times["embedlab"].append(time.perf_counter() - start)
        answers["embedlab"] = rows
        start = time.perf_counter()
        _, rows = flat.search(queries, args.k)
        times["faiss_flat_ip"].append(time.perf_counter() - start)
        answers["faiss_flat_ip"] = rows
    agree = float((answers["embedlab"] == answers["faiss_flat_ip"]).mean())
    medians = {name: statistics.median(t) for name, t in times.items()}
    ratio = medians["embedlab"] / medians["faiss_flat_ip"]
    # Each round's own ratio too: on a shared machine the load changes between rounds.
    per_round = statistics.median(a / b for a, b in zip(times["embedlab"], times["faiss_flat_ip"],
                                                        strict=True))
    for name, seconds in medians.items():
        print(f"{name:15s} {seconds:7.3f} s  ({args.queries / seconds:8.0f} queries/s)")
    print(f"embedlab / faiss IndexFlatIP: {ratio:.2f}x (ratio of medians), {per_round:.2f}x "
          f"(median of per-round ratios); target <= 1.2x; same rows: {agree:.4f}")
    path = save_results("neighbors", {
        "rows": args.rows, "dim": args.dim, "queries": args.queries, "k": args.k,
        "threads": {"torch": torch.get_num_threads(), "faiss": faiss.omp_get_max_threads()},
        "seconds": times, "median_seconds": medians, "ratio_vs_faiss": ratio,
        "median_round_ratio_vs_faiss": per_round,
        "single_thread_cpu_seconds": cpu, "single_thread_cpu_ratio_vs_faiss": cpu_ratio,
        "same_rows": agree, "block_rows": ours.rows_per_block(args.queries),
    })
    print(f"written to {path}")


if __name__ == "__main__":
    main()
