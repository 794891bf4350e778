"""Parameters declared once: every public class, every parameter, one sentence.

Each class lists its parameters in ``_parameter_constraints`` (embedlab._params). The common
test below feeds every entry an invalid value and expects the same sentence everywhere:
``The 'window' parameter of Word2Vec must be an int >= 1. Got 0 instead.`` It also checks
that the table names every constructor argument, so a new argument cannot skip the check.
The rest of the file holds the bad arguments of issue 12, each with the error it now gets.
"""

from __future__ import annotations

import inspect
import math
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import embedlab
from embedlab import (
    Corpus,
    DataError,
    FormatError,
    InvalidParameterError,
    Vocab,
    WriteError,
    tokenize,
)
from embedlab._params import (
    Interval,
    Options,
    check_vector_inputs,
    describe,
    invalid_value,
)

SENTENCES = [["a", "b", "c", "a"], ["b", "c", "a", "b"]] * 5


def _two_tribes() -> Any:
    from embedlab.recsys import Interactions

    users = ["u1", "u1", "u2", "u2", "u3", "u3"]
    items = ["x", "y", "x", "y", "z", "w"]
    return Interactions.from_arrays(users, items, [5.0, 4.0, 5.0, 3.0, 1.0, 2.0])


def _fit_on_text(cls: type) -> Callable[[dict[str, Any]], None]:
    def run(kwargs: dict[str, Any]) -> None:
        cls(**kwargs).fit(SENTENCES)

    return run


def _fit_on_graph(cls: type) -> Callable[[dict[str, Any]], None]:
    def run(kwargs: dict[str, Any]) -> None:
        from embedlab.graph import Graph

        cls(**kwargs).fit(Graph.from_edges(["a", "b"], ["b", "c"]))

    return run


def _fit_on_ratings(cls: type) -> Callable[[dict[str, Any]], None]:
    def run(kwargs: dict[str, Any]) -> None:
        cls(**kwargs).fit(_two_tribes())

    return run


def _classifier(kwargs: dict[str, Any]) -> None:
    from embedlab.nn import TextClassifier

    TextClassifier(**kwargs).fit(["good film", "bad film"], ["pos", "neg"], epochs=1, progress=False)


def _dual_encoder(kwargs: dict[str, Any]) -> None:
    from embedlab.crossmodal import DualEncoder

    DualEncoder(**kwargs).fit(np.zeros((2, 28, 28), np.uint8), ["a one", "a two"])


def _embedding(kwargs: dict[str, Any]) -> None:
    from embedlab.nn import Embedding

    Embedding(**({"num_embeddings": 4, "embedding_dim": 2} | kwargs))


def _sharded_embedding(kwargs: dict[str, Any]) -> None:
    from embedlab.distributed import ShardedEmbedding

    ShardedEmbedding(**({"num_embeddings": 4, "embedding_dim": 2} | kwargs))


def _static_model(kwargs: dict[str, Any]) -> None:
    from embedlab.sentences import StaticModel
    from embedlab.sentences._tokens import tokenizer_from_str

    tokenizer = tokenizer_from_str('{"version": "1.0", "model": {"type": "WordLevel", '
                                   '"vocab": {"a": 0, "?": 1}, "unk_token": "?"}}', "toy")
    StaticModel(tokenizer, embedlab.Vectors(["a"], np.ones((1, 2))), **kwargs)


def _tagger(kwargs: dict[str, Any]) -> None:
    from embedlab.tag import SequenceTagger

    SequenceTagger(**kwargs).fit([["a", "dog"]], [["DET", "NOUN"]], epochs=1, progress=False)


