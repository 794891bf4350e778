"""Entity spans in BIO tags and their precision, recall and F1, counted as CoNLL's
``conlleval`` script counts them.

A span (chunk) starts at a ``B-`` or ``S-`` tag, or at an ``I-``/``E-`` tag whose type differs
from the previous token's or that follows ``O``/``E-``/``S-``; it ends where the next one
starts or at an ``O``. A predicted span counts as correct only when its start, end and type
all equal a gold span's. This is conlleval's rule (and ``seqeval``'s default mode).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import DataError

Span = tuple[str, int, int]  # (type, first token, last token + 1)


def _split(tag: str) -> tuple[str, str]:
    prefix, dash, kind = tag.partition("-")
    return (prefix, kind) if dash else (tag, "")


def _ends(prev: str, tag: str, prev_kind: str, kind: str) -> bool:
    if prev in ("E", "S"):
        return True
    if prev in ("B", "I") and tag in ("B", "S", "O"):
        return True
    return prev != "O" and prev_kind != kind


def _starts(prev: str, tag: str, prev_kind: str, kind: str) -> bool:
    if tag in ("B", "S"):
        return True
    if tag in ("E", "I") and prev in ("E", "S", "O"):
        return True
    return tag != "O" and prev_kind != kind


def spans(tags: Sequence[str]) -> list[Span]:
    """The spans in one sentence's BIO (or IOBES) tags, as ``(type, start, end)``.

    Args:
        tags: One sentence's tags (``O``, ``B-PER``, ``I-PER`` ...).

    Returns:
        The spans in order, each ``(type, first token, last token + 1)``.
    """
    found: list[Span] = []
    prev, prev_kind, start = "O", "", -1
    for i, raw in enumerate([*tags, "O"]):
        tag, kind = _split(raw)
        if start >= 0 and _ends(prev, tag, prev_kind, kind):
            found.append((prev_kind, start, i))
            start = -1
        if _starts(prev, tag, prev_kind, kind):
            start = i
        prev, prev_kind = tag, kind
    return found


@dataclass(frozen=True)
class SpanScores:
    """Span-level figures over a corpus (``support``: gold spans, ``predicted``: predicted)."""

    precision: float
    recall: float
    f1: float
    support: int
    predicted: int
    correct: int


def span_scores(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> SpanScores:
    """Micro-averaged span precision, recall and F1 of ``predicted`` against ``gold`` tags.

    Args:
        gold: The gold tags, one list per sentence.
        predicted: The predicted tags, lined up with ``gold``.

    Returns:
        Precision, recall and F1 with the span counts they come from.

    Raises:
        DataError: the two hold different numbers of sentences or tags.
    """
    if len(gold) != len(predicted):
        raise DataError(f"{len(gold)} gold sentences but {len(predicted)} predicted ones")
    correct = n_gold = n_predicted = 0
    for s, (g, p) in enumerate(zip(gold, predicted, strict=True)):
        if len(g) != len(p):
            raise DataError(f"sentence {s}: {len(g)} gold tags but {len(p)} predicted")
        gold_spans, predicted_spans = set(spans(g)), set(spans(p))
        correct += len(gold_spans & predicted_spans)
        n_gold += len(gold_spans)
        n_predicted += len(predicted_spans)
    precision = correct / n_predicted if n_predicted else 0.0
    recall = correct / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return SpanScores(precision, recall, f1, n_gold, n_predicted, correct)
