"""The neighbour index: exact blocked search against brute force, faiss recall."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from embedlab import DataError, InvalidParameterError, UnknownKeyError, Vectors
from embedlab.neighbors import build_index, recall_at_k


@pytest.fixture(scope="module")
def vectors() -> Vectors:
    rng = np.random.default_rng(0)
    return Vectors([f"k{i}" for i in range(3000)], rng.standard_normal((3000, 16)))


def _brute(vectors: Vectors, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    unit_q = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    scores = unit_q @ vectors.unit.T
    rows = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return rows, np.take_along_axis(scores, rows, axis=1)


def test_exact_blocks_match_brute_force(vectors: Vectors) -> None:
    index = build_index(vectors, block_size=700)  # several blocks, a ragged last one
    queries = np.asarray(vectors.matrix[:20])
    rows, scores = index.search(queries, k=7)
    want_rows, want_scores = _brute(vectors, queries, 7)
    np.testing.assert_array_equal(rows, want_rows)
    np.testing.assert_allclose(scores, want_scores, rtol=1e-5)
    assert rows[0, 0] == 0  # a vector is its own best match


def test_memory_budget_sets_the_block(vectors: Vectors) -> None:
    index = build_index(vectors, max_block_mb=0.5)  # 512 KiB of scores
    assert index.rows_per_block(queries=13) == 10082  # 512 KiB / 4 B / 13
    assert index.rows_per_block(queries=1000) == 4096  # never below 4,096 rows
    assert build_index(vectors).rows_per_block(queries=64) == 8192  # 2 MiB / 4 B / 64
    queries = np.asarray(vectors.matrix[100:113])
    np.testing.assert_array_equal(index.search(queries, 5)[0], _brute(vectors, queries, 5)[0])


def test_threshold_merge_against_a_plain_reference() -> None:
    """The blocked search with its k-th-best filter against one full sort, on orders made to
    stress it: every block better than the last (every query improves every time), ties, and
    blocks smaller than k."""
    from embedlab.neighbors import exact_top_k

    rng = np.random.default_rng(1)
    queries = rng.standard_normal((5, 4)).astype(np.float32)
    rising = np.outer(np.arange(1, 301), queries[0]).astype(np.float32)  # q0 . row_i = i |q0|^2
    tied = np.repeat(rng.standard_normal((30, 4)).astype(np.float32), 10, axis=0)
    for table in (rising, tied, rng.standard_normal((257, 4)).astype(np.float32)):
        full = queries @ table.T
        for k, block in ((1, 7), (10, 3), (10, 64), (25, 1000)):
            rows, scores = exact_top_k(queries, table, k, block)
            want = -np.sort(-full, axis=1)[:, :k]
            np.testing.assert_allclose(scores, want, rtol=1e-6)
            # The rows hold those scores (ties may come in any order).
            np.testing.assert_allclose(np.take_along_axis(full, rows, axis=1), want, rtol=1e-6)
            assert all(len(set(r)) == k for r in rows.tolist())


def test_memory_mapped_table_is_streamed(tmp_path, vectors: Vectors) -> None:
    np.save(tmp_path / "m.npy", np.asarray(vectors.matrix, np.float32))
    mapped = Vectors(vectors.keys, np.load(tmp_path / "m.npy", mmap_mode="r"))
    rows, _ = build_index(mapped, block_size=512).search(["k3", "k42"], k=3)
    assert rows[:, 0].tolist() == [3, 42]
    np.testing.assert_array_equal(rows, _brute(vectors, np.asarray(vectors.matrix[[3, 42]]), 3)[0])


def test_neighbors_by_key_match_most_similar(vectors: Vectors) -> None:
    index = build_index(vectors)
    got = index.neighbors("k5", k=4)
    want = vectors.most_similar("k5", topn=4)
    assert [k for k, _ in got] == [k for k, _ in want]
    assert [s for _, s in got] == pytest.approx([s for _, s in want], rel=1e-5)
    assert index.search_keys(["k5"], k=1)[0][0][0] == "k5"


def test_dot_metric_uses_raw_vectors() -> None:
    v = Vectors(["a", "b", "c"], np.array([[1, 0], [10, 0], [0, 1]], np.float32))
    rows, scores = build_index(v, metric="dot").search(np.array([[1.0, 0.0]]), k=2)
    assert rows[0].tolist() == [1, 0] and scores[0].tolist() == [10.0, 1.0]
    # Cosine ties a and b (same direction): both score 1.
    _, cosine = build_index(v).search(np.array([[2.0, 0.0]]), k=2)
    assert cosine[0].tolist() == pytest.approx([1.0, 1.0])


def test_euclidean_metric_ranks_by_distance() -> None:
    # From (1, 0): a is 0 away, c is sqrt(2), b (same direction, far) is 9.
    v = Vectors(["a", "b", "c"], np.array([[1, 0], [10, 0], [0, 1]], np.float32))
    rows, scores = build_index(v, metric="euclidean").search(np.array([[1.0, 0.0]]), k=3)
    assert rows[0].tolist() == [0, 2, 1]
    assert scores[0].tolist() == pytest.approx([0.0, -2**0.5, -9.0], abs=1e-6)
    assert build_index(v, metric="euclidean").neighbors("b", k=1) == [("a", pytest.approx(-9.0))]
    with pytest.raises(InvalidParameterError, match="exact only"):
        build_index(v, method="faiss", metric="euclidean")


def test_k_larger_than_the_table() -> None:
    v = Vectors(["a", "b"], np.eye(2, dtype=np.float32))
    rows, _ = build_index(v).search(["a"], k=10)
    assert rows.tolist() == [[0, 1]]


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_faiss_recall_is_measurable(vectors: Vectors, kind: str) -> None:
    pytest.importorskip("faiss")
    queries = np.asarray(vectors.matrix[:100])
    exact = build_index(vectors)
    approx = build_index(vectors, method="faiss", index=kind, nlist=32, nprobe=8)
    assert recall_at_k(approx, exact, queries, k=10) > 0.8
    rows = exact.search(queries, 10)[0]
    assert recall_at_k(rows, rows) == 1.0
    assert recall_at_k(rows[:, :5], rows) == 0.5
    assert build_index(vectors, method="auto").method == "exact"  # small table


def test_errors(vectors: Vectors) -> None:
    with pytest.raises(InvalidParameterError, match="The 'method' parameter of NeighborIndex"):
        build_index(vectors, method="annoy")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="The 'ef_search' parameter"):
        build_index(vectors, ef_search=0)
    with pytest.raises(DataError, match="16 columns"):
        build_index(vectors).search(np.zeros((1, 3)), k=1)
    with pytest.raises(DataError, match="NaN"):
        build_index(vectors).search(np.full((1, 16), np.nan), k=1)
    with pytest.raises(InvalidParameterError, match="The 'k' parameter"):
        build_index(vectors).search(["k1"], k=0)
    with pytest.raises(UnknownKeyError):
        build_index(vectors).search(["nope"], k=1)
    with pytest.raises(InvalidParameterError, match="needs the queries"):
        recall_at_k(build_index(vectors), build_index(vectors))
    with pytest.raises(DataError, match="same queries"):
        recall_at_k(np.zeros((2, 3)), np.zeros((3, 3)))


def test_cli_neighbors_and_analogy(royal_file) -> None:
    from typer.testing import CliRunner

    from embedlab.cli import app

    file = royal_file
    runner = CliRunner()
    near = runner.invoke(app, ["neighbors", str(file), "man", "-k", "2"])
    assert near.exit_code == 0, near.output
    assert [line.split()[1] for line in near.output.splitlines()] == ["king", "apple"]
    # king - man + woman: "man is to king as woman is to queen".
    answer = runner.invoke(app, ["analogy", str(file), "king", "man", "woman", "-k", "1"])
    assert answer.exit_code == 0, answer.output
    assert answer.output.splitlines()[0] == "king - man + woman ="
    assert answer.output.splitlines()[1].endswith("  queen")
    cosmul = runner.invoke(app, ["analogy", str(file), "king", "man", "woman", "--cosmul"])
    assert cosmul.output.splitlines()[1].endswith("  queen")
    help_text = runner.invoke(app, ["neighbors", "--help"]).output
    assert "Example: embedlab neighbors glove-6b-50d frog" in help_text


def test_many_queries_split_over_threads_agree(vectors: Vectors) -> None:
    import torch

    queries = np.asarray(vectors.matrix[:400])  # >= 64 per thread: one slice per thread
    index = build_index(vectors)
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        split = index.search(queries, k=5)
    finally:
        torch.set_num_threads(threads)
    np.testing.assert_array_equal(split[0], _brute(vectors, queries, 5)[0])
    assert torch.get_num_threads() == threads


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 4), st.integers(1, 70), st.integers(1, 6), st.booleans(), st.integers(0, 2**32 - 1))
def test_select_kernel_agrees_with_its_reference(queries, rows, k, scaled, seed) -> None:
    """Folding blocks one after another in C gives what the plain twin gives: same rows, same
    scores bit for bit, ties to the lower row, NaN and -inf left out."""
    from embedlab.neighbors import _select_kernels, _select_reference

    rng = np.random.default_rng(seed)
    # Few distinct values, so ties are common; a NaN now and then.
    scores = rng.integers(-3, 4, (queries, rows)).astype(np.float32) / 2
    scores[rng.random((queries, rows)) < 0.05] = np.nan
    scores[rng.random((queries, rows)) < 0.05] = -np.inf
    scale = rng.choice(np.float32([0.5, 1.0, 2.0]), rows) if scaled else None
    got = (np.full((queries, k), -np.inf, np.float32), np.full((queries, k), -1, np.int64))
    want = (got[0].copy(), got[1].copy())
    for start in range(0, rows, 16):  # several blocks, as the search feeds them
        part = np.ascontiguousarray(scores[:, start : start + 16])
        part_scale = None if scale is None else np.ascontiguousarray(scale[start : start + 16])
        _select_kernels.fold_block(part, queries, part.shape[1], start, part_scale, got[0], got[1], k)
        _select_reference.fold_block(part, queries, part.shape[1], start, part_scale, want[0], want[1], k)
    assert got[0].tobytes() == want[0].tobytes()
    assert got[1].tolist() == want[1].tolist()


@pytest.mark.parametrize("kernel", ["_select_kernels", "_select_reference"])
def test_select_kernel_refuses_short_buffers(kernel: str) -> None:
    import importlib

    fold_block = importlib.import_module(f"embedlab.neighbors.{kernel}").fold_block
    best = np.zeros((1, 3), np.float32)
    with pytest.raises(ValueError, match="smaller"):
        fold_block(np.zeros((1, 4), np.float32), 1, 5, 0, None, best, np.zeros((1, 3), np.int64), 3)


@pytest.fixture(params=["c_kernel", "reference"])
def kernel(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every ranking once on the C kernel, once with its plain twin standing in for it."""
    if request.param == "reference":
        from embedlab.neighbors import _select_reference, topk

        monkeypatch.setattr(topk, "_kernel", lambda: _select_reference.fold_block)
    return str(request.param)


