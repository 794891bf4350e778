"""embedlab FastText training vs the official fastText 0.9.3: words/s and quality.

Same corpus as bench_word2vec (news, ~2M words x 5 epochs), skip-gram with subwords (minn 3,
maxn 6, bucket 2M), dim 100, window 5, negative 5, min_count 5, sample 1e-4, lr 0.05, 2 threads.
Each training runs in a fresh interpreter; medians over rounds.

    python benchmarks/bench_fasttext_train.py [--rounds 1] [--mode skipgram]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import save_results  # noqa: E402
from bench_word2vec import corpus_file  # noqa: E402

_RUN = r"""
import json, sys, time
import embedlab
from embedlab import datasets, evaluate
lib, mode, path = sys.argv[1], sys.argv[2], sys.argv[3]
if lib == "embedlab":
    from embedlab.text import Corpus, whitespace_tokenize
    from embedlab.train import FastText
    model = FastText(mode=mode, vector_size=100, window=5, negative=5, minn=3, maxn=6, bucket=2_000_000,
                     min_count=5, sample=1e-4, learning_rate=0.05, epochs=5, workers=2, seed=1, progress=False)
    vectors = model.fit(Corpus(path, tokenizer=whitespace_tokenize))
    words, train = model.corpus_words, model.timings["train"]
else:
    import fasttext
    start = time.perf_counter()
    m = fasttext.train_unsupervised(path, model=mode, dim=100, ws=5, neg=5, minn=3, maxn=6, bucket=2_000_000,
                                    minCount=5, t=1e-4, lr=0.05, epoch=5, thread=2, verbose=0)
    train = time.perf_counter() - start  # includes fastText's own vocabulary pass
    words = sum(len(line.split()) for line in open(path, encoding="utf-8"))
    keys = m.get_words()
    vectors = embedlab.Vectors(keys, [m.get_word_vector(w) for w in keys])
analogy = evaluate.analogies(vectors, datasets.load("google-analogy")).accuracy
wordsim = evaluate.word_pairs(vectors, datasets.load("wordsim353")).spearman
print(json.dumps({"words_per_s": words * 5 / train, "train_s": train, "analogy": analogy, "wordsim": wordsim}))
"""


def run_one(lib: str, mode: str, path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _RUN, lib, mode, str(path)], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--mode", default="skipgram")
    args = parser.parse_args()
    path = corpus_file()
    runs: dict[str, list[dict[str, float]]] = {"embedlab": [], "fasttext": []}
    for round_ in range(args.rounds):
        for lib in runs:
            r = run_one(lib, args.mode, path)
            runs[lib].append(r)
            print(f"round {round_ + 1} {lib:8} {r['words_per_s']:>10,.0f} words/s  analogy {r['analogy']:.4f}  "
                  f"wordsim {r['wordsim']:.4f}", flush=True)
    med = {lib: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for lib, rs in runs.items()}
    # Both run back to back in a round: the within-round ratio is the least disturbed figure.
    paired = [e["words_per_s"] / f["words_per_s"] for e, f in zip(runs["embedlab"], runs["fasttext"], strict=True)]
    ratio = statistics.median(paired)
    print(f"{args.mode}: per-round ratios {', '.join(f'{r:.2f}' for r in paired)}; "
          f"embedlab / fastText words/s = {ratio:.2f}x (median)")
    print("saved", save_results("fasttext_train", {"mode": args.mode, "rounds": args.rounds, "median": med,
                                                   "paired_ratios": paired, "speed_ratio": ratio,
                                                   "runs": runs}))


if __name__ == "__main__":
    main()