def _classes() -> list[tuple[str, Callable[[], Any], Callable[[dict[str, Any]], None], set[str]]]:
    """(owner, class, how to reach its check with some arguments, arguments checked elsewhere)."""

    def train(name: str) -> Callable[[], Any]:
        return lambda: getattr(__import__("embedlab.train", fromlist=[name]), name)

    def graph(name: str) -> Callable[[], Any]:
        return lambda: getattr(__import__("embedlab.graph", fromlist=[name]), name)

    def recsys(name: str) -> Callable[[], Any]:
        return lambda: embedlab.recsys.models()[name]

    def nn(name: str) -> Callable[[], Any]:
        return lambda: getattr(__import__("embedlab.nn", fromlist=[name]), name)

    def sentences() -> Any:
        from embedlab.sentences import StaticModel

        return StaticModel

    def crossmodal() -> Any:
        from embedlab.crossmodal import DualEncoder

        return DualEncoder

    return [
        ("Word2Vec", train("Word2Vec"), lambda kw: _fit_on_text(train("Word2Vec")())(kw), set()),
        ("FastText", train("FastText"), lambda kw: _fit_on_text(train("FastText")())(kw), set()),
        ("GloVe", train("GloVe"), lambda kw: _fit_on_text(train("GloVe")())(kw), set()),
        ("Node2Vec", graph("Node2Vec"), lambda kw: _fit_on_graph(graph("Node2Vec")())(kw), set()),
        ("DeepWalk", graph("DeepWalk"), lambda kw: _fit_on_graph(graph("DeepWalk")())(kw), set()),
        *[(name, recsys(name), (lambda n: lambda kw: _fit_on_ratings(recsys(n)())(kw))(name), set())
          for name in ("MatrixFactorization", "BayesianMatrixFactorization", "ImplicitALS")],
        ("TextClassifier", nn("TextClassifier"), _classifier, set()),
        ("DualEncoder", crossmodal, _dual_encoder, set()),
        ("SequenceTagger", lambda: __import__("embedlab.tag", fromlist=["SequenceTagger"]).SequenceTagger,
         _tagger, set()),
        # A layer is built when constructed; padding_idx is checked against num_embeddings
        # (tests/nn/test_nn.py), and _weight/_freeze are torch's private arguments.
        ("Embedding", nn("Embedding"), _embedding, {"padding_idx", "_weight", "_freeze"}),
        ("ShardedEmbedding", lambda: __import__("embedlab.distributed", fromlist=["x"]).ShardedEmbedding,
         _sharded_embedding, set()),
        # Built when constructed, as a layer is; the table and tokenizer are checked there too.
        ("StaticModel", sentences, _static_model, {"tokenizer", "vectors", "weights"}),
    ]


CLASSES = _classes()
CASES = [
    pytest.param(owner, load, trigger, name, id=f"{owner}-{name}")
    for owner, load, trigger, _ in CLASSES
    for name in load()._parameter_constraints
]


def test_every_public_recommender_is_walked() -> None:
    walked = {owner for owner, *_ in CLASSES}
    assert set(embedlab.recsys.models()) <= walked


@pytest.mark.parametrize(("owner", "load", "skipped"), [(o, ld, s) for o, ld, _, s in CLASSES])
def test_the_table_names_every_constructor_argument(owner: str, load: Callable[[], Any],
                                                    skipped: set[str]) -> None:
    cls = load()
    arguments = set(inspect.signature(cls.__init__).parameters) - {"self"}
    assert set(cls._parameter_constraints) == arguments - skipped, owner


@pytest.mark.parametrize(("owner", "load", "trigger", "name"), CASES)
def test_every_parameter_gets_one_sentence(owner: str, load: Callable[[], Any],
                                           trigger: Callable[[dict[str, Any]], None], name: str) -> None:
    specs = load()._parameter_constraints[name]
    bad = invalid_value(specs)
    expected = f"The '{name}' parameter of {owner} must be {describe(specs)}. Got "
    with pytest.raises(InvalidParameterError) as caught:
        trigger({name: bad})
    message = str(caught.value)
    assert message.startswith(expected), message
    assert message.endswith(" instead.") and "\n" not in message


def test_constructors_only_store() -> None:
    # Nothing is checked before fit: the object holds the value as given.
    from embedlab.graph import Node2Vec
    from embedlab.nn import TextClassifier
    from embedlab.recsys import MatrixFactorization
    from embedlab.train import GloVe, Word2Vec

    assert Word2Vec(window=0).window == 0
    assert GloVe(x_max=-1).x_max == -1
    assert Node2Vec(p=0).p == 0
    assert MatrixFactorization(vector_size=0).vector_size == 0
    assert TextClassifier(vocab_size=2).vocab_size == 2
    # ... and a value changed after construction is caught at fit too.
    model = Word2Vec(min_count=1, progress=False)
    model.window = 0
    with pytest.raises(InvalidParameterError, match="The 'window' parameter of Word2Vec must be an int >= 1. Got 0 instead."):
        model.fit(SENTENCES)