def test_one_rule_for_ties_and_nan_everywhere(kernel: str) -> None:
    """The rule of every exact ranking (neighbors/topk.py): best first; equal scores keep the
    lower row first; NaN and -inf are never returned (arrays pad with row -1, score -inf); under
    cosine a zero vector has no neighbours and is nobody's neighbour; a NaN query is an error.
    Checked on the selection itself and on each caller that ranks through it."""
    from embedlab.crossmodal.evaluate import recall_at_k as crossmodal_recall
    from embedlab.neighbors import TopK, top_k
    from embedlab.recsys.base import FittedModel
    from embedlab.recsys.interactions import Interactions

    inf = np.inf
    scores = np.array([[0.5, np.nan, 0.75, 0.5, -inf, 0.5],
                       [np.nan, np.nan, -inf, 1.0, np.nan, np.nan]], np.float32)
    rows, values = top_k(scores, 4)
    assert rows.tolist() == [[2, 0, 3, 5], [3, -1, -1, -1]]
    assert values.tolist() == [[0.75, 0.5, 0.5, 0.5], [1.0, -inf, -inf, -inf]]
    best = TopK(queries=2, k=4)
    for start in range(0, 6, 2):  # the same table, a block of two rows at a time
        best.fold(scores[:, start : start + 2], first_row=start)
    assert best.rows.tolist() == rows.tolist() and best.scores.tolist() == values.tolist()
    assert top_k(scores[0], 9)[0].tolist() == [2, 0, 3, 5, -1, -1]  # one row; k cut to 6

    # Vectors: a, b, c point the same way (ties); "zero" has no direction; "nan" is broken.
    v = Vectors(["a", "b", "c", "zero", "nan", "d"],
                np.array([[1, 0], [1, 0], [2, 0], [0, 0], [np.nan, np.nan], [0, 1]], np.float32),
                allow_nonfinite=True)
    assert v.most_similar(np.array([3.0, 0.0]), topn=9) == [("a", 1.0), ("b", 1.0), ("c", 1.0),
                                                            ("d", 0.0)]
    assert v.most_similar("d", topn=9) == [("a", 0.0), ("b", 0.0), ("c", 0.0)]
    assert v.most_similar("zero") == [] and v.most_similar_cosmul("zero") == []
    assert np.isnan(v.most_similar("zero", topn=None)).all()
    assert v.most_similar_batch(["b", "zero"], topn=2) == [[("a", 1.0), ("c", 1.0)], []]
    with pytest.raises(DataError, match="'nan' holds NaN"):
        v.most_similar("nan")

    # The index, exact: the same answers as arrays.
    index = build_index(v, block_size=2)
    rows, values = index.search(np.array([[3, 0], [0, 0]], np.float32), k=5)
    assert rows.tolist() == [[0, 1, 2, 5, -1], [-1] * 5]
    assert values[0].tolist() == [1.0, 1.0, 1.0, 0.0, -inf]
    assert index.neighbors("b", k=9) == [("a", 1.0), ("c", 1.0), ("d", 0.0)]
    with pytest.raises(DataError, match="NaN"):
        index.search(["nan"], k=1)

    # Recommenders: items i1, i2, i3 tie for user u0, who has seen i0 (-inf: never offered).
    data = Interactions.from_arrays(["u0", "u1", "u1", "u1"], ["i0", "i1", "i2", "i3"])
    model = FittedModel()
    model._set_factors(data, np.ones((2, 1), np.float32), np.ones((4, 1), np.float32))
    assert model.recommend_indices(np.array([0]), k=4).tolist() == [[1, 2, 3, -1]]
    assert model.recommend("u0", k=4) == [("i1", 1.0), ("i2", 1.0), ("i3", 1.0)]

    # Text+image recall: the tie goes to column 1; the NaN column never counts, relevant or not.
    recall = crossmodal_recall(np.array([[np.nan, 0.5, 0.5]], np.float32),
                               np.array([[True, False, True]]), ks=(1, 2, 3))
    assert recall == {1: 0.0, 2: 1.0, 3: 1.0}


def test_large_blocks_split_over_threads_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    from embedlab.neighbors import TopK, topk

    rng = np.random.default_rng(3)
    scores = rng.integers(-4, 5, (300, 50)).astype(np.float32)  # many ties
    scores[rng.random(scores.shape) < 0.05] = np.nan
    serial = TopK(300, 7, threads=1)
    serial.fold(scores, 0)
    monkeypatch.setattr(topk, "PARALLEL_FROM", 0)  # split even this small block
    split = TopK(300, 7, threads=3)
    assert split._slices(300, scores.size) == [(0, 100), (100, 200), (200, 300)]
    split.fold(scores, 0)
    assert split.rows.tolist() == serial.rows.tolist()
    assert split.scores.tobytes() == serial.scores.tobytes()
