"""Word2Vec on 1 and 2 processes (torchrun, gloo over 127.0.0.1): words/s and quality.

Corpus: the news articles tokenised once (bench_word2vec.py's file, 2.16M words). Each
configuration is a fresh ``torchrun --nproc_per_node P`` of the same script, ``workers=T``
threads per process; the 2-process runs share the corpus in stripes and average their models
every 200k words each and at every epoch's end, either adding up the ranks' updates since the
last sync (``updates``, the default) or averaging the matrices (``average``). Skip-gram, dim 100, window 5, negative 5,
min_count 5, sample 1e-3, 5 epochs (``--hs``: hierarchical softmax, no negatives, no
subsampling: Spark's algorithm). Quality on rank 0's vectors: Google analogies (3CosAdd,
restricted to the 30k most frequent words) and WordSim-353 Spearman. Corpus words/s counts
every rank's words over the slowest rank's training time; CPU seconds are every rank's
together. Configurations alternate within a round; medians over rounds; the load average is
recorded beside each run.

``PxT:RULE:one-session`` starts the P ranks itself, in this script's session, instead of
through torchrun, which puts each rank in a session of its own. Linux's autogroup scheduler
(``/proc/sys/kernel/sched_autogroup_enabled``) shares the CPU between sessions first: on a busy
machine, 2 ranks launched by torchrun get two sessions' shares, 1 process of 2 threads one
share. Comparing ``2x1`` with ``2x1:updates:one-session`` and ``1x2`` shows that effect.

    python benchmarks/bench_word2vec_distributed.py [--rounds 3] [--epochs 5] [--trainer word2vec] [--hs]
                                                    [--configs 1x1,1x2,2x1,2x1:updates:one-session]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import save_results  # noqa: E402
from bench_word2vec import SETTINGS, corpus_file  # noqa: E402

DEFAULT_CONFIGS = "1x1,1x2,2x1,2x1:updates:one-session"

_RUN = r"""
import json, sys, time
from pathlib import Path
from embedlab import datasets, evaluate
from embedlab.text import Corpus, whitespace_tokenize
from embedlab.train import FastText, Word2Vec
path, out, epochs, workers, trainer, seed = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
settings = json.loads(sys.argv[7]) | {"workers": workers}
cls = Word2Vec if trainer == "word2vec" else FastText
Word2Vec._sync_rule = sys.argv[8]  # how the ranks keep one model: "updates" or "average"
model = cls(mode="skipgram", epochs=epochs, progress=False, seed=seed, **settings)
start = time.perf_counter()
cpu = time.process_time()
vectors = model.fit(Corpus(path, tokenizer=whitespace_tokenize))
total = time.perf_counter() - start
cpu = time.process_time() - cpu
import torch.distributed as dist
rank = dist.get_rank() if dist.is_initialized() else 0
result = {"words": model.corpus_words * epochs, "train_s": model.timings["train"], "total_s": total, "cpu_s": cpu}
if rank == 0:
    result["analogy"] = evaluate.analogies(vectors, datasets.load("google-analogy"), restrict_vocab=30_000).accuracy
    result["wordsim"] = evaluate.word_pairs(vectors, datasets.load("wordsim353")).spearman
