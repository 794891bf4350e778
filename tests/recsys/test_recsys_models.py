"""The recommenders on small synthetic data whose answer is known, kernels vs references,
saving, the CLI, and one real MovieLens fold."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from embedlab import DataError, FormatError, InvalidParameterError, UnknownKeyError, Vectors
from embedlab.cli import app
from embedlab.recsys import (
    BayesianMatrixFactorization,
    ImplicitALS,
    Interactions,
    MatrixFactorization,
    NotFittedError,
    kfold,
    load_model,
    train_test_split,
)
from embedlab.recsys import _factor_kernels as K
from embedlab.recsys import _factor_reference as R
from kernel_impls import implementations

# Tests that take ``factor`` run on the numba kernels, then on the reference standing in for them.
factor = implementations("embedlab.recsys._factor_kernels")


def low_rank_ratings(seed: int = 0, users: int = 60, items: int = 40, density: float = 0.6) -> Interactions:
    """Ratings = 3 + u.v (rank 2, no noise) on a random 60% of the cells."""
    rng = np.random.default_rng(seed)
    u = rng.normal(0, 0.8, (users, 2))
    v = rng.normal(0, 0.8, (items, 2))
    full = 3 + u @ v.T
    mask = rng.random((users, items)) < density
    rows, cols = np.nonzero(mask)
    return Interactions.from_arrays(
        [f"u{r}" for r in rows], [f"i{c}" for c in cols], full[rows, cols].clip(0, 6),
        rating_scale=(0, 6),
    )


def two_tribes() -> Interactions:
    """Users 0-9 watch only items a0-a7, users 10-19 only b0-b7 (each skips a few)."""
    users, items = [], []
    for user in range(20):
        tribe = "a" if user < 10 else "b"
        for item in range(8):
            if (user + item) % 4 != 0:
                users.append(f"user{user}")
                items.append(f"{tribe}{item}")
    return Interactions.from_arrays(users, items)


def std_of(values: np.ndarray) -> float:
    return float(np.std(values))


# ---------------------------------------------------------------------- explicit models


def test_matrix_factorization_recovers_a_low_rank_matrix() -> None:
    train, test = train_test_split(low_rank_ratings(), 0.2, seed=0)
    model = MatrixFactorization(vector_size=4, epochs=150, learning_rate=0.03, weight_decay=0.001, batch_size=256,
                                validation=0.0, progress=False).fit(train)
    error = model.evaluate(test)["rmse"]
    # the mean alone scores the standard deviation; the rank-2 structure takes most of it away
    assert error < 0.35 * std_of(test.values), (error, std_of(test.values))
    assert model.history and model.history[-1]["epoch"] == 150


def test_early_stopping_keeps_the_best_epoch_and_is_deterministic() -> None:
    data = low_rank_ratings(1)
    kwargs = dict(vector_size=4, epochs=40, learning_rate=0.05, weight_decay=0.0, validation=0.2, early_stopping=2,
                  refit=False, progress=False, seed=3)
    a = MatrixFactorization(**kwargs).fit(data)  # type: ignore[arg-type]
    b = MatrixFactorization(**kwargs).fit(data)  # type: ignore[arg-type]
    np.testing.assert_array_equal(a.item_factors, b.item_factors)
    valid = [h["valid_rmse"] for h in a.history]
    assert len(valid) <= 40
    best = int(np.argmin(valid))
    assert len(valid) - 1 - best <= 2 or len(valid) == 40


def test_sgd_optimizer_also_learns() -> None:
    train, test = train_test_split(low_rank_ratings(), 0.2, seed=0)
    model = MatrixFactorization(vector_size=4, epochs=100, learning_rate=0.05, weight_decay=0.001, batch_size=64,
                                optimizer="sgd", validation=0.0, progress=False).fit(train)
    assert model.evaluate(test)["rmse"] < 0.35 * std_of(test.values)


def test_bayesian_mf_recovers_a_low_rank_matrix(factor) -> None:  # type: ignore[no-untyped-def]
    train, test = train_test_split(low_rank_ratings(), 0.2, seed=0)
    model = BayesianMatrixFactorization(vector_size=3, samples=30, burn_in=10, alpha=20.0, progress=False).fit(train)
    assert model.evaluate(test)["rmse"] < 0.35 * std_of(test.values)
    assert model.item_vectors.dim == 3 * 30  # the samples laid end to end


def test_parameters_are_checked() -> None:
    # Checked at fit, as every embedlab estimator does (constructors only store).
    with pytest.raises(InvalidParameterError, match="The 'vector_size' parameter of MatrixFactorization must be an int >= 1. Got 0 instead."):
        MatrixFactorization(vector_size=0).fit(two_tribes())
    with pytest.raises(InvalidParameterError, match="optimizer"):
        MatrixFactorization(optimizer="rmsprop").fit(two_tribes())  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="alpha"):
        ImplicitALS(alpha=0).fit(two_tribes())
    with pytest.raises(DataError, match="explicit"):
        MatrixFactorization(progress=False).fit(two_tribes())
    with pytest.raises(NotFittedError):
        MatrixFactorization().recommend("x")


# ---------------------------------------------------------------------- implicit model and queries


def fit_als() -> ImplicitALS:
    return ImplicitALS(vector_size=4, iterations=10, regularization=0.1, alpha=5.0, progress=False).fit(two_tribes())


@pytest.fixture(scope="module")
def als() -> ImplicitALS:
    return fit_als()


def test_als_recommends_within_the_tribe_and_leaves_out_what_was_seen(factor) -> None:  # type: ignore[no-untyped-def]
    als = fit_als()
    # user0 skipped a0 and a4 ((0 + 0) % 4 == 0, (0 + 4) % 4 == 0): those two come first
    top = [item for item, _ in als.recommend("user0", k=2)]
    assert sorted(top) == ["a0", "a4"]
    with_seen = [item for item, _ in als.recommend("user0", k=8, exclude_seen=False)]
    assert all(item.startswith("a") for item in with_seen)
    assert all(item.startswith("b") for item, _ in als.recommend("user13", k=2))


def test_similar_items_and_vectors(als: ImplicitALS) -> None:
    assert all(item.startswith("a") for item, _ in als.similar_items("a1", k=5))
    items, users = als.item_vectors, als.user_vectors
    assert isinstance(items, Vectors) and len(items) == 16 and len(users) == 20
    assert items.metadata["id"][0] == "a0" and items.counts is not None
    with pytest.raises(UnknownKeyError, match="user 'user99'.*did you mean"):
        als.recommend("user99")
    with pytest.raises(UnknownKeyError, match="item 'c1'"):
        als.similar_items("c1")


def test_fold_in_a_new_user(als: ImplicitALS) -> None:
    picks = [item for item, _ in als.fold_in({"b1": 1, "b2": 1, "b3": 1}, k=3)]
    assert len(picks) == 3 and all(p.startswith("b") and p not in {"b1", "b2", "b3"} for p in picks)
    with pytest.raises(DataError):
        als.fold_in({})


def test_fold_in_explicit_model_prefers_what_similar_users_liked() -> None:
    # tribe a rates a-items 5 and b-items 1, tribe b the reverse
    users, items, ratings = [], [], []
    for user in range(20):
        for item in range(6):
            for tribe in "ab":
                if (user + item) % 3:
                    users.append(user)
                    items.append(f"{tribe}{item}")
                    liked = (tribe == "a") == (user < 10)
                    ratings.append(5.0 if liked else 1.0)
    data = Interactions.from_arrays(users, items, ratings)
    model = MatrixFactorization(vector_size=4, epochs=80, learning_rate=0.03, weight_decay=0.01, validation=0.0,
                                progress=False).fit(data)
    picks = [item for item, _ in model.fold_in({"b0": 5, "b1": 5, "a0": 1}, k=3)]
    assert all(p.startswith("b") for p in picks), picks


# ---------------------------------------------------------------------- kernels


def _random_csr(rng: np.random.Generator, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    counts = rng.integers(0, 6, rows)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    indices = rng.integers(0, cols, int(indptr[-1])).astype(np.int64)
    values = rng.normal(0, 1, int(indptr[-1]))
    return indptr, indices, values


def test_gibbs_kernel_matches_numpy_reference() -> None:
    rng = np.random.default_rng(0)
    indptr, indices, values = _random_csr(rng, 30, 12)
    other = rng.normal(0, 1, (12, 5))
    mu = rng.normal(0, 0.1, 5)
    a = rng.normal(0, 1, (5, 5))
    lam = a @ a.T + 5 * np.eye(5)
    noise = rng.standard_normal((30, 5))
    fast = K.gibbs_rows(indptr, indices, values, other, mu, lam, 1.7, noise)
    slow = R.gibbs_rows(indptr, indices, values, other, mu, lam, 1.7, noise)
    np.testing.assert_allclose(fast, slow, rtol=1e-9, atol=1e-10)


def test_als_cg_kernel_matches_numpy_reference_and_converges_to_the_solve(factor) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(1)
    indptr, indices, _ = _random_csr(rng, 25, 15)
    confidence = 1 + 3 * rng.random(len(indices))
    y = rng.normal(0, 1, (15, 4))
    x0 = rng.normal(0, 0.1, (25, 4))
    fast, slow = x0.copy(), x0.copy()
    K.als_cg_rows(indptr, indices, confidence, fast, y, y.T @ y, 0.3, 3)
    R.als_cg_rows(indptr, indices, confidence, slow, y, y.T @ y, 0.3, 3)
    np.testing.assert_allclose(fast, slow, rtol=1e-9, atol=1e-10)
    # with as many CG steps as dimensions, CG gives the exact least-squares answer
    exact = x0.copy()
    factor.als_cg_rows(indptr, indices, confidence, exact, y, y.T @ y, 0.3, 4)
    row = int(np.argmax(np.diff(indptr)))
    ys, c = y[indices[indptr[row]:indptr[row + 1]]], confidence[indptr[row]:indptr[row + 1]]
    a = y.T @ y + 0.3 * np.eye(4) + (ys * (c - 1)[:, None]).T @ ys
    np.testing.assert_allclose(exact[row], np.linalg.solve(a, (ys * c[:, None]).sum(0)), rtol=1e-6)


# ---------------------------------------------------------------------- files and CLI


def test_save_and_load_round_trip(tmp_path, als: ImplicitALS) -> None:
    als.save(tmp_path / "model")
    again = load_model(tmp_path / "model")
    assert type(again) is ImplicitALS and again.config() == als.config()
    assert again.recommend("user3", k=4) == als.recommend("user3", k=4)
    np.testing.assert_array_equal(again.item_vectors.matrix, als.item_vectors.matrix)
    with pytest.raises(FormatError, match="no model.json"):
        load_model(tmp_path)
    (tmp_path / "model" / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(FormatError, match="corrupt"):
        load_model(tmp_path / "model")


def test_cli_fit_and_for_user(tmp_path) -> None:
    ratings = tmp_path / "ratings.csv"
    lines = ["user,item,rating"] + [
        f"u{u},{'ab'[t]}{i},{5 if (t == 0) == (u < 5) else 1}"
        for u in range(10) for t in range(2) for i in range(4) if (u + i) % 3
    ]
    ratings.write_text("\n".join(lines) + "\n")
    runner = CliRunner()
    fitted = runner.invoke(app, ["recommend", "fit", str(ratings), "-o", str(tmp_path / "m"),
                                 "--epochs", "20", "--dim", "4", "--no-progress"])
    assert fitted.exit_code == 0, fitted.output
    assert (tmp_path / "m" / "model.safetensors").exists() and "MatrixFactorization" in fitted.output
    answer = runner.invoke(app, ["recommend", "for-user", str(tmp_path / "m"), "u1", "-k", "2"])
    assert answer.exit_code == 0, answer.output
    assert answer.output.count("\n") == 2 and " 1. " in answer.output
    unknown = runner.invoke(app, ["recommend", "for-user", str(tmp_path / "m"), "u77"])
    assert unknown.exit_code != 0 and "did you mean" in str(unknown.exception)
    bad = runner.invoke(app, ["recommend", "fit", str(ratings), "-o", str(tmp_path / "x"), "--model", "knn"])
    assert bad.exit_code != 0 and not (tmp_path / "x").exists()


# ---------------------------------------------------------------------- real data


@pytest.mark.network
def test_movielens_one_fold_rmse() -> None:
    data = Interactions.from_dataset("movielens-100k")
    assert (len(data), data.n_users, data.n_items) == (100_000, 943, 1682)
    train, test = next(kfold(data, 5, seed=0))
    model = MatrixFactorization(vector_size=32, epochs=8, early_stopping=0, validation=0.0, progress=False).fit(train)
    assert model.evaluate(test)["rmse"] < 0.95
    assert "Star Wars (1977)" in model.item_vectors
