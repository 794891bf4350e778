"""Part-of-speech tagging and name spans on the Brown corpus: embedlab's SequenceTagger against
a most-frequent-tag baseline, an HMM and NLTK's averaged perceptron, on one split.

Split: of each genre's files in name order, every tenth is held out for testing (41 files,
4,744 sentences, 94,774 tokens). Of the 459 training files, every tenth file of each genre
again is the validation part (46 files) and the other 413 files fit every system; the
validation part only chooses the tagger's epoch (early stopping) and its settings, and the
test files are scored once per system. ``nltk averaged perceptron (all 459 files)`` is also
trained on the validation files: the stronger baseline.

Every system is trained on Brown's full tags; its universal accuracy maps its full-tag
predictions to the 12 universal tags, and its name spans are the BIO spans of its predicted
tags (runs of np/nps/np$ and -tl tokens, see embedlab.tag.brown). "Unseen" tokens are test
tokens whose word never occurs in that system's training sentences.

    PYTHONPATH=src python benchmarks/bench_tag.py                       # every system
    PYTHONPATH=src python benchmarks/bench_tag.py --systems nltk tagger+glove --threads 2

Each system runs on its own and is added to benchmarks/results/tag.json (or ``--out``) as it
finishes, with wall and CPU seconds of its training and the load average around it. The
CPU seconds of a one-thread fit are what it takes on a quiet core.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))
from _common import RESULTS  # noqa: E402

from embedlab import Vectors, datasets  # noqa: E402
from embedlab.tag import SequenceTagger, name_bio, span_scores, universal_tag  # noqa: E402

Sentences = list[list[str]]
SYSTEMS = ("most-frequent", "hmm", "nltk", "nltk-all", "tagger", "tagger+glove", "tagger+fasttext",
           "tagger+glove+fasttext", "tagger+glove+crf", "tagger+glove+fasttext+crf")


def score(gold: Sentences, predicted: Sentences, words: Sentences, seen: set[str]) -> dict[str, Any]:
    full = universal = unseen = unseen_total = total = 0
    confusions: Counter[str] = Counter()  # the mistakes on unseen words, "gold -> predicted"
    for g_row, p_row, w_row in zip(gold, predicted, words, strict=True):
        for g, p, w in zip(g_row, p_row, w_row, strict=True):
            total += 1
            full += g == p
            universal += universal_tag(g) == universal_tag(p)
            if w not in seen:
                unseen_total += 1
                unseen += g == p
                if g != p:
                    confusions[f"{g} -> {p}"] += 1
    names = span_scores([name_bio(g) for g in gold], [name_bio(p) for p in predicted])
    return {
        "full_accuracy": full / total, "universal_accuracy": universal / total,
        "unseen_accuracy": unseen / unseen_total, "unseen_tokens": unseen_total,
        "name_precision": names.precision, "name_recall": names.recall, "name_f1": names.f1,
        "unseen_confusions": dict(confusions.most_common(12)),
    }


class Clock:
    """Wall and CPU seconds of a block, and the 1-minute load average at its start and end."""

    def __enter__(self) -> Clock:
        self.load_before = os.getloadavg()[0]
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        self.load_after = os.getloadavg()[0]


def most_frequent(words: Sentences, tags: Sentences) -> Callable[[Sentences], Sentences]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for ws, ts in zip(words, tags, strict=True):
        for w, t in zip(ws, ts, strict=True):
            counts[w][t] += 1
    overall = Counter(t for ts in tags for t in ts).most_common(1)[0][0]
    table = {w: c.most_common(1)[0][0] for w, c in counts.items()}
    return lambda sentences: [[table.get(w, overall) for w in s] for s in sentences]


def hmm(words: Sentences, tags: Sentences) -> Callable[[Sentences], Sentences]:
    """NLTK's supervised bigram HMM; Lidstone (0.1) smoothing gives unseen words a little mass."""
    from nltk.probability import LidstoneProbDist
    from nltk.tag.hmm import HiddenMarkovModelTrainer

    trainer = HiddenMarkovModelTrainer()
    model = trainer.train_supervised(
        [list(zip(w, t, strict=True)) for w, t in zip(words, tags, strict=True)],
        estimator=lambda fd, bins: LidstoneProbDist(fd, 0.1, bins))
    return lambda sentences: [[t for _, t in model.tag(s)] for s in sentences]


def perceptron(words: Sentences, tags: Sentences, iterations: int) -> Callable[[Sentences], Sentences]:
    from nltk.tag.perceptron import PerceptronTagger

    tagger = PerceptronTagger(load=False)
    tagger.train([list(zip(w, t, strict=True)) for w, t in zip(words, tags, strict=True)],
                 nr_iter=iterations)
    return lambda sentences: [[t for _, t in tagger.tag(s)] for s in sentences]


def fasttext_vectors(words: Sentences, threads: int) -> Vectors:
    """50-dimensional fastText vectors (with subwords) trained on the fit part's words only."""
    from embedlab.train import FastText

    lowered = [[w.lower() for w in s] for s in words]
    model = FastText(vector_size=50, min_count=2, epochs=5, bucket=200_000, workers=threads,
                     seed=1, progress=False)
    return model.fit(lowered)


