"""Interactions, splits and metrics: readers, id maps, bad input, hand-checked metric values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from embedlab import DataError, FormatError, InvalidParameterError, UnknownKeyError
from embedlab.recsys import (
    Interactions,
    kfold,
    leave_last_out,
    mae,
    map_at_k,
    ndcg_at_k,
    precision_at_k,
    ranking_report,
    recall_at_k,
    rmse,
    train_test_split,
)

# ---------------------------------------------------------------------- Interactions


def test_ids_of_any_kind_map_to_contiguous_indices() -> None:
    data = Interactions.from_arrays(["bob", "amy", "bob"], [30, 10, 20], [4, 5, 3])
    assert data.user_ids == ["amy", "bob"]
    assert data.item_ids == ["10", "20", "30"]  # ints sort numerically, kept as strings
    assert data.users.tolist() == [1, 0, 1]
    assert data.items.tolist() == [2, 0, 1]
    assert data.kind == "explicit" and data.rating_scale == (3.0, 5.0)  # inferred
    assert data.item_index(20) == data.item_index("20") == 1


def test_implicit_without_ratings_gets_weight_one() -> None:
    data = Interactions.from_arrays([1, 2], ["a", "b"])
    assert data.kind == "implicit" and data.values.tolist() == [1.0, 1.0]
    assert data.rating_scale is None


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(DataError, match="empty"):
        Interactions.from_arrays([], [], [])
    with pytest.raises(DataError, match="same length; got users=2, items=1"):
        Interactions.from_arrays([1, 2], [1], [3, 4])
    with pytest.raises(DataError, match=r"rating 6 at row 1 is outside the declared scale \[1, 5\]"):
        Interactions.from_arrays([1, 2], [1, 2], [3, 6], rating_scale=(1, 5))
    with pytest.raises(InvalidParameterError, match="rating_scale"):
        Interactions.from_arrays([1], [1], [3], rating_scale=(5, 1))
    with pytest.raises(DataError, match="not a finite number"):
        Interactions.from_arrays([1, 2], [1, 2], [3, float("nan")])
    with pytest.raises(DataError, match=">= 0"):
        Interactions.from_arrays([1], [1], [-2], kind="implicit")


def test_unknown_user_and_item_suggest_close_ids() -> None:
    data = Interactions.from_arrays(["alice", "bob"], ["Heat (1995)", "Fargo (1996)"], [4, 5])
    with pytest.raises(UnknownKeyError, match="user 'alicia'.*did you mean 'alice'"):
        data.user_index("alicia")
    with pytest.raises(UnknownKeyError, match="item 'Fargo'.*Fargo \\(1996\\)"):
        data.item_index("Fargo")


def test_csv_with_header(tmp_path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("userId,movieId,rating,timestamp\n1,10,4.5,100\n2,10,3,90\n1,11,2,80\n")
    data = Interactions.from_file(path)
    assert len(data) == 3 and data.n_users == 2 and data.n_items == 2
    assert data.values.tolist() == [4.5, 3.0, 2.0]
    assert data.timestamps is not None and data.timestamps.tolist() == [100, 90, 80]


def test_recbole_atomic_files_with_titles_and_duplicate_titles(tmp_path) -> None:
    (tmp_path / "mini.inter").write_text(
        "user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
        "196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t7\t5\t881250950\n"
    )
    (tmp_path / "mini.item").write_text(
        "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n"
        "242\tKolya\t1996\tComedy\n302\tHamlet\t1996\tDrama\n7\tHamlet\t1996\tDrama\n"
    )
    data = Interactions.from_file(tmp_path)  # a folder with one .inter file
    assert data.item_ids == ["7", "242", "302"]
    assert data.item_keys() == ["Hamlet (1996) [7]", "Kolya (1996)", "Hamlet (1996) [302]"]
    assert data.item_index("Kolya (1996)") == 1 and data.item_index("302") == 2


def test_file_errors_name_the_line(tmp_path) -> None:
    path = tmp_path / "r.tsv"
    path.write_text("user\titem\trating\n1\t2\t3\n1\t2\n")
    with pytest.raises(FormatError, match=r"r.tsv:3: expected 3 fields"):
        Interactions.from_file(path)
    path.write_text("user\titem\trating\n1\t2\tfive\n")
    with pytest.raises(FormatError, match=r"r.tsv:2: 'rating' value 'five' is not a number"):
        Interactions.from_file(path)
    path.write_text("who\twhat\n1\t2\n")
    with pytest.raises(FormatError, match="no user column"):
        Interactions.from_file(path)
    path.write_text("user\titem\trating\n")
    with pytest.raises(DataError, match="empty"):
        Interactions.from_file(path)


class _FakeFrame:
    """The two things from_dataframe uses of a pandas DataFrame: .columns and frame[col].to_numpy()."""

    def __init__(self, **columns: list) -> None:
        self.columns = list(columns)
        self._data = columns

    def __getitem__(self, name: str):  # type: ignore[no-untyped-def]
        values = np.asarray(self._data[name])
        return type("Column", (), {"to_numpy": lambda self: values})()


def test_from_dataframe_finds_columns_by_name() -> None:
    frame = _FakeFrame(userId=["a", "b", "a"], movieId=[1, 2, 2], plays=[3, 1, 7])
    data = Interactions.from_dataframe(frame, kind="implicit")
    assert data.kind == "implicit" and data.values.tolist() == [3.0, 1.0, 7.0]
    assert data.user_ids == ["a", "b"] and data.item_ids == ["1", "2"]
    with pytest.raises(DataError, match="no column 'who'"):
        Interactions.from_dataframe(frame, user="who")


def test_implicit_counts_from_a_file(tmp_path) -> None:
    path = tmp_path / "plays.tsv"
    path.write_text("user\titem\tcount\nx\tsong1\t12\ny\tsong2\t1\n")
    data = Interactions.from_file(path, kind="implicit")
    assert data.kind == "implicit" and data.values.tolist() == [12.0, 1.0]


def test_from_dataframe_when_pandas_is_there() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"user": ["a", "b"], "item": [1, 2], "rating": [1.0, 2.0]})
    data = Interactions.from_dataframe(frame)
    assert data.user_ids == ["a", "b"] and data.values.tolist() == [1.0, 2.0]


# ---------------------------------------------------------------------- splits


def test_kfold_tests_every_interaction_once() -> None:
    data = Interactions.from_arrays(np.arange(23) % 5, np.arange(23) % 7, np.ones(23))
    tested = []
    for train, test in kfold(data, 5, seed=1):
        assert len(train) + len(test) == 23
        tested.extend(zip(test.users.tolist(), test.items.tolist(), strict=True))
    assert sorted(tested) == sorted(zip(data.users.tolist(), data.items.tolist(), strict=True))
    train, test = train_test_split(data, 0.2, seed=0)
    assert (len(train), len(test)) == (18, 5)


def test_leave_last_out_takes_each_users_latest() -> None:
    data = Interactions.from_arrays(
        ["a", "a", "a", "b", "c", "c"], [1, 2, 3, 1, 4, 5], [1, 1, 1, 1, 1, 1],
        timestamps=[30, 10, 20, 5, 7, 7],
    )
    train, test = leave_last_out(data)
    held = sorted(zip(test.users.tolist(), test.items.tolist(), strict=True))
    # a: latest is item 1 (t=30); b has one interaction and stays; c: tie broken by row order
    assert [(data.user_ids[u], data.item_ids[i]) for u, i in held] == [("a", "1"), ("c", "5")]
    assert len(train) == 4
    with pytest.raises(DataError, match="timestamps"):
        leave_last_out(Interactions.from_arrays([1], [1], [1]))


# ---------------------------------------------------------------------- metrics


def test_rating_metrics_by_hand() -> None:
    assert rmse([1, 2, 3], [1, 2, 5]) == pytest.approx(math.sqrt(4 / 3))
    assert mae([1, 2, 3], [2, 2, 5]) == pytest.approx(1.0)
    with pytest.raises(DataError):
        rmse([1, 2], [1])


def test_ranking_metrics_by_hand() -> None:
    ranked, relevant = [[1, 2, 3, 4]], [{2, 4, 5}]  # hits at ranks 2 and 4; 3 relevant
    assert precision_at_k(ranked, relevant, 4) == pytest.approx(2 / 4)
    assert recall_at_k(ranked, relevant, 4) == pytest.approx(2 / 3)
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_k(ranked, relevant, 4) == pytest.approx(dcg / ideal)
    assert map_at_k(ranked, relevant, 4) == pytest.approx((1 / 2 + 2 / 4) / 3)
    # a perfect list scores 1 everywhere; users without relevant items are skipped
    perfect = ranking_report([[7, 8], [1, 2]], [{7, 8}, set()], k=2)
    assert perfect == {"precision@2": 1.0, "recall@2": 1.0, "ndcg@2": 1.0, "map@2": 1.0}
    assert precision_at_k([[1, 2, 3]], [{9}], 3) == 0.0