(out / f"rank{rank}.json").write_text(json.dumps(result))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_one(processes: int, workers: int, path: Path, epochs: int, trainer: str, seed: int,
            rule: str = "updates", one_session: bool = False, settings: dict[str, object] = SETTINGS,
            ) -> dict[str, float]:
    load_before = os.getloadavg()[0]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "run.py"
        script.write_text(_RUN)
        arguments = [str(script), str(path), tmp, str(epochs), str(workers), trainer, str(seed),
                     json.dumps(settings), rule]
        port = free_port()
        if one_session and processes > 1:  # torchrun's environment, without its new sessions
            world = {"WORLD_SIZE": str(processes), "LOCAL_WORLD_SIZE": str(processes),
                     "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port)}
            ranks_run = [subprocess.Popen([sys.executable, *arguments], stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True,
                                          env={**env, **world, "RANK": str(r), "LOCAL_RANK": str(r)})
                         for r in range(processes)]
            outputs = [rank.communicate() for rank in ranks_run]
            failed = [err for rank, (_, err) in zip(ranks_run, outputs, strict=True) if rank.returncode]
            if failed:
                raise RuntimeError(failed[0][-3000:])
        else:
            command = [sys.executable, "-m", "torch.distributed.run", f"--nproc_per_node={processes}",
                       "--master_addr=127.0.0.1", f"--master_port={port}", *arguments]
            out = subprocess.run(command, capture_output=True, text=True, env=env)
            if out.returncode != 0:
                raise RuntimeError(out.stderr[-3000:])
        ranks = [json.loads((Path(tmp) / f"rank{r}.json").read_text()) for r in range(processes)]
    slowest = max(r["train_s"] for r in ranks)
    return {"words_per_s": sum(r["words"] for r in ranks) / slowest, "train_s": slowest,
            "total_s": max(r["total_s"] for r in ranks), "cpu_s": sum(r["cpu_s"] for r in ranks),
            "analogy": ranks[0]["analogy"], "wordsim": ranks[0]["wordsim"],
            "load_before": load_before, "load_after": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--trainer", default="word2vec", choices=("word2vec", "fasttext"))
    parser.add_argument("--hs", action="store_true",
                        help="hierarchical softmax, no negatives, no subsampling (Spark's algorithm)")
    parser.add_argument("--configs", default=DEFAULT_CONFIGS,
                        help="processes x threads per process[:updates|average[:one-session]], "
                             "comma-separated")
    args = parser.parse_args()
    path = corpus_file()
    settings = SETTINGS | ({"hs": True, "negative": 0, "sample": 0.0} if args.hs else {})
    configs = []
    for config in args.configs.split(","):
        parts = config.split(":") + ["updates", ""]
        processes, workers = (int(v) for v in parts[0].split("x"))
        configs.append((config, processes, workers, parts[1], parts[2] == "one-session"))
    run_one(1, 1, path, 1, args.trainer, 1)  # compile (and cache) the kernels outside the timings
    runs: dict[str, list[dict[str, float]]] = {}
    for round_ in range(args.rounds):
        for name, processes, workers, rule, one_session in configs if round_ % 2 == 0 else configs[::-1]:
            r = run_one(processes, workers, path, args.epochs, args.trainer, round_ + 1, rule, one_session,
                        settings)
            runs.setdefault(name, []).append(r)
            print(f"round {round_ + 1} {name:26} {r['words_per_s']:>10,.0f} words/s  train {r['train_s']:.2f}s  "
                  f"cpu {r['cpu_s']:.1f}s  analogy {r['analogy']:.4f}  wordsim {r['wordsim']:.4f}  "
                  f"load {r['load_before']:.1f}", flush=True)
    summary = {}
    base = statistics.median(r["words_per_s"] for r in runs[next(iter(runs))])
    print(f"\n{'procs x threads':26} {'words/s':>10} {'speed-up':>8} {'cpu s':>6} {'analogy':>8} {'wordsim':>8} {'load':>5}")
    for name, rs in runs.items():
        med = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
        summary[name] = {"median": med, "runs": rs, "speedup_vs_first": med["words_per_s"] / base}
        print(f"{name:26} {med['words_per_s']:>10,.0f} {med['words_per_s'] / base:>7.2f}x {med['cpu_s']:>6.1f} "
              f"{med['analogy']:>8.4f} {med['wordsim']:>8.4f} {med['load_before']:>5.1f}")
    speed = {name: entry["median"]["words_per_s"] for name, entry in summary.items()}
    if "1x2" in speed and "2x1" in speed:
        print(f"1 process x 2 threads / 2 processes x 1 thread: {speed['1x2'] / speed['2x1']:.2f}")
    payload = {"corpus": path.name, "trainer": args.trainer, "epochs": args.epochs, "settings": settings,
               "cpus": os.cpu_count(), "rounds": args.rounds, "autogroup": _autogroup(), "results": summary}
    # The threads-against-ranks runs (the default configurations) apart from the scaling runs
    # (--configs 1x1,2x1:average,2x1:updates,1x2) that docs/distributed.md's tables quote.
    name = "threads_vs_ranks" if args.configs == DEFAULT_CONFIGS else "distributed"
    print("saved", save_results(f"{args.trainer}_{name}" + ("_hs" if args.hs else ""), payload))


def _autogroup() -> str:
    """Whether the kernel shares the CPU between sessions first (see the module's text)."""
    try:
        return Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip()
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
