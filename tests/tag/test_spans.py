"""Span extraction and span F1, counted as CoNLL's conlleval (checked against seqeval)."""

from __future__ import annotations

import random

import pytest

from embedlab.errors import DataError
from embedlab.tag import span_scores, spans


def test_spans_follow_conlleval_rules() -> None:
    tags = ["B-PER", "I-PER", "O", "I-LOC", "I-LOC", "B-LOC", "I-ORG", "O"]
    assert spans(tags) == [("PER", 0, 2), ("LOC", 3, 5), ("LOC", 5, 6), ("ORG", 6, 7)]
    assert spans(["O", "O"]) == []
    assert spans(["I-X"]) == [("X", 0, 1)]


def test_f1_by_hand() -> None:
    gold = [["B-PER", "I-PER", "O", "B-LOC"]]
    predicted = [["B-PER", "O", "O", "B-LOC"]]
    scores = span_scores(gold, predicted)
    assert (scores.correct, scores.support, scores.predicted) == (1, 2, 2)
    assert scores.f1 == pytest.approx(0.5)


def test_matches_seqeval_on_random_tags() -> None:
    seqeval = pytest.importorskip("seqeval.metrics")
    rng = random.Random(7)
    choices = ["O", "O", "B-A", "I-A", "B-B", "I-B", "E-A", "S-B"]
    gold = [[rng.choice(choices) for _ in range(rng.randint(1, 12))] for _ in range(300)]
    predicted = [[t if rng.random() < 0.7 else rng.choice(choices) for t in s] for s in gold]
    ours = span_scores(gold, predicted)
    assert ours.precision == pytest.approx(seqeval.precision_score(gold, predicted))
    assert ours.recall == pytest.approx(seqeval.recall_score(gold, predicted))
    assert ours.f1 == pytest.approx(seqeval.f1_score(gold, predicted))


def test_lengths_must_agree() -> None:
    with pytest.raises(DataError, match="sentence 0: 2 gold tags but 1 predicted"):
        span_scores([["O", "O"]], [["O"]])
