"""The dual encoder on real images: small, seeded runs on scikit-learn's digits."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest
import torch

from embedlab import DataError, FormatError, Vectors
from embedlab.crossmodal import (
    HELD_OUT_TEMPLATES,
    DualEncoder,
    evaluate,
    load_images,
    make_captions,
)
from embedlab.crossmodal.data import read_idx
from embedlab.crossmodal.evaluate import recall_at_k
from embedlab.crossmodal.model import contrastive_loss


@pytest.fixture(scope="module")
def digits():
    return load_images("digits", "train"), load_images("digits", "test")


@pytest.fixture(scope="module")
def trained(digits):
    train, _ = digits
    captions = make_captions(train.labels, train.class_names, seed=0)
    model = DualEncoder(vector_size=32, embedding_dim=32, channels=(16, 32), epochs=12, batch_size=128,
                        progress=False)
    return model.fit(train.images, captions, labels=train.labels)


def test_captions_are_seeded_and_use_the_class() -> None:
    caps = make_captions([0, 2], ["cat", "dog", "bird"], templates=("a {}", "the {}"), seed=3)
    assert caps == make_captions([0, 2], ["cat", "dog", "bird"], templates=("a {}", "the {}"), seed=3)
    assert caps[0].endswith("cat") and caps[1].endswith("bird")
    with pytest.raises(DataError, match="labels must lie in 0 .. 2"):
        make_captions([3], ["cat", "dog", "bird"])
    with pytest.raises(DataError, match="exactly one"):
        make_captions([0], ["cat"], templates=("no slot",))


def test_contrastive_loss_by_hand() -> None:
    # Two orthogonal pairs, scale 1: each row's softmax puts e^1 / (e^1 + e^0) on the match.
    emb = torch.eye(2)
    loss = contrastive_loss(emb, emb, torch.tensor(1.0), None)
    assert float(loss) == pytest.approx(-np.log(np.e / (np.e + 1)), rel=1e-6)
    # Same group: the target is spread over both columns, so the loss is log 2 - mean logit share.
    grouped = contrastive_loss(emb, emb, torch.tensor(1.0), torch.tensor([5, 5]))
    assert float(grouped) == pytest.approx(-0.5 * (np.log(np.e / (np.e + 1)) + np.log(1 / (np.e + 1))))


def test_recall_at_k_oracle() -> None:
    scores = np.array([[0.9, 0.1, 0.5], [0.2, 0.8, 0.7]])
    relevant = np.array([[False, False, True], [True, False, False]])
    assert recall_at_k(scores, relevant, (1, 2, 3)) == {1: 0.0, 2: 0.5, 3: 1.0}


def test_learns_a_joint_space(digits, trained) -> None:
    train, test = digits
    report = evaluate(trained, test, train)
    # Ten classes: chance is 10%. Text prompts alone must recognise most digits, held-out
    # wordings included, and the probe on the same features is the ceiling.
    assert report.zero_shot > 0.7
    assert report.zero_shot_held_out > 0.6
    assert report.image_to_text[10] > 0.9
    assert report.linear_probe is not None and report.linear_probe > 0.85
    assert "zero-shot accuracy" in str(report)


def test_vectors_and_search(digits, trained) -> None:
    _, test = digits
    images = trained.image_vectors(test.images[:20], metadata={"label": test.labels[:20].tolist()})
    texts = trained.text_vectors(["a photo of a seven", "a photo of a seven", "a photo of a two"])
    assert isinstance(images, Vectors) and len(images) == 20 and len(texts) == 2
    np.testing.assert_allclose(np.linalg.norm(images.matrix, axis=1), 1.0, rtol=1e-5)
    hits = trained.search("a photo of a seven", test.images, k=5)
    assert [test.labels[i] for i, _ in hits].count(7) >= 3


def test_deterministic_and_save_load(tmp_path, digits, trained) -> None:
    train, test = digits
    small = train.take(200)
    caps = make_captions(small.labels, small.class_names)
    a = DualEncoder(vector_size=8, channels=(8,), epochs=1, progress=False).fit(small.images, caps)
    b = DualEncoder(vector_size=8, channels=(8,), epochs=1, progress=False).fit(small.images, caps)
    np.testing.assert_array_equal(a.encode_images(test.images[:5]), b.encode_images(test.images[:5]))
    trained.save(tmp_path / "m")
    again = DualEncoder.load(tmp_path / "m")
    np.testing.assert_allclose(
        again.encode_texts(["a photo of a one"]), trained.encode_texts(["a photo of a one"]), atol=1e-6
    )
    np.testing.assert_array_equal(
        again.zero_shot(test.images[:50], test.class_names, HELD_OUT_TEMPLATES),
        trained.zero_shot(test.images[:50], test.class_names, HELD_OUT_TEMPLATES),
    )


def test_bad_input(digits, trained) -> None:
    train, _ = digits
    model = DualEncoder(epochs=1, progress=False)
    with pytest.raises(DataError, match="10 images but 9 captions"):
        model.fit(train.images[:10], ["a one"] * 9)
    with pytest.raises(DataError, match="shape"):
        model.fit(np.zeros((10, 3, 8, 8, 2), np.float32), ["a one"] * 10)
    with pytest.raises(DataError, match="dtype"):
        model.fit(np.zeros((10, 8, 8), dtype=object), ["a one"] * 10)
    with pytest.raises(DataError, match="text 1 .* is empty"):
        trained.encode_texts(["a one", "  !! "])
    with pytest.raises(DataError, match="not trained"):
        DualEncoder().encode_texts(["a one"])
    with pytest.warns(UserWarning, match="longer than max_tokens=16 words and were truncated"):
        trained.encode_texts([" ".join(["one"] * 40)])
    from embedlab import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="The 'epochs' parameter of DualEncoder"):
        DualEncoder(epochs=0).fit(train.images[:4], ["a one"] * 4)


def test_idx_reader(tmp_path) -> None:
    path = tmp_path / "x-idx3-ubyte.gz"
    body = bytes(range(12))
    with gzip.open(path, "wb") as handle:
        handle.write(b"\x00\x00\x08\x03" + struct.pack(">3I", 3, 2, 2) + body)
    np.testing.assert_array_equal(read_idx(path), np.arange(12, dtype=np.uint8).reshape(3, 2, 2))
    with gzip.open(path, "wb") as handle:
        handle.write(b"\x00\x00\x08\x03" + struct.pack(">3I", 3, 2, 2) + body[:-1])
    with pytest.raises(FormatError, match="holds 11 bytes, expected 12"):
        read_idx(path)


def test_cli_train_and_search(tmp_path) -> None:
    from typer.testing import CliRunner

    from embedlab.cli import app

    runner = CliRunner()
    out = tmp_path / "clip"
    result = runner.invoke(app, ["crossmodal", "train", "-o", str(out), "--dataset", "digits",
                                 "--epochs", "2", "--limit", "400", "-q"])
    assert result.exit_code == 0, result.output
    assert "zero-shot accuracy" in result.output and (out / "model.safetensors").exists()
    found = runner.invoke(app, ["crossmodal", "search", str(out), "a photo of a zero", "-k", "3"])
    assert found.exit_code == 0, found.output
    assert len(found.output.strip().splitlines()) == 3


def test_joint_space_figure(tmp_path, digits, trained) -> None:
    from embedlab.crossmodal import plot_joint_space

    _, test = digits
    path = plot_joint_space(trained, test, tmp_path / "joint.png", n_images=40, method="pca")
    assert path.read_bytes()[:4] == b"\x89PNG" and path.stat().st_size > 5000
