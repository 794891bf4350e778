"""Data-parallel scaling, 1 vs 2 processes under torchrun (gloo on loopback), and a plan past it.

TextClassifier on Rotten Tomatoes (12,808 reviews, vocabulary 20,000 x 64, batches of 64) and
MatrixFactorization on MovieLens-100k (943 users, 1,682 items, 64 dims, batches of 1,024), the
same global batch at every world size. Each world size is launched with
``torchrun --nproc_per_node N`` on this machine; rank 0 reports the median seconds per step
(an epoch's steps alone: a 3-epoch fit minus a 1-epoch fit), and the time of one all-reduce of the gradient's
bytes alone. From those, the expected step time at 8 and 64 ranks (ring all-reduce over a
network, the per-step compute split N ways):

    step(N) = compute(1) / N + 2 (N - 1) / N * bytes / bandwidth + 2 (N - 1) * latency

with the bandwidth and latency of 25 Gb/s Ethernet (3.1 GB/s, 20 us; --bandwidth, --latency).
Results go to results/distributed.json.

    python benchmarks/bench_distributed.py [--ranks 1 2] [--bandwidth 3.1e9] [--latency 2e-5]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import save_results

SRC = Path(__file__).resolve().parents[1] / "src"


def _epoch_seconds(fit) -> float:  # type: ignore[no-untyped-def]
    """One epoch's training alone: a 3-epoch fit minus a 1-epoch fit (set-up cancels), halved."""
    fit(1)  # warm-up
    start = time.perf_counter()
    fit(1)
    one = time.perf_counter() - start
    start = time.perf_counter()
    fit(3)
    return (time.perf_counter() - start - one) / 2


def _allreduce_seconds(numel: int, repeats: int = 20) -> float:
    import torch

    from embedlab import distributed

    buffer = torch.zeros(numel)
    times = []
    for _ in range(repeats):
        distributed.barrier()
        start = time.perf_counter()
        distributed.all_reduce_sum(buffer)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def worker(out: Path) -> None:
    """One rank: time the two trainers, write rank 0's figures to ``out``."""
    import numpy as np
    import torch

    from embedlab import datasets, distributed
    from embedlab.nn import TextClassifier
    from embedlab.recsys import Interactions, MatrixFactorization

    ctx = distributed.init()
    torch.set_num_threads(1)
    reviews = datasets.load("rotten-tomatoes")
    classifier = TextClassifier(vocab_size=20_000, embedding_dim=64, input_length=100, hidden=64)
    batch = 64

    def classifier_fit(epochs: int) -> None:
        classifier.fit(reviews.texts, reviews.labels, epochs=epochs, batch_size=batch, progress=False)

    classifier_s = _epoch_seconds(classifier_fit)
    classifier_steps = math.ceil(len(reviews.texts) / batch)
    classifier_bytes = sum(p.numel() for p in classifier.net.parameters()) * 4

    ratings = datasets.load("movielens-100k")
    data = Interactions.from_arrays(ratings.users, ratings.items, np.asarray(ratings.ratings, float))
    mf_batch = 1024

    def mf_fit(epochs: int) -> None:
        MatrixFactorization(vector_size=64, epochs=epochs, batch_size=mf_batch, validation=0.0,
                            refit=False, progress=False).fit(data)

    mf_s = _epoch_seconds(mf_fit)
    mf_steps = math.ceil(len(data) / mf_batch)
    mf_bytes = (data.n_users + data.n_items) * (64 + 1) * 4
    figures = {
        "world_size": ctx.world_size,
        "text_classifier": {"step_s": classifier_s / classifier_steps,
                            "grad_bytes": classifier_bytes,
                            "allreduce_s": _allreduce_seconds(classifier_bytes // 4)},
        "matrix_factorization": {"step_s": mf_s / mf_steps,
                                 "grad_bytes": mf_bytes,
                                 "allreduce_s": _allreduce_seconds(mf_bytes // 4)},
    }
    if ctx.is_main:
        out.write_text(json.dumps(figures))
    distributed.shutdown()


def launch(ranks: int) -> dict:  # type: ignore[type-arg]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "figures.json"
        env = dict(os.environ, PYTHONPATH=str(SRC), OMP_NUM_THREADS="1")
        subprocess.run(
            [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(ranks),
             "--master_addr", "127.0.0.1", "--master_port", str(port), __file__, "--worker", str(out)],
            env=env, check=True, timeout=1200,
        )
        figures: dict = json.loads(out.read_text())  # type: ignore[type-arg]
        return figures


def projected(compute_s: float, grad_bytes: int, ranks: int, bandwidth: float, latency: float) -> float:
    ring = 2 * (ranks - 1) / ranks * grad_bytes / bandwidth + 2 * (ranks - 1) * latency
    return compute_s / ranks + ring


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--bandwidth", type=float, default=3.1e9, help="bytes/s per link")
    parser.add_argument("--latency", type=float, default=2e-5, help="seconds per message")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    runs = {n: launch(n) for n in args.ranks}
    report: dict = {"bandwidth": args.bandwidth, "latency": args.latency, "trainers": {}}  # type: ignore[type-arg]
    print(f"{'trainer':22} {'ranks':>5} {'ms/step':>8} {'speed-up':>8} {'MB/step':>8} {'all-reduce ms':>13}")
    for trainer in ("text_classifier", "matrix_factorization"):
        one = runs[args.ranks[0]][trainer]
        rows = {}
        for n, run in runs.items():
            figures = run[trainer]
            rows[str(n)] = {**figures, "speedup": one["step_s"] / figures["step_s"]}
            print(f"{trainer:22} {n:>5} {figures['step_s'] * 1e3:8.2f} {rows[str(n)]['speedup']:8.2f} "
                  f"{figures['grad_bytes'] / 1e6:8.2f} {figures['allreduce_s'] * 1e3:13.2f}")
        plan = {}
        for n in (8, 64):
            step = projected(one["step_s"], one["grad_bytes"], n, args.bandwidth, args.latency)
            plan[str(n)] = {"step_s": step, "speedup": one["step_s"] / step}
            print(f"{trainer:22} {n:>5} {step * 1e3:8.2f} {plan[str(n)]['speedup']:8.2f}   (projected)")
        report["trainers"][trainer] = {"measured": rows, "projected": plan}
    save_results("distributed", report)


if __name__ == "__main__":
    main()
