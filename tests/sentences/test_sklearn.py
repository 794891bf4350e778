"""A StaticModel as a scikit-learn transformer, and as the embedding layer of TextClassifier."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from embedlab import DataError, InvalidParameterError, Vectors
from embedlab.sentences import StaticModel

pytest.importorskip("tokenizers")
sklearn = pytest.importorskip("sklearn")


@pytest.fixture
def tiny(wordpiece: Any) -> StaticModel:
    """'good' and 'great' point one way, 'bad' and 'awful' the other: a linear model separates
    the reviews below from the mean of their rows alone."""
    table = Vectors(["good", "great", "bad", "awful", "film"],
                    np.array([[1, 0.2], [0.9, 0.1], [-1, 0.1], [-0.8, 0.3], [0, 1]],
                             dtype=np.float32))
    return StaticModel(wordpiece, table, [1, 1, 1, 1, 0.5], normalize=False)


REVIEWS = ["good film", "great film", "good great", "bad film", "awful film", "bad awful"] * 4
LABELS = ["fresh", "fresh", "fresh", "rotten", "rotten", "rotten"] * 4


def test_transform_is_encode_and_fit_learns_nothing(tiny: StaticModel) -> None:
    before = np.array(tiny.vectors.matrix)
    assert tiny.fit(REVIEWS, LABELS) is tiny
    np.testing.assert_array_equal(tiny.transform(REVIEWS), tiny.encode(REVIEWS, progress=False))
    np.testing.assert_array_equal(tiny.vectors.matrix, before)
    # ("good film") = ((1, 0.2) + 0.5 * (0, 1)) / 2 tokens
    np.testing.assert_allclose(tiny.fit_transform(["good film"]), [[0.5, 0.35]])
    column = np.array([["good film"], ["bad"]], dtype=object)  # one column, as ColumnTransformer
    np.testing.assert_allclose(tiny.transform(column), tiny.encode(["good film", "bad"]))
    assert list(tiny.get_feature_names_out()) == ["static0", "static1"]


def test_in_a_pipeline_with_cross_validation(tiny: StaticModel) -> None:
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline

    pipeline = make_pipeline(tiny, LogisticRegression())
    assert cross_val_score(pipeline, REVIEWS, LABELS, cv=3).mean() == 1.0
    copy = clone(tiny)
    assert copy is not tiny and copy.get_params()["pooling"] == "mean"
    np.testing.assert_array_equal(copy.transform(REVIEWS), tiny.transform(REVIEWS))


def test_set_params_checks_as_the_constructor_does(tiny: StaticModel) -> None:
    assert tiny.set_params(normalize=True) is tiny
    np.testing.assert_allclose(np.linalg.norm(tiny.transform(["good film"])), 1.0, rtol=1e-6)
    with pytest.raises(InvalidParameterError, match="pooling"):
        tiny.set_params(pooling="max")
    with pytest.raises(InvalidParameterError, match="colour"):
        tiny.set_params(colour="red")


def test_scikit_learn_estimator_checks(tiny: StaticModel) -> None:
    from sklearn.utils import estimator_checks as checks

    # check_estimator itself skips a transformer of strings (its checks fit on numbers), so
    # the API checks that need no numeric fit are run one by one. Left out: every check that
    # fits on a numeric array (fit refuses numbers), n_features_in (a list of texts has no
    # feature columns) and "no errors in __init__/set_params" (embedlab checks parameters when
    # an object is built, as its torch layers do).
    for check in ("check_no_attributes_set_in_init", "check_get_params_invariance",
                  "check_set_params", "check_estimator_cloneable", "check_estimator_repr",
                  "check_valid_tag_types", "check_estimator_sparse_tag", "check_mixin_order"):
        getattr(checks, check)("StaticModel", tiny)
    with pytest.raises(DataError, match="item 0 of list is not a string"):
        tiny.fit([[1.0, 2.0]])


def test_text_classifier_with_a_static_embedding_layer(tiny: StaticModel) -> None:
    from embedlab.nn import TextClassifier

    frozen = TextClassifier.from_static(tiny, freeze=True, hidden=8, learning_rate=0.05)
    frozen.fit(REVIEWS, LABELS, epochs=30, batch_size=4, progress=False)
    assert frozen.predict(["great film", "awful"]) == ["fresh", "rotten"]
    layer = frozen.net.embedding.weight.detach().numpy()
    vocab = frozen.vocab
    assert vocab is not None and vocab.tokens[:2] == ["<pad>", "<unk>"]
    # the table is the embedding layer, weights multiplied in, and stayed as it was
    np.testing.assert_allclose(layer[vocab.encode(["film"])[0]], [0, 0.5])
    np.testing.assert_allclose(layer[vocab.encode(["good"])[0]], [1, 0.2])

    tuned = TextClassifier.from_static(tiny, freeze=False, hidden=8, learning_rate=0.05)
    tuned.fit(REVIEWS, LABELS, epochs=5, batch_size=4, progress=False)
    moved = tuned.net.embedding.weight.detach().numpy()[vocab.encode(["good"])[0]]
    assert not np.allclose(moved, [1, 0.2])
    with pytest.raises(InvalidParameterError, match="StaticModel"):
        TextClassifier.from_static(Vectors(["a"], np.ones((1, 2))))
