"""Part-of-speech tagging and name spans on the Brown corpus: embedlab's SequenceTagger against
a most-frequent-tag baseline and NLTK's averaged perceptron, on one split.

Split: of each genre's files in name order, every tenth is held out (41 files, 4,744 sentences,
94,774 tokens); the other 459 files train. Every system is trained on Brown's full tags; its
universal accuracy maps its full-tag predictions to the 12 universal tags, and its name spans
are the BIO spans of its predicted tags (runs of np/nps/np$ and -tl tokens, see
embedlab.tag.brown). "Unseen" tokens are held-out tokens whose word never occurs in training.

    PYTHONPATH=src python benchmarks/bench_tag.py                # the full run
    PYTHONPATH=src python benchmarks/bench_tag.py --epochs 2 --train-every 4   # a quarter of the training data

Results: benchmarks/results/tag.json (written after each system, with the settings used).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter, defaultdict
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))
from _common import save_results  # noqa: E402

from embedlab import datasets  # noqa: E402
from embedlab.tag import SequenceTagger, name_bio, span_scores, universal_tag  # noqa: E402

Sentences = list[list[str]]


def score(name: str, gold: Sentences, predicted: Sentences, words: Sentences, seen: set[str],
          seconds_to_tag: float, train_seconds: float) -> dict[str, Any]:
    full = universal = unseen = unseen_total = total = 0
    for g_row, p_row, w_row in zip(gold, predicted, words, strict=True):
        for g, p, w in zip(g_row, p_row, w_row, strict=True):
            total += 1
            full += g == p
            universal += universal_tag(g) == universal_tag(p)
            if w not in seen:
                unseen_total += 1
                unseen += g == p
    names = span_scores([name_bio(g) for g in gold], [name_bio(p) for p in predicted])
    figures = {
        "full_accuracy": full / total, "universal_accuracy": universal / total,
        "unseen_accuracy": unseen / unseen_total, "unseen_tokens": unseen_total,
        "name_precision": names.precision, "name_recall": names.recall, "name_f1": names.f1,
        "tag_tokens_per_s": total / seconds_to_tag, "train_seconds": train_seconds,
    }
    print(f"{name:28s} full {figures['full_accuracy']:.4f}  universal "
          f"{figures['universal_accuracy']:.4f}  unseen {figures['unseen_accuracy']:.4f}  name F1 "
          f"{names.f1:.4f}  {figures['tag_tokens_per_s']:,.0f} tok/s  trained in {train_seconds:.0f}s",
          flush=True)
    return figures


def most_frequent(train_words: Sentences, train_tags: Sentences) -> tuple[dict[str, str], str]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for words, tags in zip(train_words, train_tags, strict=True):
        for w, t in zip(words, tags, strict=True):
            counts[w][t] += 1
    overall = Counter(t for tags in train_tags for t in tags).most_common(1)[0][0]
    return {w: c.most_common(1)[0][0] for w, c in counts.items()}, overall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--train-every", type=int, default=1,
                        help="train on every n-th training sentence only (1: all), for a busy machine")
    parser.add_argument("--no-glove", action="store_true")
    parser.add_argument("--no-nltk", action="store_true")
    parser.add_argument("--nltk-iterations", type=int, default=5)
    args = parser.parse_args()

    train, test = datasets.load("brown").split()
    train_words, train_tags = train.sentences, train.tags
    if args.train_every > 1:
        train_words, train_tags = train_words[:: args.train_every], train_tags[:: args.train_every]
    seen = {w for s in train_words for w in s}
    payload: dict[str, Any] = {
        "split": "every tenth file of each genre held out",
        "train_sentences": len(train_words), "train_tokens": sum(map(len, train_words)),
        "test_sentences": len(test), "test_tokens": sum(map(len, test.sentences)),
        "settings": vars(args), "cpu_threads": 1, "load_average": os.getloadavg()[0],
        "systems": {},
    }

    def record(name: str, figures: dict[str, Any]) -> None:
        payload["systems"][name] = figures
        save_results("tag", payload)

    started = time.perf_counter()
    table, overall = most_frequent(train_words, train_tags)
    trained = time.perf_counter() - started
    started = time.perf_counter()
    predicted = [[table.get(w, overall) for w in s] for s in test.sentences]
    record("most frequent tag", score("most frequent tag", test.tags, predicted, test.sentences,
                                      seen, time.perf_counter() - started, trained))

    if not args.no_nltk:
        from nltk.tag.perceptron import PerceptronTagger

        nltk_tagger = PerceptronTagger(load=False)
        started = time.perf_counter()
        nltk_tagger.train([list(zip(w, t, strict=True)) for w, t in zip(train_words, train_tags, strict=True)],
                          nr_iter=args.nltk_iterations)
        trained = time.perf_counter() - started
        started = time.perf_counter()
        predicted = [[t for _, t in nltk_tagger.tag(s)] for s in test.sentences]
        record("nltk averaged perceptron", score(
            "nltk averaged perceptron", test.tags, predicted, test.sentences, seen,
            time.perf_counter() - started, trained))

    configs: list[tuple[str, Any]] = [("embedlab tagger", None)]
    if not args.no_glove:
        configs.append(("embedlab tagger + glove 50d", datasets.load("glove-6b-50d")))
    for name, vectors in configs:
        tagger = SequenceTagger(pretrained=vectors)
        started = time.perf_counter()
        history = tagger.fit(train_words, train_tags, epochs=args.epochs, seed=0, progress=False)
        trained = time.perf_counter() - started
        started = time.perf_counter()
        predicted = tagger.predict(test.sentences)
        figures = score(name, test.tags, predicted, test.sentences, seen,
                        time.perf_counter() - started, trained)
        figures["train_tokens_per_s"] = history["tokens_per_s"]
        record(name, figures)


if __name__ == "__main__":
    main()
