"""embedlab Word2Vec vs gensim 4.4 (``corpus_file`` mode): training words/s and quality.

Corpus: the news-articles dataset (about 2M words), tokenised once into a whitespace file that
both libraries read; 5 epochs = about 10M processed words. Settings: dim 100, window 5,
negative 5, min_count 5, sample 1e-3, 2 workers. Each training runs in a fresh interpreter;
the libraries alternate within a round; round r uses seed r for both; medians over rounds. Quality: Google analogies
(3CosAdd, top 300k words) and WordSim-353 Spearman, both computed by ``embedlab.evaluate`` on
each library's vectors.

Quality has a second gensim reference: gensim trained from an iterable (``LineSentence``) with
the same settings and seed (``--iterable-reference``, CBOW by default; its speed is not
compared). In ``corpus_file`` mode each gensim worker measures its progress against the whole
epoch's sentence count, so with 2 workers the learning rate only falls halfway through each
epoch's share of the schedule and jumps back up at the next epoch: a higher effective rate
than the linear ``alpha -> min_alpha`` decay that the iterable mode, word2vec.c and embedlab
use. CBOW's quality is sensitive to that rate, so both gensim figures are printed.

    python benchmarks/bench_word2vec.py [--rounds 3] [--modes skipgram,cbow] [--epochs 5]
                                        [--iterable-reference cbow]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import DATA, save_results  # noqa: E402

SETTINGS = {"vector_size": 100, "window": 5, "negative": 5, "min_count": 5, "sample": 1e-3, "workers": 2}

_RUN = r"""
import json, sys, time
import numpy as np
import embedlab
from embedlab import datasets, evaluate
lib, mode, path, epochs, settings, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), json.loads(sys.argv[5]), int(sys.argv[6])
if lib == "embedlab":
    from embedlab.text import Corpus, whitespace_tokenize
    from embedlab.train import Word2Vec
    model = Word2Vec(mode=mode, epochs=epochs, progress=False, seed=seed, **settings)
    start = time.perf_counter()
    vectors = model.fit(Corpus(path, tokenizer=whitespace_tokenize))
    total = time.perf_counter() - start
    words, train = model.corpus_words, model.timings["train"]
elif lib == "gensim-iterable":
    from gensim.models import Word2Vec as G
    from gensim.models.word2vec import LineSentence
    start = time.perf_counter()
    g = G(sg=int(mode == "skipgram"), seed=seed, **settings)
    g.build_vocab(LineSentence(path))
    t0 = time.perf_counter()
    g.train(LineSentence(path), total_examples=g.corpus_count, epochs=epochs)
    train = time.perf_counter() - t0
    total = time.perf_counter() - start
    words = g.corpus_total_words
    vectors = embedlab.Vectors(g.wv.index_to_key, g.wv.vectors)
else:
    from gensim.models import Word2Vec as G
    start = time.perf_counter()
    g = G(sg=int(mode == "skipgram"), seed=seed, **settings)
    g.build_vocab(corpus_file=path)
    t0 = time.perf_counter()
    g.train(corpus_file=path, total_words=g.corpus_total_words, total_examples=g.corpus_count, epochs=epochs)
    train = time.perf_counter() - t0
    total = time.perf_counter() - start
    words = g.corpus_total_words
    vectors = embedlab.Vectors(g.wv.index_to_key, g.wv.vectors)
analogy = evaluate.analogies(vectors, datasets.load("google-analogy")).accuracy
wordsim = evaluate.word_pairs(vectors, datasets.load("wordsim353")).spearman
print(json.dumps({"words_per_s": words * epochs / train, "train_s": train, "total_s": total,
                  "analogy": analogy, "wordsim": wordsim, "vocab": len(vectors)}))
"""


def corpus_file() -> Path:
    """The news corpus tokenised with embedlab's default tokenizer, one article per line."""
    from embedlab import datasets
    from embedlab.text import tokenize

    target = DATA / "news-articles.tokens.txt"
    if not target.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        with open(datasets.path("news-articles"), encoding="utf-8") as src, \
                open(target, "w", encoding="utf-8") as out:
            for line in src:
                tokens = tokenize(line)
                if tokens:
                    out.write(" ".join(tokens) + "\n")
    return target


def run_one(lib: str, mode: str, path: Path, epochs: int, seed: int = 1) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _RUN, lib, mode, str(path), str(epochs), json.dumps(SETTINGS), str(seed)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--modes", default="skipgram,cbow")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--iterable-reference", default="cbow",
                        help="modes for which gensim is also trained from an iterable, for quality "
                             "(comma-separated; '' for none)")
    args = parser.parse_args()
    iterable_modes = {m for m in args.iterable_reference.split(",") if m}
    path = corpus_file()
    run_one("embedlab", "cbow", path, 1)  # compile (and cache) the kernels outside the timings
    results: dict[str, dict[str, list[dict[str, float]]]] = {}
    for round_ in range(args.rounds):
        for mode in args.modes.split(","):
            names = ("embedlab", "gensim") + (("gensim-iterable",) if mode in iterable_modes else ())
            for lib in names:
                r = run_one(lib, mode, path, args.epochs, seed=round_ + 1)
                results.setdefault(mode, {}).setdefault(lib, []).append(r)
                print(f"round {round_ + 1} {mode:8} {lib:15} {r['words_per_s']:>10,.0f} words/s  "
                      f"analogy {r['analogy']:.4f}  wordsim {r['wordsim']:.4f}", flush=True)
    summary = {}
    print(f"\n{'mode':8} {'library':15} {'words/s':>10} {'analogy':>8} {'wordsim':>8}")
    for mode, libs in results.items():
        med = {lib: {k: statistics.median(r[k] for r in runs) for k in runs[0]} for lib, runs in libs.items()}
        for lib, m in med.items():
            print(f"{mode:8} {lib:15} {m['words_per_s']:>10,.0f} {m['analogy']:>8.4f} {m['wordsim']:>8.4f}")
        ratio = med["embedlab"]["words_per_s"] / med["gensim"]["words_per_s"]
        # Each round runs both libraries back to back: the ratio within a round is the figure
        # least disturbed by other load on a shared machine.
        paired = [e["words_per_s"] / g["words_per_s"] for e, g in zip(libs["embedlab"], libs["gensim"], strict=True)]
        print(f"{mode}: per-round ratios {', '.join(f'{r:.2f}' for r in paired)}; median "
              f"{statistics.median(paired):.2f}x")
        print(f"{mode}: embedlab / gensim median words/s = {ratio:.2f}x; analogy diff "
              f"{100 * (med['embedlab']['analogy'] - med['gensim']['analogy']):+.2f} points, wordsim diff "
              f"{100 * (med['embedlab']['wordsim'] - med['gensim']['wordsim']):+.2f} points")
        if "gensim-iterable" in med:
            print(f"{mode}: vs gensim from an iterable: analogy diff "
                  f"{100 * (med['embedlab']['analogy'] - med['gensim-iterable']['analogy']):+.2f} points, wordsim diff "
                  f"{100 * (med['embedlab']['wordsim'] - med['gensim-iterable']['wordsim']):+.2f} points")
        summary[mode] = {"median": med, "speed_ratio_of_medians": ratio,
                         "paired_ratios": paired, "speed_ratio": statistics.median(paired), "runs": libs}
    import gensim

    payload = {"corpus": str(path.name), "epochs": args.epochs, "settings": SETTINGS,
               "gensim": gensim.__version__, "rounds": args.rounds, "results": summary}
    print("saved", save_results("word2vec", payload))


if __name__ == "__main__":
    main()
