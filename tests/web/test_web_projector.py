"""The projector's controls on the server: search by text, pattern or metadata; neighbours by
metric; PCA components and their variance; the Custom projection; layout parameters, phases,
stratified samples and time estimates; the metadata header."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest

from embedlab import Vectors

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from embedlab.web import create_app  # noqa: E402
from embedlab.web.layouts import Layout, LayoutJobs, stratified_sample  # noqa: E402

# The hand-made table of test_web.py: king.queen = 0.8, king.man = 0.6 (all unit rows).
KEYS = ["king", "queen", "man", "woman", "apple", "a,b", "Paris"]
MATRIX = np.array([
    [1.0, 0.0, 0.0], [0.8, 0.6, 0.0], [0.6, 0.0, 0.8], [0.0, 0.6, 0.8],
    [0.0, -0.6, -0.8], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0],
])
KIND = ["royal", "royal", "person", "person", "fruit", "odd", "city"]


@pytest.fixture(scope="module")
def client():
    vectors = Vectors(KEYS, MATRIX, metadata={"kind": KIND})
    with TestClient(create_app(vectors, max_k=5)) as test_client:
        yield test_client


def rows(client, **params) -> list[int]:
    response = client.get("/api/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()["rows"]


def test_search_is_case_insensitive_by_default_and_takes_patterns_and_columns(client) -> None:
    assert rows(client, q="PARIS") == [6]
    assert rows(client, q="paris", case=True) == []
    assert rows(client, q="^(king|queen)$", regex=True) == [0, 1]
    assert rows(client, q="^(king|queen)$") == []  # without regex=true the text is literal
    assert rows(client, q="a,b") == [5]
    assert rows(client, q="ROYAL") == [0, 1]  # metadata columns are searched too
    assert rows(client, q="royal", column="key") == []
    assert rows(client, q="o", column="kind") == [0, 1, 2, 3, 5]
    assert client.get("/api/search", params={"q": "x", "column": "colour"}).status_code == 404
    bad = client.get("/api/search", params={"q": "(king", "regex": True})
    assert bad.status_code == 400 and "not a regular expression" in bad.json()["detail"]


def test_neighbours_by_metric(client) -> None:
    def scores(metric: str) -> list[tuple[str, float]]:
        answer = client.get("/api/neighbors", params={"key": "king", "k": 2, "metric": metric}).json()
        assert answer["metric"] == metric
        return [(n["key"], n["score"]) for n in answer["neighbors"]]

    assert scores("dot") == [("queen", pytest.approx(0.8)), ("man", pytest.approx(0.6))]
    # |king - queen| = sqrt(0.04 + 0.36); |king - man| = sqrt(0.16 + 0.64)
    assert scores("euclidean") == [("queen", pytest.approx(-0.4**0.5, abs=1e-5)),
                                   ("man", pytest.approx(-0.8**0.5, abs=1e-5))]
    assert client.get("/api/neighbors", params={"key": "king", "metric": "l1"}).status_code == 400


def test_custom_projection_onto_two_word_directions(client) -> None:
    raw = client.get("/api/custom", params={"x_from": "man", "x_to": "woman",
                                            "y_from": "king", "y_to": "queen"}).content
    coords = np.frombuffer(raw, "<f4").reshape(len(KEYS), 2)
    # man -> woman = (-0.6, 0.6, 0) / 0.849: king's cosine with it is -1/sqrt(2)
    # king -> queen = (-0.2, 0.6, 0) / 0.632: king's cosine with it is -0.2/0.632
    assert coords[0].tolist() == pytest.approx([-(0.5**0.5), -0.2 / 0.4**0.5], abs=1e-5)
    arithmetic = client.get("/api/custom", params={"x_from": "king - queen + man", "x_to": "woman",
                                                   "y_from": "king", "y_to": "queen"})
    assert arithmetic.status_code == 200 and len(arithmetic.content) == 4 * 2 * len(KEYS)
    unknown = client.get("/api/custom", params={"x_from": "kinq", "x_to": "woman", "y_from": "a,b", "y_to": "man"})
    assert unknown.status_code == 404 and unknown.json()["suggestions"] == ["king"]
    same = client.get("/api/custom", params={"x_from": "man", "x_to": "man", "y_from": "king", "y_to": "queen"})
    assert same.status_code == 400 and "no direction" in same.json()["detail"]


def test_pca_components_and_the_variance_each_explains(client) -> None:
    explained = client.get("/api/pca").json()["explained"]
    assert len(explained) == 3 and sum(explained) == pytest.approx(1.0, abs=1e-5)
    assert explained == sorted(explained, reverse=True)
    coords = np.frombuffer(client.get("/api/pca/coords", params={"components": "1,3"}).content, "<f4")
    coords = coords.reshape(len(KEYS), 2)
    total = MATRIX.var(axis=0).sum()
    assert coords.var(axis=0) / total == pytest.approx([explained[0], explained[2]], abs=1e-5)
    assert client.get("/api/pca/coords", params={"components": "1,4"}).status_code == 400
    assert client.get("/api/pca/coords", params={"components": "x"}).status_code == 400


def test_layout_reports_phase_iteration_and_eta() -> None:
    layout = Layout("tsne", 2, total=100, iterations=750)
    layout.advance(0.02)
    assert layout.phase == "affinities"
    layout.advance(0.1 + 0.9 * 100 / 750)
    assert (layout.phase, layout.iteration, layout.eta) == ("early exaggeration", 100, None)
    time.sleep(0.05)
    layout.advance(0.1 + 0.9 * 300 / 750)
    assert (layout.phase, layout.iteration) == ("optimisation", 300)
    assert layout.eta is not None and layout.eta > 0  # 450 iterations left at the pace seen
    umap = Layout("umap", 2, total=100, iterations=500)
    umap.advance(0.3 + 0.7 * 0.5)
    assert (umap.phase, umap.iteration) == ("epochs", 250)


def test_stratified_sample_keeps_each_values_share() -> None:
    values = ["a"] * 60 + ["b"] * 30 + ["c"] * 9 + [None]
    chosen = stratified_sample(values, 10, np.random.default_rng(0))
    picked = [values[i] for i in chosen]
    assert len(chosen) == 10 and list(chosen) == sorted(chosen)
    assert (picked.count("a"), picked.count("b"), picked.count("c")) == (6, 3, 1)


def test_layout_parameters_plan_and_stratified_sample() -> None:
    rng = np.random.default_rng(0)
    vectors = Vectors([f"w{i}" for i in range(200)], rng.standard_normal((200, 8)))
    band = ["low"] * 150 + ["high"] * 50
    with TestClient(create_app(vectors, metadata={"band": band}, max_tsne_points=40)) as test_client:
        plan = test_client.get("/api/layouts/tsne/plan").json()
        assert (plan["limit"], plan["total"], plan["over_limit"]) == (40, 200, True)
        assert plan["seconds_all"] > plan["seconds_sample"] > 0
        started = test_client.post("/api/layouts/tsne", params={
            "stratify": "band", "perplexity": 5, "iterations": 50, "learning_rate": 100}).json()
        assert started["params"] == {"perplexity": 5.0, "learning_rate": 100.0, "iterations": 50}
        assert (started["sample"], started["iterations"]) == ("stratified:band", 300)
        deadline = time.time() + 120
        while (status := test_client.get("/api/layouts/tsne").json())["status"] != "done":
            assert time.time() < deadline and status["status"] in ("queued", "running"), status
            time.sleep(0.1)
        assert status["phase"] == "done" and status["eta_seconds"] == 0.0
        coords = np.frombuffer(test_client.get("/api/layouts/tsne/coords").content, "<f4").reshape(200, 2)
        placed = np.flatnonzero(np.isfinite(coords[:, 0]))
        assert len(placed) == 40 and (placed >= 150).sum() == 10  # high keeps its quarter
        missing = test_client.post("/api/layouts/tsne", params={"stratify": "colour"})
        assert missing.status_code == 404
        assert test_client.post("/api/layouts/tsne", params={"perplexity": 0.5}).status_code == 400


def test_estimate_scales_with_points_and_iterations() -> None:
    jobs = LayoutJobs(Vectors(["a", "b"], np.eye(2)))
    small = jobs.estimate_seconds("tsne", 1000)
    assert jobs.estimate_seconds("tsne", 4000) == pytest.approx(4 * small)
    assert jobs.estimate_seconds("tsne", 1000, {"iterations": 1250}) == pytest.approx(2 * small)
    assert jobs.estimate_seconds("pca", 10**6) == 0.0
    jobs.close()


def test_metadata_header_detected_or_chosen(tmp_path) -> None:
    from embedlab.web.metadata import read_metadata

    vectors = Vectors(["word", "king", "queen"], np.eye(3))
    path = tmp_path / "m.tsv"
    path.write_text("word\tkind\nking\troyal\nqueen\troyal\n")
    assert read_metadata(path, vectors) == {"kind": ["", "royal", "royal"]}  # "word" is a key, yet a header
    assert read_metadata(path, vectors, header=False) == {"label": ["kind", "royal", "royal"]}
    plain = tmp_path / "plain.tsv"
    plain.write_text("king\troyal\n")
    assert read_metadata(plain, vectors, header=True) == {"royal": ["", "", ""]}


def test_sprites_are_packed_into_one_atlas() -> None:
    from embedlab import DataError
    from embedlab.web.sprites import SpriteAtlas

    images = np.arange(5 * 2 * 3, dtype=np.uint8).reshape(5, 2, 3)  # five 2 x 3 thumbnails
    atlas = SpriteAtlas.pack(images, 5)
    assert atlas.describe() == {"count": 5, "width": 3, "height": 2, "per_row": 3,
                                "atlas_width": 9, "atlas_height": 4, "channels": 1}
    # image 4 sits at column 1 of row 1
    assert atlas.pixels[2:4, 3:6, 0].tolist() == images[4].tolist()
    assert SpriteAtlas.pack(np.ones((1, 2, 2)), 1).pixels.max() == 255  # floats in [0, 1]
    with pytest.raises(DataError, match="3 images for 5 vectors"):
        SpriteAtlas.pack(images[:3], 5)
    with pytest.raises(DataError, match="n x height x width"):
        SpriteAtlas.pack(np.zeros((5, 2, 3, 2)), 5)
    with pytest.raises(DataError, match="at most 64 x 64"):
        SpriteAtlas.pack(np.zeros((1, 65, 65)), 1)
    vectors = Vectors([f"w{i}" for i in range(5)], np.eye(5))
    with TestClient(create_app(vectors, sprites=images)) as test_client:
        assert test_client.get("/api/info").json()["sprites"]["per_row"] == 3
        assert test_client.get("/api/sprites").content == atlas.pixels.tobytes()
    with TestClient(create_app(vectors)) as test_client:
        assert test_client.get("/api/info").json()["sprites"] is None
        assert test_client.get("/api/sprites").status_code == 404


def test_vectors_and_metadata_loaded_from_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    from embedlab.web.routes import upload

    vectors = Vectors(KEYS, MATRIX)
    with TestClient(create_app(vectors)) as test_client:
        tsv = "word\tkind\nking\troyal\nqueen\troyal\nnobody\tx\n"
        added = test_client.post("/api/upload/metadata", params={"name": "m.tsv"}, content=tsv).json()
        assert added["columns"] == ["kind"]
        assert test_client.get("/api/metadata/kind").json()["values"][:3] == ["royal", "royal", ""]
        text = "3 2\ncat 1 0\ndog 0.9 0.1\ncar 0 1\n"  # word2vec text
        loaded = test_client.post("/api/upload/vectors", params={"name": "pets.txt"}, content=text)
        assert loaded.json() == {"name": "pets.txt", "count": 3, "dim": 2}
        assert test_client.get("/api/keys").json() == ["cat", "dog", "car"]
        assert test_client.get("/api/neighbors", params={"key": "cat", "k": 1}).json()["neighbors"][0]["key"] == "dog"
        assert test_client.get("/api/info").json()["columns"] == []
        bad = test_client.post("/api/upload/vectors", params={"name": "bad.txt"}, content="2 3\ncat 1 x\n")
        assert bad.status_code == 400 and bad.json()["detail"].startswith("bad.txt: ")
        assert test_client.post("/api/upload/vectors", params={"name": "e.txt"}, content=b"").status_code == 400
        monkeypatch.setattr(upload, "MAX_VECTORS_BYTES", 10)
        big = test_client.post("/api/upload/vectors", params={"name": "pets.txt"}, content=text)
        assert big.status_code == 400 and "larger than 10 bytes" in big.json()["detail"]
        assert test_client.get("/api/info").json()["count"] == 3  # the last good vectors stay


def test_cli_metadata_header_choice(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from embedlab.cli import app
    from embedlab.formats.projector import write_projector

    apps: list = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **kw: apps.append(application))
    write_projector(Vectors(["word", "king"], np.eye(2)), tmp_path / "v", metadata_columns=[])
    (tmp_path / "meta.tsv").write_text("word\tkind\nking\troyal\n")
    for flag, expected in ((None, {"kind": ["", "royal"]}),
                           ("--no-metadata-header", {"label": ["kind", "royal"]}),
                           ("--metadata-header", {"kind": ["", "royal"]})):
        args = ["serve", str(tmp_path / "v"), "--metadata", str(tmp_path / "meta.tsv")]
        result = CliRunner().invoke(app, args + ([flag] if flag else []))
        assert result.exit_code == 0, result.output
        assert apps[-1].state.explorer.columns == expected
