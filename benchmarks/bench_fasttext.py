"""Reading a fastText .bin: embedlab vs gensim vs the official fastText library.

The model is made once with embedlab's writer (the official library opens it; random rows,
words of 2-14 letters): 200,000 words, 1,000,000 buckets, 100 dimensions, minn 3, maxn 6.
Each reader runs in its own interpreter, three times; medians and ratios are printed and
written to results/fasttext.json. What each does:

* embedlab: ``read_fasttext_bin`` — all word vectors (word row + n-gram rows averaged) and
  the subword model for OOV words;
* gensim: ``load_facebook_vectors`` — the same word vectors and OOV support;
* fastText: ``load_model`` alone (computes no word vector), and ``load_model`` followed by
  ``get_word_vector`` for every word (the matrix the others return).

    python benchmarks/bench_fasttext.py [--words 200000] [--bucket 1000000] [--dim 100]
"""

from __future__ import annotations

import argparse
import string

import numpy as np
from _common import DATA, median_of, run_isolated, save_results


def make_model(words: int, bucket: int, dim: int) -> str:
    path = DATA / f"fasttext_{words}w_{bucket}b_{dim}d.bin"
    if path.exists():
        return str(path)
    from embedlab import Vectors
    from embedlab.formats.fasttext import write_fasttext_bin
    from embedlab.subwords import FastTextSubwords

    DATA.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    letters = np.array(list(string.ascii_lowercase))
    keys = list(dict.fromkeys(
        "".join(rng.choice(letters, size=rng.integers(2, 15))) for _ in range(int(words * 1.05))
    ))[:words]
    matrix = rng.normal(0, 0.1, (len(keys) + bucket, dim)).astype(np.float32)
    args = {"dim": dim, "ws": 5, "epoch": 5, "min_count": 5, "neg": 5, "word_ngrams": 1,
            "loss": 2, "model": 2, "bucket": bucket, "minn": 3, "maxn": 6,
            "lr_update_rate": 100, "t": 1e-4}
    sub = FastTextSubwords(matrix, keys, 3, 6, bucket, args=args)
    counts = np.sort(rng.integers(5, 100_000, len(keys)))[::-1]
    write_fasttext_bin(Vectors(keys, sub.word_vectors(), counts=counts, subwords=sub), path)
    return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--words", type=int, default=200_000)
    parser.add_argument("--bucket", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    # Made in a child process: Linux keeps a parent's peak RSS across fork+exec, so a big
    # parent would inflate every reader's figure.
    run_isolated("import sys; sys.path.insert(0, 'benchmarks'); sys.path.insert(0, '.')",
                 f"from bench_fasttext import make_model; make_model({args.words}, {args.bucket}, {args.dim})")
    path = make_model(args.words, args.bucket, args.dim)
    matrix_mb = (args.words + args.bucket) * args.dim * 4 / 2**20
    cases = {
        "embedlab": ("from embedlab.formats.fasttext import read_fasttext_bin",
                     f"v = read_fasttext_bin({path!r}); v['unseenword']"),
        "gensim": ("from gensim.models.fasttext import load_facebook_vectors",
                   f"v = load_facebook_vectors({path!r}); v['unseenword']"),
        "fasttext load_model": ("import fasttext",
                                f"m = fasttext.load_model({path!r}); m.get_word_vector('unseenword')"),
        "fasttext + all vectors": (
            "import fasttext, numpy as np",
            f"m = fasttext.load_model({path!r}); "
            "x = np.stack([m.get_word_vector(w) for w in m.words])",
        ),
    }
    results = {}
    for name, (setup, stmt) in cases.items():
        runs = [run_isolated(setup, stmt) for _ in range(args.repeats)]
        results[name] = median_of(runs) | {"runs": [r["seconds"] for r in runs]}
        print(f"{name:24s} {results[name]['seconds']:7.2f} s   peak RSS {results[name]['max_rss_mb']:6.0f} MB")
    base = results["embedlab"]["seconds"]
    ratios = {name: r["seconds"] / base for name, r in results.items() if name != "embedlab"}
    print(f"input matrix: {matrix_mb:.0f} MB")
    for name, ratio in ratios.items():
        print(f"embedlab vs {name:24s} {ratio:5.2f}x")
    out = save_results("fasttext", {"words": args.words, "bucket": args.bucket, "dim": args.dim,
                                    "repeats": args.repeats, "matrix_mb": matrix_mb,
                                    "results": results, "speedup": ratios})
    print(f"written to {out}")


if __name__ == "__main__":
    main()
