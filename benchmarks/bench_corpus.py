"""One whole ``fit`` of one skip-gram epoch, vocabulary included: embedlab vs gensim ``corpus_file``.

The issue's yardstick for corpus preparation (issue 17): reading, tokenising, counting and
encoding the news corpus (2.16M words) used to take as long as training on it. Every run is a
fresh interpreter, as a user's script is:

- ``embedlab``: ``Word2Vec(epochs=1).fit(Corpus(tokens_file, tokenizer=whitespace_tokenize))``,
  the C scanner over the file gensim reads too;
- ``embedlab-raw``: ``Word2Vec(epochs=1).fit(raw_news_file)``: the default Unicode tokenizer
  on the raw text, also through the scanner;
- ``embedlab-old``: ``embedlab`` on another checkout's code (``--old SRC``, e.g. a worktree of
  main), to measure a change side by side;
- ``gensim``: ``build_vocab(corpus_file=...)`` then ``train(corpus_file=...)``.

Each run reports ``fit_s`` (the fit alone, from the class imported to the trained vectors:
the issue's figure), ``process_s`` (the whole interpreter, imports included, timed by the
parent) and ``cpu_s`` (the child's user + system CPU). Libraries alternate within a round and
the order flips every round; the ratios that count are those within one round (the machine is
shared). ``--breakdown`` also times the parts of one fit, each in a fresh process.

Settings as bench_word2vec.py (dim 100, window 5, negative 5, min_count 5, sample 1e-3,
2 workers).

    python benchmarks/bench_corpus.py [--rounds 5] [--old /tmp/main/src] [--breakdown]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import save_results  # noqa: E402
from bench_word2vec import SETTINGS, corpus_file  # noqa: E402

SRC = Path(__file__).resolve().parents[1] / "src"

_RUN = r"""
import json, sys, time
lib, path, raw, settings = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
started = time.perf_counter()
if lib.startswith("embedlab"):
    from embedlab.text import Corpus, whitespace_tokenize
    from embedlab.train import Word2Vec
    source = raw if lib == "embedlab-raw" else Corpus(path, tokenizer=whitespace_tokenize)
    imported = time.perf_counter()
    model = Word2Vec(mode="skipgram", epochs=1, progress=False, **settings)
    model.fit(source)
    words, parts = model.corpus_words, model.timings
else:
    from gensim.models import Word2Vec as G
    imported = time.perf_counter()
    g = G(sg=1, **settings)
    g.build_vocab(corpus_file=path)
    t0 = time.perf_counter()
    g.train(corpus_file=path, total_words=g.corpus_total_words, total_examples=g.corpus_count, epochs=1)
    words, parts = g.corpus_total_words, {"vocab": t0 - imported, "train": time.perf_counter() - t0}
done = time.perf_counter()
print(json.dumps({"fit_s": done - imported, "imports_s": imported - started, "words": words, **parts}))
"""

# The parts of one embedlab fit, each timed in a fresh process (--breakdown).
_PARTS = r"""
import json, sys, time
what, path, settings = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
marks = {}
def mark(name, since):
    now = time.perf_counter(); marks[name] = now - since; return now
t = time.perf_counter()
import numpy as np
from embedlab.text import Corpus, whitespace_tokenize
from embedlab.train import Word2Vec
t = mark("import embedlab.train", t)
if what == "numba":
    import numba
    t = mark("import numba", t)
    from embedlab.train._w2v_kernels import next_random, train_chunk
    next_random(np.uint64(1))
    t = mark("numba set-up (first cached kernel)", t)
    Word2Vec(vector_size=4, min_count=1, epochs=1, progress=False, workers=1).fit([["a", "b"]] * 2)
    t = mark("load of the training kernel (a tiny fit)", t)
elif what == "prepare":
    from embedlab.train import _corpus
    prepared = _corpus.prepare(Corpus(path, tokenizer=whitespace_tokenize))
    t = mark("scan (C, threads)", t)
    words, _ = prepared.vocabulary(settings["min_count"], None, "W")
    t = mark("vocabulary", t)
    encoded = prepared.encode({w: i for i, w in enumerate(words)})
    t = mark("encode", t)
    print("numba" in sys.modules, file=sys.stderr)
elif what == "fit":
    model = Word2Vec(mode="skipgram", epochs=1, progress=False, **settings)
    model.fit(Corpus(path, tokenizer=whitespace_tokenize))
    t = mark("fit", t)
    marks.update({f"fit: {k}": v for k, v in model.timings.items()})
elif what == "gensim":
    from gensim.models import Word2Vec as G
    t = mark("import gensim", t)
    g = G(sg=1, **settings)
    g.build_vocab(corpus_file=path)
    t = mark("gensim build_vocab", t)
    g.train(corpus_file=path, total_words=g.corpus_total_words, total_examples=g.corpus_count, epochs=1)
    t = mark("gensim train", t)
