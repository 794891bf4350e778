"""How Vectors and neighbour lists show in a notebook, and that they stay what they were."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedlab import Vectors


def test_neighbours_stay_a_list_and_show_as_a_table() -> None:
    vectors = Vectors(["a", "b", "c"], np.array([[1, 0], [1, 0.1], [0, 1]], np.float32))
    found = vectors.most_similar("a", topn=2)
    assert found == [("b", pytest.approx(0.995037, abs=1e-5)), ("c", pytest.approx(0.0))]
    assert isinstance(found, list) and found[0][0] == "b"
    table = found._repr_html_()  # type: ignore[attr-defined]
    assert table.count("<tr>") == 3 and "<td>0.9950</td>" in table
    assert vectors.most_similar_batch(["a"], topn=1) == [[("b", pytest.approx(0.995037, abs=1e-5))]]


def test_vectors_html_summary(tmp_path: Path) -> None:
    matrix = np.lib.format.open_memmap(tmp_path / "m.npy", mode="w+", dtype=np.float32,
                                       shape=(12, 3))
    matrix[:] = 1
    mapped = Vectors([f"w{i}" for i in range(12)], matrix, metadata={"pos": ["n"] * 12})
    shown = mapped._repr_html_()
    assert "12 keys × 3 dimensions" in shown and "memory-mapped" in shown
    assert str(tmp_path / "m.npy") in shown and '<td style="text-align:left">pos</td>' in shown
    assert "w0, w1, w2, w3, w4, w5, w6, w7, w8, w9 …" in shown
    plain = Vectors(["x"], np.ones((1, 2), np.float32))._repr_html_()
    assert "in memory" in plain and "float32" in plain


def test_loaded_vectors_show_their_source_file(tmp_path: Path) -> None:
    import embedlab

    text = tmp_path / "tiny.txt"
    text.write_text("king 1 0\nqueen 0 1\n", encoding="utf-8")
    loaded = embedlab.load(text, progress=False)
    assert loaded.source == text
    assert f'<td style="text-align:left">{text}</td>' in loaded._repr_html_()
    assert Vectors(["x"], np.ones((1, 2), np.float32)).source is None
