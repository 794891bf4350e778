"""Recommendation on MovieLens-100k, embedlab against its peers in one run.

1. Rating prediction: 5 shuffled folds (the same folds for every model); RMSE, MAE and seconds
   per fold for embedlab's MatrixFactorization (torch) and BayesianMatrixFactorization (Gibbs),
   and scikit-surprise's SVD and SVD++ when it is installed. Target: RMSE <= 0.90 in no more
   time than SVD++.
2. Ranking ("what to show next"): per-user leave-last-out by timestamp; precision, recall,
   NDCG and MAP at 10 for embedlab's ImplicitALS and the `implicit` library's ALS with the same
   settings (factors, regularisation, confidence alpha, iterations, CG steps), plus popularity.

Run: .venv/bin/python benchmarks/bench_recsys.py [--folds 5] [--quick]
Writes benchmarks/results/recsys.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import save_results  # noqa: E402

from embedlab.recsys import (  # noqa: E402
    BayesianMatrixFactorization,
    ImplicitALS,
    Interactions,
    MatrixFactorization,
    kfold,
    leave_last_out,
    mae,
    ranking_report,
    rmse,
)

ALS = {"factors": 64, "regularization": 0.05, "alpha": 2.0, "iterations": 15, "cg_steps": 3}


def _timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def rating_models():  # type: ignore[no-untyped-def]
    """name -> function(train, test) returning test predictions."""

    def ours(cls, **kw):  # type: ignore[no-untyped-def]
        def run(train: Interactions, test: Interactions) -> np.ndarray:
            model = cls(progress=False, **kw).fit(train)
            return model.predict_indices(test.users, test.items)
        return run

    models = {
        "embedlab MatrixFactorization": ours(MatrixFactorization),
        "embedlab BayesianMatrixFactorization": ours(BayesianMatrixFactorization),
    }
    return models


# Runs inside the peer's interpreter (scikit-surprise is built against NumPy 1, so it may live
# in its own virtualenv): fit on one fold's training file, predict its test file, time both.
_SURPRISE = r"""
import json, sys, time
import surprise
train, test, algo = sys.argv[1], sys.argv[2], sys.argv[3]
reader = surprise.Reader(line_format="user item rating", sep="\t", rating_scale=(1, 5))
start = time.perf_counter()
trainset = surprise.Dataset.load_from_file(train, reader).build_full_trainset()
model = getattr(surprise, algo)(random_state=0).fit(trainset)
pairs = [line.split("\t")[:2] for line in open(test)]
predicted = [model.predict(u, i).est for u, i in pairs]
print(json.dumps({"seconds": time.perf_counter() - start, "predicted": predicted}))
"""


def surprise_models(python: str | None):  # type: ignore[no-untyped-def]
    """SVD and SVD++ of scikit-surprise, run by ``python`` (this interpreter if it has surprise)."""
    import subprocess
    import tempfile

    if python is None:
        try:
            import surprise  # noqa: F401
        except ImportError:
            print("scikit-surprise is not importable (give --surprise-python): SVD and SVD++ "
                  "are left out", file=sys.stderr)
            return {}
        python = sys.executable

    def peer(algo: str):  # type: ignore[no-untyped-def]
        def run(train: Interactions, test: Interactions) -> tuple[np.ndarray, float]:
            with tempfile.TemporaryDirectory() as folder:
                for name, part in (("train", train), ("test", test)):
                    with open(f"{folder}/{name}.tsv", "w") as handle:
                        for u, i, r in zip(part.users.tolist(), part.items.tolist(), part.values.tolist(), strict=True):
                            handle.write(f"{u}\t{i}\t{r}\n")
                out = subprocess.run([python, "-c", _SURPRISE, f"{folder}/train.tsv", f"{folder}/test.tsv", algo],
                                     capture_output=True, text=True, check=True)
            answer = json.loads(out.stdout)
            return np.array(answer["predicted"]), answer["seconds"]
        return run

    return {"surprise SVD": peer("SVD"), "surprise SVD++": peer("SVDpp")}


def bench_ratings(data: Interactions, folds: int, surprise_python: str | None) -> dict[str, dict]:
    results: dict[str, dict] = {}
    splits = list(kfold(data, folds, seed=0))
    models = rating_models()
    peers = surprise_models(surprise_python)
    for name, run in {**models, **peers}.items():
        per_fold = []
        for n, (train, test) in enumerate(splits):
            if name in peers:  # timed inside the peer's interpreter, start-up excluded
                predicted, seconds = run(train, test)
            else:
                predicted, seconds = _timed(lambda run=run, train=train, test=test: run(train, test))
            per_fold.append({"fold": n + 1, "rmse": rmse(predicted, test.values),
                             "mae": mae(predicted, test.values), "seconds": seconds})
            print(f"  {name:38s} fold {n + 1}: RMSE {per_fold[-1]['rmse']:.4f}  {seconds:6.1f} s", flush=True)
        results[name] = {
            "folds": per_fold,
            "rmse_mean": statistics.mean(f["rmse"] for f in per_fold),
            "mae_mean": statistics.mean(f["mae"] for f in per_fold),
            "seconds_total": sum(f["seconds"] for f in per_fold),
            "seconds_median": statistics.median(f["seconds"] for f in per_fold),
        }
    return results


def _relevant(test: Interactions) -> tuple[np.ndarray, list[set[int]]]:
    users = np.unique(test.users)
    relevant: dict[int, set[int]] = {int(u): set() for u in users}
    for u, i in zip(test.users.tolist(), test.items.tolist(), strict=True):
        relevant[u].add(i)
    return users, [relevant[int(u)] for u in users]


def bench_ranking(data: Interactions, k: int = 10) -> dict[str, dict]:
    train, test = leave_last_out(data, n=1)
    users, relevant = _relevant(test)
    results: dict[str, dict] = {}

    model, seconds = _timed(lambda: ImplicitALS(
        vector_size=ALS["factors"], iterations=ALS["iterations"], regularization=ALS["regularization"],
        alpha=ALS["alpha"], cg_steps=ALS["cg_steps"], progress=False).fit(train))
    ranked = model.recommend_indices(users, k)
    results["embedlab ImplicitALS"] = {**ranking_report(ranked.tolist(), relevant, k), "seconds": seconds}

    popularity = np.bincount(train.items, minlength=train.n_items).astype(np.float64)
    indptr, seen = train.seen()
    ranked_pop = []
    for u in users:
        scores = popularity.copy()
        scores[seen[indptr[u]:indptr[u + 1]]] = -1
        ranked_pop.append(np.argsort(-scores, kind="stable")[:k].tolist())
    results["popularity"] = {**ranking_report(ranked_pop, relevant, k), "seconds": 0.0}

    try:
        import scipy.sparse as sp
        from implicit.als import AlternatingLeastSquares
    except ImportError:
        print("the implicit library is not installed: its ALS is left out", file=sys.stderr)
        return results
    matrix = sp.csr_matrix(
        (np.ones(len(train), np.float32), (train.users, train.items)), shape=(train.n_users, train.n_items)
    )
    # implicit's confidence is alpha * value, ours 1 + alpha * count: on 0/1 data the same
    # confidence needs implicit's alpha = 1 + ours.
    peer = AlternatingLeastSquares(
        factors=ALS["factors"], regularization=ALS["regularization"], alpha=1.0 + ALS["alpha"],
        iterations=ALS["iterations"], use_cg=True, random_state=0,
    )
    peer.cg_steps = ALS["cg_steps"]
    _, seconds = _timed(lambda: peer.fit(matrix, show_progress=False))
    ids, _ = peer.recommend(users, matrix[users], N=k, filter_already_liked_items=True)
    results["implicit ALS"] = {**ranking_report(ids.tolist(), relevant, k), "seconds": seconds}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="two folds only")
    parser.add_argument("--surprise-python", help="a Python that has scikit-surprise installed")
    parser.add_argument("--skip-ratings", action="store_true", help="ranking comparison only")
    args = parser.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    data = Interactions.from_dataset("movielens-100k")
    print(data)
    folds = 2 if args.quick else args.folds
    print(f"rating prediction, {folds} shuffled folds")
    ratings = {} if args.skip_ratings else bench_ratings(data, folds, args.surprise_python)
    print("ranking, leave-last-out by timestamp")
    ranking = bench_ranking(data)

    print(f"\n{'model':38s} {'RMSE':>7s} {'MAE':>7s} {'s/fold':>7s} {'total s':>8s}")
    for name, r in ratings.items():
        print(f"{name:38s} {r['rmse_mean']:7.4f} {r['mae_mean']:7.4f} {r['seconds_median']:7.1f} {r['seconds_total']:8.1f}")
    print(f"\n{'model':24s} {'P@10':>7s} {'R@10':>7s} {'NDCG@10':>8s} {'MAP@10':>7s} {'fit s':>6s}")
    for name, r in ranking.items():
        print(f"{name:24s} {r['precision@10']:7.4f} {r['recall@10']:7.4f} {r['ndcg@10']:8.4f} {r['map@10']:7.4f} {r['seconds']:6.1f}")
    load = os.getloadavg()
    path = save_results("recsys", {"ratings": ratings, "ranking": ranking, "als_settings": ALS,
                                   "cpus": os.cpu_count(), "loadavg": load})
    print(f"\nload average {load[0]:.1f} on {os.cpu_count()} cores; wrote {path}")


if __name__ == "__main__":
    main()
