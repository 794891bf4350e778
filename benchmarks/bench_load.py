"""Loading speed and memory: embedlab vs gensim on a GloVe-sized file (400,000 x 300).

Each loader runs in its own interpreter (so peak RSS is its own), embedlab and gensim back to
back in each round (3 rounds for text, 7 for binary and mmap); medians, and the median of the
per-round ratios, are printed and written to results/load.json.

    python benchmarks/bench_load.py [--rows 400000] [--dim 300] [--repeats 3] [--quick-repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import string

import numpy as np
from _common import DATA, median_of, run_isolated, save_results


def make_files(rows: int, dim: int) -> tuple[str, str]:
    """A GloVe-style text file (values printed with 5-6 decimals, as GloVe's are) and the
    same vectors as word2vec binary. Made once and reused."""
    DATA.mkdir(parents=True, exist_ok=True)
    text = DATA / f"glove_{rows}x{dim}.txt"
    binary = DATA / f"w2v_{rows}x{dim}.bin"
    if text.exists() and binary.exists():
        return str(text), str(binary)
    rng = np.random.default_rng(0)
    table = np.array([f"{v:.5f}" for v in rng.normal(0, 0.4, 200_000)] +
                     [f"{v:.6f}" for v in rng.normal(0, 0.05, 50_000)])
    letters = np.array(list(string.ascii_lowercase))
    keys = ["".join(rng.choice(letters, size=rng.integers(2, 12))) + str(i) for i in range(rows)]
    with open(text, "w") as out:
        for key in keys:
            out.write(key + " " + " ".join(table[rng.integers(0, len(table), dim)]) + "\n")
    import embedlab

    embedlab.save(embedlab.load(text, format="glove"), binary, format="word2vec-binary")
    return str(text), str(binary)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3, help="rounds of the text load")
    parser.add_argument("--quick-repeats", type=int, default=7, help="rounds of the binary and mmap loads")
    args = parser.parse_args()
    text, binary = make_files(args.rows, args.dim)
    native = str(DATA / f"native_{args.rows}x{args.dim}")
    gensim_native = str(DATA / f"gensim_{args.rows}x{args.dim}.kv")
    import embedlab

    vectors = embedlab.load(binary)
    embedlab.save(vectors, native, format="native")
    from gensim.models import KeyedVectors

    KeyedVectors.load_word2vec_format(binary, binary=True).save(gensim_native)
    matrix_mb = args.rows * args.dim * 4 / 2**20

    cases = {
        "text/embedlab": ("import embedlab", f"embedlab.load({text!r}, format='glove')"),
        "text/gensim": ("from gensim.models import KeyedVectors",
                        f"KeyedVectors.load_word2vec_format({text!r}, no_header=True)"),
        "binary/embedlab": ("import embedlab", f"embedlab.load({binary!r})"),
        "binary/gensim": ("from gensim.models import KeyedVectors",
                          f"KeyedVectors.load_word2vec_format({binary!r}, binary=True)"),
        "mmap/embedlab": ("import embedlab", f"embedlab.load({native!r}, mmap=True)"),
        "mmap/gensim": ("from gensim.models import KeyedVectors",
                        f"KeyedVectors.load({gensim_native!r}, mmap='r')"),
    }
    # Each round runs embedlab and gensim back to back, the order alternating between rounds,
    # so both meet the same machine: on this shared VM the first touch of fresh memory costs
    # anywhere from 0.1 to 0.8 s for the matrix, depending on the host at that moment. The
    # quick cases get more rounds than the text load (a minute per gensim run).
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in cases}
    for kind in ("text", "binary", "mmap"):
        for round_ in range(args.repeats if kind == "text" else args.quick_repeats):
            pair = [f"{kind}/embedlab", f"{kind}/gensim"]
            for name in pair if round_ % 2 == 0 else pair[::-1]:
                runs[name].append(run_isolated(*cases[name]))
                print(f"round {round_ + 1} {name:18s} {runs[name][-1]['seconds']:8.2f} s", flush=True)
    results = {}
    for name in cases:
        results[name] = median_of(runs[name]) | {"runs": [r["seconds"] for r in runs[name]]}
        print(f"{name:18s} {results[name]['seconds']:8.2f} s   peak RSS {results[name]['max_rss_mb']:7.0f} MB")
    ratios = {  # the median of the per-round ratios
        kind: statistics.median(
            g["seconds"] / e["seconds"] for g, e in zip(runs[f"{kind}/gensim"], runs[f"{kind}/embedlab"], strict=True)
        )
        for kind in ("text", "binary", "mmap")
    }
    print(f"float32 matrix: {matrix_mb:.0f} MB")
    for kind, ratio in ratios.items():
        print(f"{kind:7s} embedlab is {ratio:5.1f}x faster than gensim (median of per-round ratios)")
    rss_ratio = results["text/embedlab"]["max_rss_mb"] / matrix_mb
    print(f"text load peak RSS = {rss_ratio:.2f}x the matrix")
    path = save_results("load", {"rows": args.rows, "dim": args.dim, "repeats": args.repeats, "quick_repeats": args.quick_repeats,
                                  "matrix_mb": matrix_mb, "results": results, "speedup": ratios,
                                  "text_rss_over_matrix": rss_ratio})
    print(f"written to {path}")


if __name__ == "__main__":
    main()
