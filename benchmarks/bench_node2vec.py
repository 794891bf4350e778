"""node2vec: embedlab vs PecanPy (SparseOTF), side by side in one run.

1. End to end on the directed weighted Drosophila connectome (dim 128, 10 walks of 80,
   window 10, 1 epoch): each tool's command line in its own process — wall time, peak RSS —
   then the same classifier (one-vs-rest logistic regression, 5 stratified folds) scores
   both embeddings. Repeated; medians, and whether each tool's vectors were identical run
   to run.
2. Walks only, on a larger random graph, first order (p = q = 1) and second order
   (p = 0.5, q = 2): steps per second after a warm-up (median of the repeats), and peak
   RSS, each tool in its own process.

PecanPy pins numpy < 2, so it runs from its own virtualenv (created on first use):

    python benchmarks/bench_node2vec.py [--repeats 3] [--nodes 5000] [--edges 50000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from _common import save_results

PECANPY_VENV = Path(os.environ.get("PECANPY_VENV", "/tmp/pecanpy-venv"))
PECANPY_PYTHON = PECANPY_VENV / "bin" / "python"
EMBEDLAB = Path(sys.executable).with_name("embedlab")

_TIMED = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - start
if done.returncode:
    sys.exit(done.stderr[-3000:])
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "max_rss_mb": peak}))
"""

_WALKS_EMBEDLAB = r"""
import json, resource, sys, time
from embedlab.graph import Graph, random_walks
path, p, q = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
g = Graph.from_edgelist(path, directed=False)
random_walks(g, p=p, q=q, walk_length=80, walks_per_node=1, seed=0, workers=2)  # warm-up
times = []
for _ in range(int(sys.argv[4])):
    start = time.perf_counter()
    walks = random_walks(g, p=p, q=q, walk_length=80, walks_per_node=10, seed=0, workers=2)
    times.append(time.perf_counter() - start)
seconds = sorted(times)[len(times) // 2]
print(json.dumps({"seconds": seconds, "steps": walks.n_steps,
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_WALKS_PECANPY = r"""
import json, resource, sys, time
from pecanpy import pecanpy as pp
path, p, q = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
g = pp.SparseOTF(p=p, q=q, workers=2, verbose=False, random_state=0)
g.read_edg(path, weighted=False, directed=False, delimiter="\t")
g.preprocess_transition_probs()
g.simulate_walks(num_walks=1, walk_length=80)  # warm-up (it compiles again on every call)
times = []
for _ in range(int(sys.argv[4])):
    start = time.perf_counter()
    walks = g.simulate_walks(num_walks=10, walk_length=80)
    times.append(time.perf_counter() - start)
