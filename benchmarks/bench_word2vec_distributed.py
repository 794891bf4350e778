"""Word2Vec on 1 and 2 processes (torchrun, gloo over 127.0.0.1): words/s and quality.

Corpus: the news articles tokenised once (bench_word2vec.py's file, 2.16M words). Each
configuration is a fresh ``torchrun --nproc_per_node P`` of the same script, ``workers=T``
threads per process; the 2-process runs share the corpus by bytes and average their models
every 200k words each and at every epoch's end, either adding up the ranks' updates since the
last sync (``updates``, the default) or averaging the matrices (``average``). Skip-gram, dim 100, window 5, negative 5,
min_count 5, sample 1e-3, 5 epochs. Quality on rank 0's vectors: Google analogies (3CosAdd,
restricted to the 30k most frequent words) and WordSim-353 Spearman. Corpus words/s counts
every rank's words over the slowest rank's training time. Configurations alternate within a
round; medians over rounds.

    python benchmarks/bench_word2vec_distributed.py [--rounds 3] [--epochs 5] [--trainer word2vec]
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
vectors = model.fit(Corpus(path, tokenizer=whitespace_tokenize))
total = time.perf_counter() - start
import torch.distributed as dist
rank = dist.get_rank() if dist.is_initialized() else 0
result = {"words": model.corpus_words * epochs, "train_s": model.timings["train"], "total_s": total}
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
            rule: str = "updates") -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "run.py"
        script.write_text(_RUN)
        command = [sys.executable, "-m", "torch.distributed.run", f"--nproc_per_node={processes}",
                   "--master_addr=127.0.0.1", f"--master_port={free_port()}", str(script), str(path), tmp,
                   str(epochs), str(workers), trainer, str(seed), json.dumps(SETTINGS), rule]
        out = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
        if out.returncode != 0:
            raise RuntimeError(out.stderr[-3000:])
        ranks = [json.loads((Path(tmp) / f"rank{r}.json").read_text()) for r in range(processes)]
    slowest = max(r["train_s"] for r in ranks)
    return {"words_per_s": sum(r["words"] for r in ranks) / slowest, "train_s": slowest,
            "total_s": max(r["total_s"] for r in ranks), "analogy": ranks[0]["analogy"],
            "wordsim": ranks[0]["wordsim"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--trainer", default="word2vec", choices=("word2vec", "fasttext"))
    parser.add_argument("--configs", default="1x1,2x1:average,2x1:updates,1x2",
                        help="processes x threads per process[:how ranks keep one model], "
                             "comma-separated")
    args = parser.parse_args()
    path = corpus_file()
    configs = [(c, *(int(v) for v in c.split(":")[0].split("x")), (c.split(":") + ["updates"])[1])
               for c in args.configs.split(",")]
    run_one(1, 1, path, 1, args.trainer, 1)  # compile (and cache) the kernels outside the timings
    runs: dict[str, list[dict[str, float]]] = {}
    for round_ in range(args.rounds):
        for name, processes, workers, rule in configs if round_ % 2 == 0 else configs[::-1]:
            r = run_one(processes, workers, path, args.epochs, args.trainer, round_ + 1, rule)
            runs.setdefault(name, []).append(r)
            print(f"round {round_ + 1} {name:12} {r['words_per_s']:>10,.0f} words/s  train {r['train_s']:.2f}s  "
                  f"analogy {r['analogy']:.4f}  wordsim {r['wordsim']:.4f}", flush=True)
    summary = {}
    base = statistics.median(r["words_per_s"] for r in runs[next(iter(runs))])
    print(f"\n{'procs x threads':18} {'words/s':>10} {'speed-up':>8} {'analogy':>8} {'wordsim':>8}")
    for name, rs in runs.items():
        med = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
        summary[name] = {"median": med, "runs": rs, "speedup_vs_first": med["words_per_s"] / base}
        print(f"{name:18} {med['words_per_s']:>10,.0f} {med['words_per_s'] / base:>7.2f}x "
              f"{med['analogy']:>8.4f} {med['wordsim']:>8.4f}")
    payload = {"corpus": path.name, "trainer": args.trainer, "epochs": args.epochs, "settings": SETTINGS,
               "cpus": os.cpu_count(), "rounds": args.rounds, "results": summary}
    print("saved", save_results(f"{args.trainer}_distributed", payload))


if __name__ == "__main__":
    main()
