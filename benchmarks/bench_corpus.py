"""One whole ``fit`` of one skip-gram epoch, vocabulary included: embedlab vs gensim ``corpus_file``.

The issue's yardstick for corpus preparation: reading, tokenising, counting and encoding
the news corpus (2.16M words) used to take as long as training on it. Each run is a fresh
interpreter timing the whole call, from the file name to the trained vectors:

- ``embedlab``: ``Word2Vec(epochs=1).fit(Corpus(tokens_file, tokenizer=whitespace_tokenize))``,
  the kernels' one-pass scan (the file gensim reads too);
- ``embedlab-raw``: ``Word2Vec(epochs=1).fit(raw_news_file)``: the default Unicode tokenizer
  on the raw text, also through the scan;
- ``embedlab-python``: the same file through the Python path (``tokenizer=str.split`` turns the
  scan off): the cost before this change;
- ``gensim``: ``build_vocab(corpus_file=...)`` then ``train(corpus_file=...)``.

Settings as bench_word2vec.py (dim 100, window 5, negative 5, min_count 5, sample 1e-3,
2 workers). Libraries alternate within a round; per-round ratios and their median are printed.

    python benchmarks/bench_corpus.py [--rounds 5]
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
from bench_word2vec import SETTINGS, corpus_file  # noqa: E402

_RUN = r"""
import json, sys, time
lib, path, raw, settings = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
if lib.startswith("embedlab"):
    from embedlab.text import Corpus, whitespace_tokenize
    from embedlab.train import Word2Vec
    import embedlab.train._corpus_kernels, embedlab.train._w2v_kernels  # imports are not timed
    source = {"embedlab": lambda: Corpus(path, tokenizer=whitespace_tokenize),
              "embedlab-raw": lambda: raw,
              "embedlab-python": lambda: Corpus(path, tokenizer=str.split)}[lib]()
    start = time.perf_counter()
    model = Word2Vec(mode="skipgram", epochs=1, progress=False, **settings)
    model.fit(source)
    total = time.perf_counter() - start
    words, parts = model.corpus_words, model.timings
else:
    from gensim.models import Word2Vec as G
    start = time.perf_counter()
    g = G(sg=1, **settings)
    g.build_vocab(corpus_file=path)
    t0 = time.perf_counter()
    g.train(corpus_file=path, total_words=g.corpus_total_words, total_examples=g.corpus_count, epochs=1)
    total = time.perf_counter() - start
    words, parts = g.corpus_total_words, {"vocab": t0 - start, "train": time.perf_counter() - t0}
print(json.dumps({"total_s": total, "words": words, **parts}))
"""

LIBS = ("embedlab", "gensim", "embedlab-raw", "embedlab-python")


def run_one(lib: str, path: Path, raw: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _RUN, lib, str(path), str(raw), json.dumps(SETTINGS)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from embedlab import datasets

    path, raw = corpus_file(), datasets.path("news-articles")
    for lib in ("embedlab", "embedlab-raw"):
        run_one(lib, path, raw)  # compile (and cache) the kernels outside the timings
    runs: dict[str, list[dict[str, float]]] = {lib: [] for lib in LIBS}
    for round_ in range(args.rounds):
        order = LIBS if round_ % 2 == 0 else LIBS[::-1]
        for lib in order:
            r = run_one(lib, path, raw)
            runs[lib].append(r)
            detail = " ".join(f"{k} {v:.2f}s" for k, v in r.items() if k not in ("total_s", "words"))
            print(f"round {round_ + 1} {lib:16} total {r['total_s']:.2f}s  ({detail})", flush=True)
    summary: dict[str, object] = {}
    for lib in LIBS:
        paired = [g["total_s"] / e["total_s"] for e, g in zip(runs[lib], runs["gensim"], strict=True)]
        median_total = statistics.median(r["total_s"] for r in runs[lib])
        summary[lib] = {"median_total_s": median_total, "paired_speedup_vs_gensim": paired,
                        "speedup_vs_gensim": statistics.median(paired), "runs": runs[lib]}
        print(f"{lib:16} median total {median_total:.2f}s; gensim / {lib} per round "
              f"{', '.join(f'{p:.2f}' for p in paired)}; median {statistics.median(paired):.2f}x")
    import gensim

    payload = {"corpus": path.name, "epochs": 1, "mode": "skipgram", "settings": SETTINGS,
               "gensim": gensim.__version__, "rounds": args.rounds, "results": summary}
    print("saved", save_results("corpus", payload))


if __name__ == "__main__":
    main()