seconds = sorted(times)[len(times) // 2]
print(json.dumps({"seconds": seconds, "steps": sum(len(w) for w in walks),
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def ensure_pecanpy() -> None:
    if PECANPY_PYTHON.exists():
        return
    subprocess.run(["python3", "-m", "venv", str(PECANPY_VENV)], check=True)
    subprocess.run([str(PECANPY_VENV / "bin" / "pip"), "install", "-q", "pecanpy"], check=True)


def run_json(command: list[str]) -> dict:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:] or done.stdout[-3000:])
    result: dict = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def timed(command: list[str]) -> dict:
    return run_json([sys.executable, "-c", _TIMED, *command])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def end_to_end(folder: Path, repeats: int) -> dict:
    from embedlab import load
    from embedlab.graph import load_graph, node_classification

    graph = load_graph("drosophila-left")
    edges = folder / "drosophila.edg"
    s, t, w = graph.edges()
    edges.write_text("".join(f"{a}\t{b}\t{c:g}\n" for a, b, c in
                             zip(s.tolist(), t.tolist(), w.tolist(), strict=True)))
    # 24 neurons with no out-edges and a few with no edges at all: both tools walk from every
    # node listed, so list isolated ones too (embedlab reads a lone id as a node).
    listed = set(s.tolist()) | set(t.tolist())
    with open(edges, "a") as out:
        for i in range(graph.n_nodes):
            if i not in listed:
                out.write(f"{i}\n")
    pecanpy_edges = folder / "drosophila-pecanpy.edg"
    pecanpy_edges.write_text("".join(line + "\n" for line in edges.read_text().splitlines()
                                     if "\t" in line))
    rows: dict[str, list[dict]] = {"embedlab": [], "pecanpy": []}
    for run in range(repeats):
        for tool in ("embedlab", "pecanpy"):
            out = folder / f"{tool}-{run}.vec"
            if tool == "embedlab":
                command = [str(EMBEDLAB), "graph", "embed", str(edges), "--directed", "-o",
                           str(out), "--dim", "128", "--walk-length", "80",
                           "--walks-per-node", "10", "--window", "10", "--workers", "2",
                           "--seed", "0"]
            else:
                command = [str(PECANPY_VENV / "bin" / "pecanpy"), "--input", str(pecanpy_edges),
                           "--output", str(out), "--mode", "SparseOTF", "--weighted",
                           "--directed", "--dimensions", "128", "--walk-length", "80",
                           "--num-walks", "10", "--window-size", "10", "--workers", "2",
                           "--random_state", "0"]
            result = timed(command)
            vectors = load(out)
            scores = node_classification(vectors, graph, folds=5, seed=0)
            result.update(micro_f1=scores.micro_f1, macro_f1=scores.macro_f1,
                          nodes=len(vectors), sha256=digest(out))
            rows[tool].append(result)
            print(f"  {tool:9s} run {run}: {result['seconds']:.2f} s, "
                  f"{result['max_rss_mb']:.0f} MB, micro-F1 {scores.micro_f1:.3f}, "
                  f"macro-F1 {scores.macro_f1:.3f}, {len(vectors)} vectors", flush=True)
    summary = {}
    for tool, runs in rows.items():
        summary[tool] = {k: statistics.median(r[k] for r in runs)
                         for k in ("seconds", "max_rss_mb", "micro_f1", "macro_f1")}
        summary[tool]["identical_runs"] = len({r["sha256"] for r in runs}) == 1
        summary[tool]["macro_f1_runs"] = [round(r["macro_f1"], 4) for r in runs]
        summary[tool]["micro_f1_runs"] = [round(r["micro_f1"], 4) for r in runs]
    return summary


def walks_only(folder: Path, nodes: int, edges: int, repeats: int) -> dict:
    rng = np.random.default_rng(0)
    # A graph with a heavy-tailed degree distribution (preferential attachment-like).
    weights = 1.0 / np.arange(1, nodes + 1) ** 0.8
    src = rng.choice(nodes, size=edges * 2, p=weights / weights.sum())
    dst = rng.integers(0, nodes, size=edges * 2)
    keep = src != dst
    pairs = np.unique(np.sort(np.stack([src[keep], dst[keep]], axis=1), axis=1), axis=0)[:edges]
    path = folder / "random.edg"
    path.write_text("".join(f"{a}\t{b}\n" for a, b in pairs.tolist()))
    out = {"nodes": nodes, "edges": int(len(pairs))}
    for label, p, q in (("first-order", 1.0, 1.0), ("second-order", 0.5, 2.0)):
        ours = run_json([sys.executable, "-c", _WALKS_EMBEDLAB, str(path), str(p), str(q),
                         str(repeats)])
        theirs = run_json([str(PECANPY_PYTHON), "-c", _WALKS_PECANPY, str(path), str(p), str(q),
                           str(repeats)])
        for name, r in (("embedlab", ours), ("pecanpy", theirs)):
            r["steps_per_second"] = r["steps"] / r["seconds"]
            print(f"  {label:12s} {name:9s}: {r['steps_per_second'] / 1e6:.2f} M steps/s, "
                  f"{r['max_rss_mb']:.0f} MB", flush=True)
        out[label] = {"embedlab": ours, "pecanpy": theirs,
                      "throughput_ratio": ours["steps_per_second"] / theirs["steps_per_second"],
                      "memory_ratio": ours["max_rss_mb"] / theirs["max_rss_mb"]}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--nodes", type=int, default=5_000)
    parser.add_argument("--edges", type=int, default=50_000)
    args = parser.parse_args()
    ensure_pecanpy()
    with tempfile.TemporaryDirectory(prefix="bench-node2vec-") as tmp:
        folder = Path(tmp)
        print("end to end, Drosophila connectome (directed, weighted):", flush=True)
        e2e = end_to_end(folder, args.repeats)
        print(f"walks only, random graph ({args.nodes} nodes, {args.edges} edges):", flush=True)
        walks = walks_only(folder, args.nodes, args.edges, args.repeats)
    ours, theirs = e2e["embedlab"], e2e["pecanpy"]
    print("\n| | embedlab | PecanPy | ratio |\n|---|---|---|---|")
    print(f"| connectome end to end, s | {ours['seconds']:.2f} | {theirs['seconds']:.2f} | "
          f"{theirs['seconds'] / ours['seconds']:.1f}x faster |")
    print(f"| connectome peak RSS, MB | {ours['max_rss_mb']:.0f} | {theirs['max_rss_mb']:.0f} | "
          f"{ours['max_rss_mb'] / theirs['max_rss_mb']:.2f} |")
    for key in ("micro_f1", "macro_f1"):
        print(f"| {key.replace('_', '-')} (median) | {ours[key]:.3f} | {theirs[key]:.3f} | |")
    print(f"| identical run to run | {ours['identical_runs']} | {theirs['identical_runs']} | |")
    for label in ("first-order", "second-order"):
        w = walks[label]
        print(f"| walks {label}, M steps/s | {w['embedlab']['steps_per_second'] / 1e6:.2f} | "
              f"{w['pecanpy']['steps_per_second'] / 1e6:.2f} | {w['throughput_ratio']:.1f}x |")
        print(f"| walks {label}, peak RSS MB | {w['embedlab']['max_rss_mb']:.0f} | "
              f"{w['pecanpy']['max_rss_mb']:.0f} | {w['memory_ratio']:.2f} |")
    path = save_results("node2vec", {"end_to_end": e2e, "walks": walks})
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