def record(path: Path, header: dict[str, Any], name: str, figures: dict[str, Any]) -> None:
    """Add one system's figures to the results file (several runs may write at once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(Path(tempfile.gettempdir()) / f"embedlab-bench-{path.stem}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        payload = json.loads(path.read_text()) if path.exists() else {}
        payload.update(header)
        payload.setdefault("systems", {})[name] = figures
        path.write_text(json.dumps(payload, indent=2) + "\n")


def table(path: Path) -> str:
    """The results file as a markdown table, a row per system."""
    payload = json.loads(path.read_text())
    rows = ["| system | full tags | universal | unseen words | name-span F1 | train wall / CPU s "
            "| tags tokens per CPU s |", "|---|---|---|---|---|---|---|"]
    for name, f in payload["systems"].items():
        rows.append(f"| {name} | {f['full_accuracy']:.2%} | {f['universal_accuracy']:.2%} | "
                    f"{f['unseen_accuracy']:.2%} | {f['name_f1']:.3f} | {f['train_seconds']:,.0f} / "
                    f"{f['train_cpu_seconds']:,.0f} | {f['tag_cpu_tokens_per_s']:,.0f} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--systems", nargs="+", choices=SYSTEMS, default=list(SYSTEMS))
    parser.add_argument("--epochs", type=int, default=8, help="most epochs of the tagger")
    parser.add_argument("--patience", type=int, default=2, help="early stopping on the validation part")
    parser.add_argument("--threads", type=int, default=1, help="torch threads of the tagger's fit")
    parser.add_argument("--nltk-iterations", type=int, default=5)
    parser.add_argument("--tagger", default="{}", help="JSON of SequenceTagger settings to try")
    parser.add_argument("--fit", default="{}", help="JSON of extra SequenceTagger.fit arguments")
    parser.add_argument("--label", default="", help="suffix of the tagger systems' names")
    parser.add_argument("--out", default="tag", help="results file name under benchmarks/results")
    parser.add_argument("--validation-only", action="store_true",
                        help="score on the validation part, not the test files (for tuning)")
    parser.add_argument("--table", action="store_true", help="print the results file as a table and stop")
    args = parser.parse_args()
    if args.table:
        print(table(RESULTS / f"{args.out}.json"))
        return

    train, test = datasets.load("brown").split()
    fit, val = train.split()
    if args.validation_only:
        test = val
    header = {
        "split": "every tenth file of each genre held out for testing; of the rest, every tenth "
                 "file of each genre for validation",
        "fit_sentences": len(fit), "fit_tokens": sum(map(len, fit.sentences)),
        "validation_sentences": len(val), "validation_tokens": sum(map(len, val.sentences)),
        "scored_on": "validation" if args.validation_only else "test",
        "test_sentences": len(test), "test_tokens": sum(map(len, test.sentences)),
        "cpu_count": os.cpu_count(),
    }
    out = RESULTS / f"{args.out}.json"
    settings = json.loads(args.tagger)
    for system in args.systems:
        sentences, tags = fit.sentences, fit.tags
        if system == "nltk-all":
            sentences, tags = train.sentences, train.tags
        figures: dict[str, Any] = {}
        tagger: SequenceTagger | None = None
        with Clock() as clock:
            if system == "most-frequent":
                tag_fn = most_frequent(sentences, tags)
            elif system == "hmm":
                tag_fn = hmm(sentences, tags)
            elif system in ("nltk", "nltk-all"):
                tag_fn = perceptron(sentences, tags, args.nltk_iterations)
            else:
                options = dict(settings)
                pretrained: list[Vectors] = []
                if "glove" in system:
                    pretrained.append(datasets.load("glove-6b-50d"))
                if "fasttext" in system:
                    with Clock() as vectors_clock:
                        pretrained.append(fasttext_vectors(sentences, args.threads))
                    figures["vectors_train_seconds"] = vectors_clock.wall
                    figures["vectors_train_cpu_seconds"] = vectors_clock.cpu
                if pretrained:  # both: GloVe's and fastText's vectors side by side
                    options["pretrained"] = pretrained[0] if len(pretrained) == 1 else pretrained
                options["crf"] = system.endswith("+crf")
                tagger = SequenceTagger(**options)
                extra = json.loads(args.fit)
                history = tagger.fit(sentences, tags, validation=(val.sentences, val.tags),
                                     epochs=args.epochs, early_stopping=args.patience, seed=0,
                                     progress=False, threads=args.threads, **extra)
                figures["epochs_run"] = history.epochs
                figures["best_epoch"] = history.best_epoch
                figures["val_accuracy"] = history["val_accuracy"]
                figures["train_tokens_per_s"] = history["tokens_per_s"]
                tag_fn = tagger.predict
        seen = {w for s in sentences for w in s}
        with Clock() as tagging:
            predicted = tag_fn(test.sentences)
        figures |= score(test.tags, predicted, test.sentences, seen)
        figures |= {
            "train_seconds": clock.wall, "train_cpu_seconds": clock.cpu,
            "load_average_during_training": [clock.load_before, clock.load_after],
            "tag_tokens_per_s": sum(map(len, test.sentences)) / tagging.wall,
            "tag_cpu_tokens_per_s": sum(map(len, test.sentences)) / max(tagging.cpu, 1e-9),
            "train_sentences": len(sentences),
        }
        if tagger is not None:
            figures["settings"] = settings | json.loads(args.fit) | {
                "threads": args.threads, "epochs": args.epochs, "patience": args.patience}
        name = {"most-frequent": "most frequent tag", "hmm": "nltk hmm (bigram, Lidstone 0.1)",
                "nltk": "nltk averaged perceptron",
                "nltk-all": "nltk averaged perceptron (all 459 files)"}.get(system, system + args.label)
        print(f"{name:34s} full {figures['full_accuracy']:.4f}  universal "
              f"{figures['universal_accuracy']:.4f}  unseen {figures['unseen_accuracy']:.4f}  name F1 "
              f"{figures['name_f1']:.4f}  {figures['tag_tokens_per_s']:,.0f} tok/s  trained in "
              f"{clock.wall:.0f}s wall, {clock.cpu:.0f}s CPU (load {clock.load_before:.1f})", flush=True)
        record(out, header, name, figures)


if __name__ == "__main__":
    main()