print(json.dumps(marks))
"""


def child(code: str, args: list[str], src: Path) -> tuple[dict[str, float], float, float]:
    """Run ``code`` in a fresh interpreter on ``src``: its JSON line, wall seconds, CPU seconds."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(out.stdout.strip().splitlines()[-1]), wall, cpu


def run_one(lib: str, path: Path, raw: Path, old: Path | None) -> dict[str, float]:
    src = old if lib == "embedlab-old" and old is not None else SRC
    result, wall, cpu = child(_RUN, [lib, str(path), str(raw), json.dumps(SETTINGS)], src)
    return {**result, "process_s": wall, "cpu_s": cpu}


def breakdown(path: Path, repeats: int) -> dict[str, float]:
    """Median seconds of each part of a fit (and of gensim's), each part in fresh processes."""
    parts: dict[str, list[float]] = {}
    for _ in range(repeats):
        for what in ("numba", "prepare", "fit", "gensim"):
            marks, _, _ = child(_PARTS, [what, str(path), json.dumps(SETTINGS)], SRC)
            for name, seconds in marks.items():
                parts.setdefault(name, []).append(seconds)
    return {name: statistics.median(values) for name, values in parts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--old", type=Path, help="the src folder of the code to compare with")
    parser.add_argument("--breakdown", action="store_true", help="also time the parts of a fit")
    args = parser.parse_args()
    from embedlab import datasets

    path, raw = corpus_file(), datasets.path("news-articles")
    libs = ["embedlab", "gensim", "embedlab-raw"] + (["embedlab-old"] if args.old else [])
    for lib in libs:
        if lib != "gensim":
            run_one(lib, path, raw, args.old)  # compile (and cache) the kernels outside the timings
    runs: dict[str, list[dict[str, float]]] = {lib: [] for lib in libs}
    loads = []
    for round_ in range(args.rounds):
        order = libs if round_ % 2 == 0 else libs[::-1]
        loads.append(os.getloadavg()[0])
        for lib in order:
            r = run_one(lib, path, raw, args.old)
            runs[lib].append(r)
            detail = " ".join(f"{k} {v:.2f}s" for k, v in r.items() if k not in ("fit_s", "words"))
            print(f"round {round_ + 1} {lib:13} fit {r['fit_s']:.2f}s  ({detail})", flush=True)
    loads.append(os.getloadavg()[0])
    summary: dict[str, object] = {}
    for lib in libs:
        paired = [g["fit_s"] / e["fit_s"] for e, g in zip(runs[lib], runs["gensim"], strict=True)]
        paired_process = [g["process_s"] / e["process_s"]
                          for e, g in zip(runs[lib], runs["gensim"], strict=True)]
        medians = {key: statistics.median(r[key] for r in runs[lib])
                   for key in ("fit_s", "process_s", "cpu_s")}
        summary[lib] = {**{f"median_{k}": v for k, v in medians.items()},
                        "gensim_over_this_fit_per_round": paired,
                        "speedup_vs_gensim": statistics.median(paired),
                        "gensim_over_this_process_per_round": paired_process,
                        "process_speedup_vs_gensim": statistics.median(paired_process),
                        "runs": runs[lib]}
        print(f"{lib:13} median fit {medians['fit_s']:.2f}s (process {medians['process_s']:.2f}s, "
              f"cpu {medians['cpu_s']:.2f}s); gensim / {lib} fit per round "
              f"{', '.join(f'{p:.2f}' for p in paired)}: median {statistics.median(paired):.2f}x; "
              f"whole process {statistics.median(paired_process):.2f}x")
    if args.old:
        gain = [o["fit_s"] / n["fit_s"] for o, n in zip(runs["embedlab-old"], runs["embedlab"], strict=True)]
        summary["old_over_new_fit_per_round"] = gain
        print(f"old / new fit per round {', '.join(f'{g:.2f}' for g in gain)}")
    import gensim

    payload: dict[str, object] = {
        "corpus": path.name, "epochs": 1, "mode": "skipgram", "settings": SETTINGS,
        "gensim": gensim.__version__, "rounds": args.rounds, "load_average_per_round": loads,
        "cores": os.cpu_count(), "results": summary}
    if args.old:
        payload["old_code"] = str(args.old)
    if args.breakdown:
        parts = breakdown(path, max(3, args.rounds // 2))
        payload["breakdown_median_s"] = parts
        payload["load_average_after_breakdown"] = os.getloadavg()[0]
        for name, seconds in parts.items():
            print(f"{name:45} {seconds:.3f}s")
    print("saved", save_results("corpus", payload))


if __name__ == "__main__":
    main()
