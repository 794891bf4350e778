"""The contract every trainer keeps: Word2Vec, FastText, GloVe, Node2Vec and DeepWalk run the
same suite on a tiny input.

Each returns :class:`Vectors`; one worker and a seed give identical vectors run to run; a bad
parameter is one sentence; the vectors survive a save and a load.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import embedlab
from embedlab import InvalidParameterError, Vectors

SENTENCES = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat", "on", "the", "log"]] * 10
WORDS = {w for s in SENTENCES for w in s}


def _graph() -> Any:
    from embedlab.graph import Graph

    # Two triangles joined by one edge.
    return Graph.from_edges(["a", "b", "c", "d", "e", "f", "c"], ["b", "c", "a", "e", "f", "d", "d"])


def _text(name: str, **quick: Any) -> tuple[Callable[..., Any], Callable[[], Any], set[str]]:
    def make(**options: Any) -> Any:
        cls = getattr(embedlab.train, name)
        return cls(**({"vector_size": 8, "min_count": 1, "epochs": 2, "workers": 1, "seed": 3,
                       "progress": False} | quick | options))

    return make, lambda: SENTENCES, WORDS


def _walks(name: str) -> tuple[Callable[..., Any], Callable[[], Any], set[str]]:
    def make(**options: Any) -> Any:
        from embedlab import graph

        cls = getattr(graph, name)
        return cls(**({"vector_size": 8, "walk_length": 5, "walks_per_node": 2, "window": 2,
                       "workers": 1, "seed": 3, "progress": False} | options))

    return make, _graph, set("abcdef")


TRAINERS = {
    "Word2Vec": _text("Word2Vec"),
    "FastText": _text("FastText", bucket=1000, minn=2, maxn=3),
    "GloVe": _text("GloVe", window=3),
    "Node2Vec": _walks("Node2Vec"),
    "DeepWalk": _walks("DeepWalk"),
}


@pytest.fixture(params=sorted(TRAINERS))
def trainer(request: pytest.FixtureRequest) -> tuple[str, Callable[..., Any], Callable[[], Any], set[str]]:
    make, data, keys = TRAINERS[request.param]
    return request.param, make, data, keys


def test_fit_returns_vectors_of_every_key(trainer: Any) -> None:
    _, make, data, keys = trainer
    vectors = make().fit(data())
    assert isinstance(vectors, Vectors)
    assert set(vectors.keys) == keys and vectors.dim == 8
    assert vectors.matrix.dtype == np.float32 and np.isfinite(vectors.matrix).all()


def test_one_worker_and_a_seed_repeat_exactly(trainer: Any) -> None:
    _, make, data, _ = trainer
    first = make().fit(data())
    second = make().fit(data())
    assert first.keys == second.keys
    np.testing.assert_array_equal(first.matrix, second.matrix)
    other = make(seed=4).fit(data())
    assert not np.array_equal(first.matrix, other.matrix)


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("vector_size", 0, "an int >= 1. Got 0 instead."),
    ("seed", -1, "an int >= 0. Got -1 instead."),
    ("workers", 1.5, "an int >= 1. Got 1.5 instead."),
    ("progress", "no", "True or False. Got 'no' instead."),
])
def test_a_bad_parameter_is_one_sentence(trainer: Any, name: str, value: object, expected: str) -> None:
    owner, make, data, _ = trainer
    with pytest.raises(InvalidParameterError) as caught:
        make(**{name: value}).fit(data())
    assert str(caught.value) == f"The {name!r} parameter of {owner} must be {expected}"


@pytest.mark.parametrize("format", ["native", "word2vec"])
def test_vectors_survive_save_and_load(trainer: Any, tmp_path: Path, format: str) -> None:
    _, make, data, _ = trainer
    vectors = make().fit(data())
    embedlab.save(vectors, tmp_path / "v", format=format)
    again = embedlab.load(tmp_path / "v", format=format, progress=False)
    assert again.keys == vectors.keys
    np.testing.assert_array_equal(again.matrix, vectors.matrix)
