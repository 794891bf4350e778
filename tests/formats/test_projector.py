"""TensorBoard projector files: exact bytes, header rules, round trips, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from embedlab import FormatError, Vectors
from embedlab.formats.projector import read_projector, write_projector
from embedlab.viz import export_projector


@pytest.fixture()
def tiny() -> Vectors:
    return Vectors(["a", "b"], np.array([[0.5, -1.0], [2.0, 0.25]]), metadata={"pos": ["N", "V"]})


def test_exact_bytes_one_column(tmp_path, tiny: Vectors) -> None:
    paths = write_projector(tiny, tmp_path, metadata_columns=[])
    assert paths["tensor"].read_bytes() == b"0.5\t-1\n2\t0.25\n"
    assert paths["metadata"].read_bytes() == b"a\nb\n"  # one column: no header row
    assert paths["config"].read_bytes() == (
        b'embeddings {\n  tensor_name: "embedlab"\n  tensor_path: "tensors.tsv"\n'
        b'  metadata_path: "metadata.tsv"\n}\n'
    )
    config = json.loads(paths["json"].read_text())
    assert config["embeddings"][0]["tensorShape"] == [2, 2]
    assert config["embeddings"][0]["tensorPath"] == "tensors.tsv"


def test_exact_bytes_several_columns(tmp_path, tiny: Vectors) -> None:
    paths = write_projector(tiny, tmp_path)
    assert paths["metadata"].read_bytes() == b"key\tpos\na\tN\nb\tV\n"  # header row


def test_round_trip_keeps_keys_vectors_and_columns(tmp_path) -> None:
    rng = np.random.default_rng(0)
    matrix = rng.standard_normal((50, 7)).astype(np.float32)
    keys = [f"w{i}" for i in range(50)]
    vectors = Vectors(keys, matrix, metadata={"group": [str(i % 3) for i in range(50)]})
    paths = write_projector(vectors, tmp_path)
    back = read_projector(paths["tensor"], paths["metadata"])
    assert back.keys == keys
    np.testing.assert_array_equal(back.matrix, matrix)  # 9 significant digits: float32 exact
    assert back.metadata["group"] == vectors.metadata["group"]
    # The metadata file beside the tensor is found without being named.
    assert read_projector(paths["tensor"]).keys == keys


def test_cells_with_tabs_and_newlines_do_not_shift_columns(tmp_path) -> None:
    vectors = Vectors(["x"], np.ones((1, 2)), metadata={"note": ["a\tb\nc"]})
    paths = write_projector(vectors, tmp_path)
    assert paths["metadata"].read_text().splitlines() == ["key\tnote", "x\ta b c"]


def test_repeated_labels_become_metadata(tmp_path) -> None:
    (tmp_path / "t.tsv").write_text("1\t2\n3\t4\n5\t6\n")
    (tmp_path / "m.tsv").write_text("cat\ndog\ncat\n")  # class labels, not names
    back = read_projector(tmp_path / "t.tsv", tmp_path / "m.tsv")
    assert back.keys == ["0", "1", "2"] and back.metadata["label"] == ["cat", "dog", "cat"]


def test_without_metadata_keys_are_row_numbers(tmp_path) -> None:
    (tmp_path / "t.tsv").write_text("1\t2\n3\t4\n")
    back = read_projector(tmp_path / "t.tsv")
    assert back.keys == ["0", "1"] and back.matrix.tolist() == [[1, 2], [3, 4]]


@pytest.mark.parametrize(
    ("tensor", "meta", "message"),
    [
        ("1\t2\nx\t4\n", None, r"t\.tsv:2: expected tab-separated numbers"),
        ("1\t2\n3\n", None, r"t\.tsv:2: expected 2 values"),
        ("", None, "holds no vectors"),
        ("1\t2\n3\t4\n", "a\nb\nc\nd\n", "metadata has 4 rows but the tensor has 2"),
    ],
)
def test_bad_files_name_file_and_line(tmp_path, tensor, meta, message) -> None:
    (tmp_path / "t.tsv").write_text(tensor)
    meta_path = None
    if meta is not None:
        meta_path = tmp_path / "m.tsv"
        meta_path.write_text(meta)
    with pytest.raises(FormatError, match=message):
        read_projector(tmp_path / "t.tsv", meta_path)


def test_export_projector_adds_columns(tmp_path, tiny: Vectors) -> None:
    paths = export_projector(tiny, tmp_path, metadata={"len": [1, 1]})
    assert paths["metadata"].read_text() == "key\tlen\na\t1\nb\t1\n"
    paths = export_projector(tiny, tmp_path / "all")
    assert paths["metadata"].read_text() == "key\tpos\na\tN\nb\tV\n"
    with pytest.raises(FormatError, match="no metadata column 'colour'"):
        export_projector(tiny, tmp_path / "bad", metadata=["colour"])


def test_underscores_and_other_scripts_digits_are_not_numbers(tmp_path) -> None:
    # float() reads "1_0" as 10.0 and "١" (Arabic-Indic one) as 1.0; the projector reads neither.
    for bad in ("1_0\t2\n", "1\t\u0661\n"):
        (tmp_path / "t.tsv").write_text(bad, encoding="utf-8")
        with pytest.raises(FormatError, match=r"t\.tsv:1: expected tab-separated numbers"):
            read_projector(tmp_path / "t.tsv")


def test_nan_names_file_and_line_and_allow_nonfinite_works_through_load(tmp_path) -> None:
    import embedlab

    (tmp_path / "tensors.tsv").write_text("1\t2\n\n3\tnan\n")
    (tmp_path / "metadata.tsv").write_text("a\nb\n")
    with pytest.raises(FormatError, match=r"tensors\.tsv:3: holds NaN.*allow_nonfinite=True"):
        embedlab.load(tmp_path)
    back = embedlab.load(tmp_path, allow_nonfinite=True)  # the advice works as given
    assert back.keys == ["a", "b"] and np.isnan(back["b"][1])


class _Exploding(list):
    """A metadata column that stops the save (Ctrl-C) half-way through the metadata file."""

    def __getitem__(self, index):
        if index == 1:
            raise KeyboardInterrupt
        return super().__getitem__(index)


def test_interrupted_save_keeps_the_previous_folder_whole(tmp_path, tiny: Vectors) -> None:
    out = tmp_path / "proj"
    write_projector(tiny, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    newer = Vectors(["x", "y"], np.array([[9.0, 9.0], [8.0, 8.0]]), metadata={"pos": ["A", "B"]})
    newer.metadata["pos"] = _Exploding(["A", "B"])
    with pytest.raises(KeyboardInterrupt):
        write_projector(newer, out)
    # Before, the new tensors.tsv stood beside the old metadata.tsv and loaded as a silent mix.
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["proj"]
    assert read_projector(out / "tensors.tsv").keys == ["a", "b"]


def test_a_folder_holding_other_files_is_not_replaced(tmp_path, tiny: Vectors) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "events.out").write_text("precious")
    with pytest.raises(FormatError, match=r"logs: holds files other than the projector's \(events\.out\)"):
        write_projector(tiny, tmp_path / "logs")
    assert (tmp_path / "logs" / "events.out").read_text() == "precious"
    write_projector(tiny, tmp_path / "new")
    write_projector(tiny.top(1), tmp_path / "new")  # its own files are replaced
    assert read_projector(tmp_path / "new" / "tensors.tsv").keys == ["a"]


def test_fasttext_nan_advice_works_through_load_too(tmp_path) -> None:
    # The same advice from the fastText reader: embedlab.load now passes allow_nonfinite on.
    import embedlab

    matrix = np.ones((2, 3), dtype=np.float32)
    matrix[1, 1] = np.nan
    embedlab.save(Vectors(["a", "b"], matrix, allow_nonfinite=True), tmp_path / "m.bin", format="fasttext-bin")
    with pytest.raises(FormatError, match="pass allow_nonfinite=True"):
        embedlab.load(tmp_path / "m.bin")
    assert np.isnan(embedlab.load(tmp_path / "m.bin", allow_nonfinite=True)["b"][1])