def test_the_constraint_vocabulary_reads_as_english() -> None:
    assert describe([Interval(int, 1, None)]) == "an int >= 1"
    assert describe([None, Interval(int, 1, None)]) == "an int >= 1 or None"
    assert describe([Interval(float, 0, None, closed="right")]) == "a number > 0"
    assert describe([Interval(float, 0, 1, closed="left")]) == "a number in [0, 1)"
    assert describe([Interval(float, None, None)]) == "a finite number"
    assert describe([Options(("skipgram", "cbow"))]) == "'skipgram' or 'cbow'"
    assert not Interval(float, 0, None).is_satisfied_by(math.inf)
    assert not Interval(int, 0, None).is_satisfied_by(True)  # a bool is not a count
    assert Interval(int, 0, None).is_satisfied_by(np.int64(3))


# ---------------------------------------------------------------- issue 12: bad arguments
@pytest.mark.parametrize(("kwargs", "message"), [
    ({"seed": -1}, "The 'seed' parameter of Word2Vec must be an int >= 0. Got -1 instead."),
    ({"learning_rate": math.inf}, "The 'learning_rate' parameter of Word2Vec must be a number > 0. Got inf instead."),
    ({"ns_exponent": math.nan}, "The 'ns_exponent' parameter of Word2Vec must be a finite number. Got nan instead."),
    ({"min_learning_rate": 1.0}, "The 'min_learning_rate' parameter of Word2Vec must be a number between 0 and learning_rate. Got 1.0 instead."),
])
def test_word2vec_arguments_that_slipped_through(kwargs: dict[str, Any], message: str) -> None:
    from embedlab.train import Word2Vec

    with pytest.raises(InvalidParameterError) as caught:
        Word2Vec(min_count=1, progress=False, **kwargs).fit(SENTENCES)
    assert str(caught.value) == message


@pytest.mark.parametrize(("keys", "matrix", "message"), [
    (None, np.ones((1, 2)), "The 'keys' parameter of Vectors must be a sequence of keys (one per row). Got None instead."),
    ("ab", np.ones((2, 2)), "The 'keys' parameter of Vectors must be a sequence of keys (one per row). Got str instead."),
    (["a"], None, "The 'matrix' parameter of Vectors must be a 2-D array of real numbers. Got None instead."),
    (["a"], np.ones((1, 2), complex), "must hold real numbers. Got complex values (dtype complex128) instead."),
    (["a"], [["1", "2"]], "must hold real numbers. Got string values (dtype <U1) instead."),
    (["a"], np.array([[object(), 1.0]], dtype=object), "must hold real numbers. Got object values (dtype object) instead."),
    (["a", "b"], np.ones((2, 0)), "must have at least one column (vectors of dimension >= 1). Got shape (2, 0) instead."),
])
def test_what_cannot_be_vectors_is_refused(keys: Any, matrix: Any, message: str) -> None:
    with pytest.raises(InvalidParameterError) as caught:
        check_vector_inputs(keys, matrix)
    assert str(caught.value).endswith(message)


def test_vector_inputs_that_are_fine_pass() -> None:
    check_vector_inputs(["a"], [[1, 2]])
    check_vector_inputs(iter(["a"]), np.ones((1, 3), np.float16))
    check_vector_inputs([], np.zeros((0, 3)))


def test_text_entry_points_check_their_input() -> None:
    with pytest.raises(InvalidParameterError, match=re.escape("The 'token_lists' parameter of Vocab.build must be an iterable of token lists. Got None instead.")):
        Vocab.build(None)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=re.escape("The 'source' parameter of Corpus must be a path or an iterable of strings. Got 123 instead.")):
        Corpus(123)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=re.escape("The 'encoding' parameter of Corpus must be the name of a text encoding")):
        Corpus(["a b"], encoding="no-such-codec")
    with pytest.raises(InvalidParameterError, match=re.escape("The 'text' parameter of tokenize must be a string. Got None instead.")):
        tokenize(None)  # type: ignore[arg-type]


