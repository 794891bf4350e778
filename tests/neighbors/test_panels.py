"""Exact search over a table laid out in panels: the scan kernel against its twin, and
PanelTable's answers against top_k on scores computed here by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from embedlab import DataError, InvalidParameterError
from embedlab.neighbors import top_k
from embedlab.neighbors.index import _inverse_norms, prepare_queries
from embedlab.neighbors.panels import PANEL, PanelTable
from kernel_impls import implementations

select = implementations("embedlab.neighbors._select_kernels")


def sequential_scores(queries: np.ndarray, table: np.ndarray) -> np.ndarray:
    """queries x rows scores as the kernel defines them: products and sums rounded to float32,
    in dimension order (no fused multiply-add)."""
    scores = np.zeros((len(queries), len(table)), np.float32)
    for d in range(table.shape[1]):
        scores = scores + queries[:, d : d + 1] * table[None, :, d]
    return scores


def panels_of(table: np.ndarray) -> np.ndarray:
    """``table`` (float32) laid out by hand: panels of 16 rows, dimension-major, NaN padding."""
    count = -(-len(table) // PANEL)
    padded = np.full((count * PANEL, table.shape[1]), np.nan, np.float32)
    padded[: len(table)] = table
    return np.ascontiguousarray(padded.reshape(count, PANEL, -1).transpose(0, 2, 1))


@settings(max_examples=120, deadline=None)
@given(st.integers(1, 9), st.integers(1, 70), st.integers(1, 12), st.integers(1, 6),
       st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_scan_kernel_agrees_with_its_reference(queries, rows, dim, k, first_panel, seed) -> None:
    """The AVX2 path, the plain C path and the numpy twin: same rows, same score bits, ties to
    the lower row, NaN rows never returned, whatever the number of queries (groups of 4) and
    of rows (panels of 16), folded into what an earlier call left."""
    from embedlab.neighbors import _select_kernels, _select_reference

    rng = np.random.default_rng(seed)
    # Few distinct values and repeated rows: ties are common. Some rows are NaN.
    table = rng.integers(-2, 3, (rows, dim)).astype(np.float32) / 4
    table[rng.random(rows) < 0.2] = table[0]
    table[rng.random(rows) < 0.05] = np.nan
    q = rng.integers(-2, 3, (queries, dim)).astype(np.float32) / 2
    panels = panels_of(table)
    # As if a first call had kept row 3 (rows come in increasing order: this call's start
    # after it), so this one folds into a list that is partly filled.
    start = (np.full((queries, k), -np.inf, np.float32), np.full((queries, k), -1, np.int64))
    start[0][:, 0], start[1][:, 0] = 0.25, 3
    answers = []
    for fold, plain in ((_select_kernels.scan_panels, False), (_select_kernels.scan_panels, True),
                        (_select_reference.scan_panels, False)):
        best = (start[0].copy(), start[1].copy())
        fold(panels, None, 0.0, len(panels), dim, q, queries, first_panel * PANEL, best[0], best[1],
             k, plain)
        answers.append(best)
    for best in answers[1:]:
        assert best[0].tobytes() == answers[0][0].tobytes()
        assert best[1].tolist() == answers[0][1].tolist()
    # And what top_k makes of the same scores, after the row the first call left.
    # (-inf columns after them, so that top_k keeps k columns on a short table)
    pool = np.concatenate([start[0][:, :1], sequential_scores(q, table),
                           np.full((queries, k), -np.inf, np.float32)], axis=1)
    rows_want, scores_want = top_k(pool, k)
    ids = np.concatenate([[3], first_panel * PANEL + np.arange(rows), [-1] * k])
    want_rows = np.where(rows_want >= 0, ids[np.maximum(rows_want, 0)], -1)
    assert answers[0][1].tolist() == want_rows.tolist()
    assert answers[0][0].tobytes() == scores_want.tobytes()


@pytest.mark.parametrize("kernel", ["_select_kernels", "_select_reference"])
def test_scan_kernel_refuses_short_buffers(kernel: str) -> None:
    import importlib

    scan_panels = importlib.import_module(f"embedlab.neighbors.{kernel}").scan_panels
    panels = np.zeros((2, 3, PANEL), np.float32)
    best, rows = np.zeros((1, 2), np.float32), np.zeros((1, 2), np.int64)
    with pytest.raises(ValueError, match="smaller"):
        scan_panels(panels, None, 0.0, 3, 3, np.zeros((1, 3), np.float32), 1, 0, best, rows, 2,
                    False)
    with pytest.raises(ValueError, match="smaller"):  # the bfloat16 copy: 2 x 2 x 16 x 2
        scan_panels(panels, np.zeros((2, 2, PANEL, 1), np.uint16), 0.01, 2, 3,
                    np.zeros((1, 3), np.float32), 1, 0, best, rows, 2, False)
    with pytest.raises(ValueError, match="k >= 1"):
        scan_panels(panels, None, 0.0, 2, 3, np.zeros((1, 3), np.float32), 1, 0, best, rows, 0,
                    False)
    with pytest.raises(ValueError, match="margin"):
        scan_panels(panels, None, -1.0, 2, 3, np.zeros((1, 3), np.float32), 1, 0, best, rows, 2,
                    False)


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 9), st.integers(2, 300), st.integers(1, 40), st.integers(1, 12),
       st.integers(0, 2**32 - 1))
def test_coarse_first_pass_changes_nothing(queries, rows, dim, k, seed) -> None:
    """Cosine with the bfloat16 first pass (where the CPU has AVX512-BF16; elsewhere the kernel
    ignores the copy), without it, on the plain path and on the twin: the same rows and score
    bits. Rows and queries are unit vectors, with repeated rows (ties), near-copies (scores
    closer than the margin) and NaN rows."""
    from embedlab.neighbors import _select_kernels, _select_reference
    from embedlab.neighbors.panels import coarse_margin

    rng = np.random.default_rng(seed)
    matrix = rng.standard_normal((rows, dim)).astype(np.float32)
    first, second = matrix[0].copy(), matrix[1].copy()
    copies = rng.random(rows) < 0.3
    matrix[copies] = first * rng.uniform(0.5, 2, (copies.sum(), 1)).astype(np.float32)
    near = rng.random(rows) < 0.2
    matrix[near] = second + rng.normal(0, 1e-3, (near.sum(), dim)).astype(np.float32)
    matrix[2:][rng.random(rows - 2) < 0.05] = np.nan
    table = PanelTable(matrix)
    assert table.coarse is not None
    asked = rng.standard_normal((queries, dim)).astype(np.float32)
    asked[0] = first  # ties with every copy
    asked[-1] = second + rng.normal(0, 1e-3, dim).astype(np.float32)  # among the near-copies
    q, _ = prepare_queries(asked, dim, "cosine")
    answers = []
    for fold, coarse, plain in ((_select_kernels.scan_panels, table.coarse, False),
                                (_select_kernels.scan_panels, None, False),
                                (_select_kernels.scan_panels, table.coarse, True),
                                (_select_reference.scan_panels, table.coarse, False)):
        best = (np.full((queries, k), -np.inf, np.float32), np.full((queries, k), -1, np.int64))
        fold(table.panels, coarse, coarse_margin(dim), table.count, dim, q, queries, 0, best[0],
             best[1], k, plain)
        answers.append(best)
    for best in answers[1:]:
        assert best[0].tobytes() == answers[0][0].tobytes()
        assert best[1].tolist() == answers[0][1].tolist()


def test_panel_table_is_top_k_of_the_cosines(select) -> None:
    """Cosine over 1,000 x 50 (not a multiple of 16 rows), 11 queries: the rows and score bits
    that top_k gives on the cosines computed by hand from the same unit rows and queries."""
    rng = np.random.default_rng(5)
    matrix = rng.standard_normal((1000, 50)).astype(np.float32)
    matrix[7] = matrix[3] * 2  # same direction: ties with row 3 for every query
    table = PanelTable(matrix)
    queries = rng.standard_normal((11, 50)).astype(np.float32)
    queries[2] = matrix[3]
    rows, scores = table.search(queries, k=12)
    unit = matrix * _inverse_norms(matrix)[:, None]
    q, _ = prepare_queries(queries, 50, "cosine")
    want_rows, want_scores = top_k(sequential_scores(q, unit), 12)
    assert rows.tolist() == want_rows.tolist()
    assert scores.tobytes() == want_scores.tobytes()
    assert rows[2, :2].tolist() == [3, 7]  # the tie: lower row first
    # Against a BLAS product, the scores differ in the last bits only.
    np.testing.assert_allclose(scores, np.take_along_axis(q @ unit.T, rows, axis=1), atol=1e-6)


def test_panel_table_rule_for_zero_nan_and_short_tables(select) -> None:
    """A zero row is nobody's neighbour, a zero query has none; the NaN rows that pad the last
    panel never come back, even when k asks for more rows than the table has."""
    matrix = np.array([[1, 0], [0, 0], [2, 0], [0, 3], [-1, 0]], np.float32)
    table = PanelTable(matrix)
    rows, scores = table.search(np.array([[5, 0], [0, 0]], np.float32), k=9)
    assert rows.tolist() == [[0, 2, 3, 4, -1], [-1] * 5]
    assert scores[0].tolist() == [1.0, 1.0, 0.0, -1.0, -np.inf]
    dot = PanelTable(matrix, metric="dot")
    rows, scores = dot.search(np.array([[1, 1]], np.float32), k=2)
    assert rows.tolist() == [[3, 2]] and scores.tolist() == [[3.0, 2.0]]


def test_panel_table_errors() -> None:
    matrix = np.eye(3, dtype=np.float32)
    with pytest.raises(InvalidParameterError, match="metric"):
        PanelTable(matrix, metric="euclidean")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="non-empty"):
        PanelTable(np.zeros((0, 3), np.float32))
    table = PanelTable(matrix)
    with pytest.raises(DataError, match="3 columns"):
        table.search(np.zeros((1, 2), np.float32), k=1)
    with pytest.raises(DataError, match="NaN or infinite"):
        table.search(np.array([[np.nan, 0, 0]], np.float32), k=1)
    with pytest.raises(InvalidParameterError, match="k"):
        table.search(matrix, k=0)
