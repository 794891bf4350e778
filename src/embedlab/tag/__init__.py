"""Sequence tagging: part-of-speech tags and name spans, word by word.

:class:`SequenceTagger` (word embedding + character CNN -> BiLSTM -> softmax), the Brown
corpus (:func:`read_brown`, the named dataset ``brown``) with its map to the 12 universal
tags, CoNLL files (:func:`read_conll`, :func:`write_conll`) and CoNLL's span F1
(:func:`span_scores`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .brown import BrownCorpus, name_bio, read_brown, universal_tag
from .conll import read_conll, write_conll
from .spans import SpanScores, span_scores, spans

if TYPE_CHECKING:
    from .tagger import SequenceTagger as SequenceTagger

__all__ = [
    "BrownCorpus",
    "SequenceTagger",
    "SpanScores",
    "name_bio",
    "read_brown",
    "read_conll",
    "span_scores",
    "spans",
    "universal_tag",
    "write_conll",
]


def __getattr__(name: str) -> object:
    # The tagger needs torch; the data helpers above do not.
    if name == "SequenceTagger":
        from .tagger import SequenceTagger

        return SequenceTagger
    raise AttributeError(f"module 'embedlab.tag' has no attribute {name!r}")