def test_node2vec_on_a_missing_file_names_it(tmp_path: Path) -> None:
    from embedlab.graph import Node2Vec

    missing = tmp_path / "friends.txt"
    with pytest.raises(FormatError, match=re.escape(f"{missing}: no such file")):
        Node2Vec(progress=False).fit(missing)
    with pytest.raises(FormatError, match="a folder, not an edge-list file"):
        Node2Vec(progress=False).fit(str(tmp_path))


def _fitted_mf() -> Any:
    from embedlab.recsys import MatrixFactorization

    return MatrixFactorization(vector_size=2, epochs=2, validation=0.0, progress=False).fit(_two_tribes())


def test_fold_in_ratings_outside_the_scale_are_refused() -> None:
    model = _fitted_mf()
    with pytest.raises(DataError, match=re.escape("the rating of 'x' is 50.0, outside the rating scale 1 .. 5")):
        model.fold_in({"x": 50.0})
    with pytest.raises(DataError, match="must be a finite number"):
        model.fold_in({"x": math.nan})
    with pytest.raises(InvalidParameterError, match="must be a mapping"):
        model.fold_in([("x", 5.0)])
    assert len(model.fold_in({"x": 5.0}, k=2)) == 2


def test_predict_refuses_lists_of_different_lengths() -> None:
    model = _fitted_mf()
    with pytest.raises(DataError, match="predict takes as many users as items; got 2 users and 3 items"):
        model.predict(["u1", "u2"], ["x", "y", "z"])
    # One user against several items (and the reverse) is still a row of scores.
    one_user = model.predict("u1", ["x", "y", "z"])
    assert one_user.shape == (3,)
    np.testing.assert_array_equal(one_user, model.predict(["u1"] * 3, ["x", "y", "z"]))
    assert model.predict(["u1", "u2"], "x").shape == (2,)


def test_recommenders_refuse_what_is_not_interactions() -> None:
    from embedlab.recsys import ImplicitALS

    with pytest.raises(InvalidParameterError, match="The 'interactions' parameter of ImplicitALS.fit must be an embedlab.recsys.Interactions"):
        ImplicitALS(progress=False).fit([("u", "i")])


def test_save_into_an_impossible_place_is_a_write_error(tmp_path: Path) -> None:
    vectors = embedlab.Vectors(["a"], np.ones((1, 2), np.float32))
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(WriteError, match="cannot write here") as caught:
        embedlab.save(vectors, blocker / "inside.txt", format="word2vec")
    assert isinstance(caught.value, OSError)  # code written against OSError keeps working
    with pytest.raises(InvalidParameterError, match="the 'precision' option applies to word2vec, fasttext-vec, glove files only"):
        embedlab.save(vectors, tmp_path / "v", format="native", precision=3)


# ---------------------------------------------------------------- issue 12: checkpoints
def _trained(tmp_path: Path) -> tuple[Any, Path]:
    from embedlab.train import Word2Vec

    path = tmp_path / "ckpt.npz"
    model = Word2Vec(min_count=1, epochs=2, workers=1, progress=False, checkpoint=path,
                     checkpoint_every=1)
    model.fit(SENTENCES)
    return model, path


def test_resume_from_a_missing_checkpoint_is_an_error(tmp_path: Path) -> None:
    from embedlab.train import Word2Vec

    missing = tmp_path / "nowhere.npz"
    with pytest.raises(FormatError, match=re.escape(f"{missing}: no such checkpoint file")):
        Word2Vec(min_count=1, progress=False).fit(SENTENCES, resume=missing)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_a_damaged_checkpoint_is_a_format_error(tmp_path: Path, damage: str) -> None:
    from embedlab.train import Word2Vec

    _, path = _trained(tmp_path)
    data = path.read_bytes()
    path.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"PK\x03\x04" + bytes(64),
                      "empty": b""}[damage])
    with pytest.raises(FormatError, match="checkpoint") as caught:
        Word2Vec(min_count=1, epochs=2, workers=1, progress=False).fit(SENTENCES, resume=path)
    assert not isinstance(caught.value, zipfile.BadZipFile | EOFError)
    assert str(path) in str(caught.value)


def test_checkpoint_into_an_impossible_place_is_a_write_error(tmp_path: Path) -> None:
    model, _ = _trained(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(WriteError):
        model.save_checkpoint(blocker / "ckpt.npz")
