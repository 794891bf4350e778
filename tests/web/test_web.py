"""The explorer's API: answers, limits, hostile input, static files, binding."""

from __future__ import annotations

import json
import struct
import sys
import warnings
from urllib.parse import quote

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from embedlab import Vectors

pytest.importorskip("fastapi")
with warnings.catch_warnings():  # starlette's notice about its httpx client, not ours
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from embedlab.web import create_app  # noqa: E402

# Hand-made vectors: cosines can be checked on paper. king.queen = 0.8, king.man = 0.6.
KEYS = ["king", "queen", "man", "woman", "apple", "a,b", "Paris"]
MATRIX = np.array([
    [1.0, 0.0, 0.0],
    [0.8, 0.6, 0.0],
    [0.6, 0.0, 0.8],
    [0.0, 0.6, 0.8],
    [0.0, -0.6, -0.8],
    [-1.0, 0.0, 0.0],
    [0.0, -1.0, 0.0],
])


@pytest.fixture(scope="module")
def client():
    vectors = Vectors(KEYS, MATRIX, metadata={"kind": ["royal", "royal", "person", "person", "fruit", "odd", "city"]})
    with TestClient(create_app(vectors, metadata={"length": [len(k) for k in KEYS]}, max_k=5,
                               max_batch_keys=3, max_body_bytes=200)) as test_client:
        yield test_client


def test_neighbors_answer_the_documented_shape(client) -> None:
    answer = client.get("/api/neighbors", params={"key": "king", "k": 2}).json()
    assert answer == {"key": "king", "neighbors": [
        {"key": "queen", "score": pytest.approx(0.8)}, {"key": "man", "score": pytest.approx(0.6)}],
        "exact": True}


def test_unknown_key_is_404_with_suggestions(client) -> None:
    response = client.get("/api/neighbors", params={"key": "kinq"})
    assert response.status_code == 404
    assert response.json()["suggestions"] == ["king"]
    assert "not in the vocabulary" in response.json()["detail"]
    assert client.get("/api/neighbors", params={"key": "paris"}).json()["suggestions"] == ["Paris"]


@pytest.mark.parametrize("k", ["0", "6", "-1", "1e3", "ten", str(10**100), ""])
def test_k_is_bounded(client, k: str) -> None:
    response = client.get("/api/neighbors", params={"key": "king", "k": k})
    assert response.status_code == 400 and "k" in response.json()["detail"]


def test_analogy_king_man_woman(client) -> None:
    # unit(king) - unit(man) + unit(woman) = (0.4, 0.6, 0): closest left over is queen.
    answer = client.get("/api/analogy", params={"a": "king", "b": "man", "c": "woman", "k": 1}).json()
    assert answer["results"][0]["key"] == "queen"
    assert answer["results"][0]["score"] == pytest.approx((0.32 + 0.36) / np.sqrt(0.52), abs=1e-5)


def test_batch_neighbors_and_its_limits(client) -> None:
    ok = client.post("/api/neighbors", json={"keys": ["king", "apple"], "k": 1}).json()
    assert [r["neighbors"][0]["key"] for r in ok["results"]] == ["queen", "Paris"]
    too_many = client.post("/api/neighbors", json={"keys": ["king"] * 4})
    assert too_many.status_code == 400 and "1 to 3 keys" in too_many.json()["detail"]
    too_big = client.post("/api/neighbors", content=b'{"keys": ["' + b"x" * 300 + b'"]}')
    assert too_big.status_code == 400 and "larger than 200 bytes" in too_big.json()["detail"]
    for body in [b"{bad", b"[]", b'{"keys": "king"}', b'{"keys": [1]}', b'{"keys": ["king"], "k": 99}',
                 b'{"keys": ["king"], "k": true}', b"\xff\xfe", b'{"keys": [""]}']:
        response = client.post("/api/neighbors", content=body)
        assert response.status_code == 400, body
    assert client.post("/api/neighbors", json={"keys": ["nope"]}).status_code == 404


def test_completion_is_case_insensitive_and_in_row_order(client) -> None:
    assert client.get("/api/complete", params={"prefix": "p"}).json()["keys"] == ["Paris"]
    assert client.get("/api/complete", params={"prefix": "k", "limit": 1}).json()["keys"] == ["king"]
    assert client.get("/api/complete", params={"prefix": "zz"}).json()["keys"] == []
    assert client.get("/api/complete", params={"prefix": "k", "limit": 51}).status_code == 400


def test_metadata_columns(client) -> None:
    info = client.get("/api/info").json()
    assert info["count"] == 7 and info["columns"] == ["kind", "length"]
    assert client.get("/api/metadata/length").json()["values"][:2] == [4, 5]
    missing = client.get("/api/metadata/colour")
    assert missing.status_code == 404 and missing.json()["columns"] == ["kind", "length"]


def test_layouts_pca_at_once_and_csv(client) -> None:
    status = client.get("/api/layouts/pca", params={"dim": 2}).json()
    assert status["status"] == "done"
    raw = client.get("/api/layouts/pca/coords", params={"dim": 2}).content
    coords = np.frombuffer(raw, dtype="<f4").reshape(-1, 2)
    assert coords.shape == (7, 2)
    csv = client.get("/api/layouts/pca/coords", params={"dim": 2, "format": "csv"}).text.splitlines()
    assert csv[0] == "key,x,y" and csv[6].startswith('"a,b",') and len(csv) == 8
    x, y = struct.unpack("<2f", raw[:8])
    assert csv[1] == f"king,{x:.6g},{y:.6g}"
    assert client.get("/api/layouts/tsne/coords").status_code == 409  # never started
    assert client.get("/api/layouts/lda").status_code == 400
    assert client.post("/api/layouts/pca", params={"dim": 4}).status_code == 400
    started = client.post("/api/layouts/pca", params={"dim": 3})
    assert started.status_code == 202 and started.json()["status"] == "done"


@pytest.mark.parametrize("path", [
    "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2f_app.py", "/static/%2e%2e/_app.py",
    "/etc/passwd", "/static//etc/passwd", "/static/../__init__.py", "/static/%00", "/_app.py",
])
def test_serves_no_file_outside_its_static_assets(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert b"create_app" not in response.content and b"root:" not in response.content


def test_page_and_assets_are_served(client) -> None:
    page = client.get("/").text
    assert "<canvas" in page and "/static/app.js" in page
    assert "http" not in page.replace('href="/docs"', "")  # nothing from another origin
    script = client.get("/static/app.js").text
    assert "webgl" in script and "http" not in script
    assert client.get("/openapi.json").json()["paths"]["/api/neighbors"]


@settings(max_examples=60, deadline=None)
@given(key=st.text(max_size=300), k=st.text(max_size=30))
def test_hostile_queries_never_5xx(client, key: str, k: str) -> None:
    for path, params in [("/api/neighbors", {"key": key, "k": k}),
                         ("/api/analogy", {"a": key, "b": "man", "c": key, "k": k}),
                         ("/api/complete", {"prefix": key, "limit": k}),
                         ("/api/layouts/" + quote(key, safe=""), {"dim": k}),
                         ("/api/metadata/" + quote(key, safe=""), {})]:
        response = client.get(path, params=params)
        assert response.status_code < 500, (path, params)
        json.loads(response.content)  # every answer is JSON


@settings(max_examples=40, deadline=None)
@given(body=st.binary(max_size=400))
def test_hostile_bodies_never_5xx(client, body: bytes) -> None:
    response = client.post("/api/neighbors", content=body)
    assert response.status_code < 500


def test_serve_binds_loopback_by_default(monkeypatch, tmp_path) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from embedlab.cli import app
    from embedlab.formats.projector import write_projector

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **kw: calls.append(kw))
    write_projector(Vectors(KEYS, MATRIX), tmp_path / "v", metadata_columns=[])
    (tmp_path / "meta.tsv").write_text("key\tkind\nking\troyal\nqueen\troyal\n")
    result = CliRunner().invoke(app, ["serve", str(tmp_path / "v"), "--metadata", str(tmp_path / "meta.tsv")])
    assert result.exit_code == 0, result.output
    assert calls[0]["host"] == "127.0.0.1" and calls[0]["port"] == 8000
    from embedlab.web import serve

    serve(Vectors(KEYS, MATRIX))
    assert calls[1]["host"] == "127.0.0.1"


def test_metadata_file_reader(tmp_path) -> None:
    from embedlab import FormatError
    from embedlab.web.metadata import read_metadata

    vectors = Vectors(KEYS, MATRIX)
    (tmp_path / "h.tsv").write_text("key\tkind\tsize\nqueen\troyal\t2\nnobody\tx\t1\n")
    columns = read_metadata(tmp_path / "h.tsv", vectors)
    assert columns["kind"][:2] == ["", "royal"] and columns["size"][1] == "2"
    (tmp_path / "plain.tsv").write_text("king\troyal\napple\tfruit\n")  # no header
    assert read_metadata(tmp_path / "plain.tsv", vectors)["label"][4] == "fruit"
    (tmp_path / "bad.tsv").write_text("key\tkind\nking\n")
    with pytest.raises(FormatError, match=r"bad\.tsv:2: expected 2 columns"):
        read_metadata(tmp_path / "bad.tsv", vectors)


def test_missing_extra(monkeypatch) -> None:
    import sys

    from embedlab import MissingExtraError

    monkeypatch.setitem(sys.modules, "fastapi", None)
    with pytest.raises(MissingExtraError, match=r"embedlab\[web\]"):
        create_app(Vectors(KEYS, MATRIX))


def test_batched_search_agrees_with_most_similar() -> None:
    from embedlab.web.search import BatchedSearch

    rng = np.random.default_rng(0)
    vectors = Vectors([f"w{i}" for i in range(500)], rng.standard_normal((500, 16)))
    search = BatchedSearch(vectors, max_batch=8)
    rows = list(range(0, 500, 25))
    futures = [search.submit(vectors.unit[r], 5, frozenset([r])) for r in rows]  # all at once
    for r, future in zip(rows, futures, strict=True):
        answer = future.result(timeout=30)
        assert answer.exact
        found = [(vectors.keys[i], s) for i, s in answer.found]
        expected = vectors.most_similar(f"w{r}", topn=5)
        assert [k for k, _ in found] == [k for k, _ in expected]
        np.testing.assert_allclose([s for _, s in found], [s for _, s in expected], rtol=1e-5)
    search.close()


def test_tsne_layout_runs_in_the_background_with_progress() -> None:
    import time

    rng = np.random.default_rng(0)
    vectors = Vectors([f"w{i}" for i in range(60)], rng.standard_normal((60, 8)))
    with TestClient(create_app(vectors)) as test_client:
        started = test_client.post("/api/layouts/tsne", params={"dim": 2})
        assert started.status_code == 202 and started.json()["status"] in ("queued", "running", "done")
        deadline = time.time() + 120
        status = started.json()
        while status["status"] != "done" and time.time() < deadline:
            time.sleep(0.2)
            status = test_client.get("/api/layouts/tsne", params={"dim": 2}).json()
            assert 0.0 <= status["progress"] <= 1.0 and status["error"] is None
        assert status["status"] == "done" and status["progress"] == 1.0
        coords = np.frombuffer(test_client.get("/api/layouts/tsne/coords").content, "<f4")
        assert coords.shape == (120,) and np.isfinite(coords).all()
        listed = test_client.get("/api/layouts").json()["layouts"]
        assert {(x["method"], x["dim"]) for x in listed} == {("pca", 2), ("tsne", 2)}


def test_faiss_index_is_built_in_the_background_and_answers_say_whether_exact() -> None:
    pytest.importorskip("faiss")
    import time

    rng = np.random.default_rng(0)
    vectors = Vectors([f"w{i}" for i in range(2000)], rng.standard_normal((2000, 16)))
    with TestClient(create_app(vectors, index="faiss")) as test_client:
        deadline = time.time() + 60
        while test_client.get("/api/info").json()["approximate_index"] != "ready":
            assert time.time() < deadline and test_client.get("/api/info").json()[
                "approximate_index"] in ("building", "ready")
            time.sleep(0.05)
        approximate = test_client.get("/api/neighbors", params={"key": "w7", "k": 10}).json()
        exact = test_client.get("/api/neighbors", params={"key": "w7", "k": 10, "exact": True}).json()
        assert approximate["exact"] is False and exact["exact"] is True
        expected = [k for k, _ in vectors.most_similar("w7", topn=10)]
        assert [n["key"] for n in exact["neighbors"]] == expected
        # HNSW on 2,000 points finds nearly all of them; the scores it gives are exact cosines.
        assert len({n["key"] for n in approximate["neighbors"]} & set(expected)) >= 8
        for n in approximate["neighbors"]:
            assert n["score"] == pytest.approx(float(vectors.similarity("w7", n["key"])), abs=1e-5)
        batch = test_client.post("/api/neighbors", json={"keys": ["w1", "w2"], "exact": True}).json()
        assert [r["exact"] for r in batch["results"]] == [True, True]
        assert test_client.post("/api/neighbors", json={"keys": ["w1"], "exact": "yes"}).status_code == 400


def test_exact_index_answers_exact_and_reports_no_approximate_index(client) -> None:
    assert client.get("/api/info").json()["approximate_index"] == "none"
    assert client.get("/api/neighbors", params={"key": "king"}).json()["exact"] is True


def test_faiss_index_without_faiss_names_the_extra(monkeypatch) -> None:
    from embedlab import EmbedlabError, MissingExtraError

    monkeypatch.setitem(sys.modules, "faiss", None)
    with pytest.raises(MissingExtraError, match=r"embedlab\[ann\]"):
        create_app(Vectors(KEYS, MATRIX), index="faiss")
    with pytest.raises(EmbedlabError, match="index"):
        create_app(Vectors(KEYS, MATRIX), index="hnsw")


# ---------------------------------------------------------------- hostile bodies (issue 12)
@pytest.fixture(scope="module")
def roomy_client():
    """Default body limits (64 KiB): room for bodies that are hostile by shape, not size."""
    with TestClient(create_app(Vectors(KEYS, MATRIX))) as test_client:
        yield test_client


def test_deeply_nested_body_is_a_clean_400(roomy_client) -> None:
    # json.loads recursed until RecursionError: a 500.
    for body in [b"[" * 20_000, b'{"keys": ' + b"[" * 5000 + b"]" * 5000 + b"}"]:
        response = roomy_client.post("/api/neighbors", content=body)
        assert response.status_code == 400
        assert response.json()["detail"].startswith("the body is not valid JSON (recursion limit")


def test_lone_surrogate_key_is_a_clean_400(roomy_client) -> None:
    # json.loads accepted "\ud800"; answering "not in the vocabulary" then failed to encode it.
    response = roomy_client.post("/api/neighbors", content=b'{"keys": ["\\ud800"]}')
    assert response.status_code == 400
    assert "lone surrogate" in response.json()["detail"]
    paired = roomy_client.post("/api/neighbors", content=b'{"keys": ["\\ud83d\\ude00"]}')
    assert paired.status_code == 404 and paired.json()["key"] == "\U0001f600"


JSON_PIECES = [b"[", b"]", b"{", b"}", b'"keys"', b'"k"', b":", b",", b'"\\ud800"', b'"\\udfff"',
               b'"\\ud83d\\ude00"', b'"king"', b"1", b"-0.5e400", b"true", b"null", b'"\\u0000"']


@settings(max_examples=60, deadline=None, derandomize=True)
@given(pieces=st.lists(st.sampled_from(JSON_PIECES), max_size=400), depth=st.integers(0, 30_000))
def test_fuzzed_json_bodies_never_5xx(roomy_client, pieces: list[bytes], depth: int) -> None:
    # the fuzzer that found the RecursionError and the lone-surrogate 500s, kept (seeded)
    body = b"[" * depth + b"".join(pieces)
    response = roomy_client.post("/api/neighbors", content=body)
    assert response.status_code < 500, body[:80]
    json.loads(response.content)


@pytest.mark.parametrize(("body", "detail"), [
    (b"[]", 'expected a JSON object {"keys": [...], "k": 10}'),
    (b'{"keys": "king"}', 'expected a JSON object {"keys": [...], "k": 10}'),
    (b'{"k": 2}', 'expected a JSON object {"keys": [...], "k": 10}'),
    (b'{"keys": [1]}', "keys must be non-empty strings of at most 200 characters"),
    (b'{"keys": [""]}', "keys must be non-empty strings of at most 200 characters"),
    (b'{"keys": []}', "give 1 to 3 keys; got 0"),
    (b'{"keys": ["king"], "k": 99}', "k must be an int from 1 to 5; got 99"),
    (b'{"keys": ["king"], "k": true}', "k must be an int from 1 to 5; got True"),
    (b'{"keys": ["king"], "k": 2.0}', "k must be an int from 1 to 5; got 2.0"),
    (b'{"keys": ["king"], "k": null}', "k must be an int from 1 to 5; got None"),
    (b'{"keys": ["king"], "k": 0}', "k must be an int from 1 to 5; got 0"),
    (b'{"keys": ["king"], "exact": "yes"}', "exact must be true or false; got 'yes'"),
])
def test_batch_body_problems_are_one_sentence(client, body: bytes, detail: str) -> None:
    response = client.post("/api/neighbors", content=body)
    assert response.status_code == 400 and response.json() == {"detail": detail}


def test_batch_body_is_documented_as_a_model(client) -> None:
    post = client.get("/openapi.json").json()["paths"]["/api/neighbors"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["keys"] and set(schema["properties"]) == {"keys", "k", "exact"}


def test_metadata_path_that_is_a_folder_is_a_clear_error(tmp_path) -> None:
    from embedlab import FormatError
    from embedlab.web.metadata import read_metadata

    with pytest.raises(FormatError, match=r"is a folder; expected a TSV file"):
        read_metadata(tmp_path, Vectors(KEYS, MATRIX))


# ---------------------------------------------------------------- capped layouts (issue 12)
def _wait(test_client, method: str, until: tuple[str, ...], timeout: float = 120) -> dict:
    import time

    deadline = time.time() + timeout
    status = test_client.get(f"/api/layouts/{method}").json()
    while status["status"] not in until:
        assert time.time() < deadline, status
        time.sleep(0.1)
        status = test_client.get(f"/api/layouts/{method}").json()
    return status


def test_layouts_are_sampled_above_the_point_limit_unless_asked() -> None:
    rng = np.random.default_rng(0)
    vectors = Vectors([f"w{i}" for i in range(300)], rng.standard_normal((300, 8)))
    with TestClient(create_app(vectors, max_tsne_points=40)) as test_client:
        assert test_client.get("/api/info").json()["layout_points"] == {"tsne": 40, "umap": 5000}
        started = test_client.post("/api/layouts/tsne").json()
        assert (started["points"], started["total"], started["sampled"]) == (40, 300, True)
        _wait(test_client, "tsne", ("done",))
        coords = np.frombuffer(test_client.get("/api/layouts/tsne/coords").content, "<f4").reshape(300, 2)
        placed = np.isfinite(coords).all(axis=1)
        assert placed.sum() == 40 and np.isnan(coords[~placed]).all()
        csv = test_client.get("/api/layouts/tsne/coords", params={"format": "csv"}).text.splitlines()
        assert len(csv) == 41 and {line.split(",")[0] for line in csv[1:]} == {
            f"w{i}" for i in np.flatnonzero(placed)}
        # the same seed samples the same rows; sample=false (after forgetting) takes every row
        assert test_client.delete("/api/layouts/tsne").json()["status"] == "done"
        assert test_client.get("/api/layouts/tsne").json()["status"] == "idle"
        everything = test_client.post("/api/layouts/tsne", params={"sample": False}).json()
        assert (everything["points"], everything["sampled"]) == (300, False)
        _wait(test_client, "tsne", ("done",))
        full = np.frombuffer(test_client.get("/api/layouts/tsne/coords").content, "<f4")
        assert np.isfinite(full).all() and full.shape == (600,)


def test_one_layout_job_at_a_time_and_cancel_stops_it() -> None:
    rng = np.random.default_rng(0)
    vectors = Vectors([f"w{i}" for i in range(3000)], rng.standard_normal((3000, 16)))
    with TestClient(create_app(vectors)) as test_client:
        assert test_client.post("/api/layouts/tsne").status_code == 202
        busy = test_client.post("/api/layouts/umap")
        assert busy.status_code == 409
        assert "one at a time" in busy.json()["detail"] and "DELETE /api/layouts/tsne?dim=2" in busy.json()["detail"]
        assert busy.json()["running"]["method"] == "tsne"
        cancelled = test_client.delete("/api/layouts/tsne").json()
        assert cancelled["status"] in ("cancelling", "cancelled")
        final = _wait(test_client, "tsne", ("cancelled", "done", "failed"))
        assert final["status"] == "cancelled" and final["progress"] < 1.0
        assert test_client.get("/api/layouts/tsne/coords").status_code == 409
        # the worker is free again: the next job starts (and PCA never waits for it)
        assert test_client.post("/api/layouts/umap", params={"dim": 2}).status_code == 202
        assert test_client.post("/api/layouts/pca", params={"dim": 3}).json()["status"] == "done"
        test_client.delete("/api/layouts/umap")
        _wait(test_client, "umap", ("cancelled", "done", "failed"))


def test_cancelled_job_really_stops_computing() -> None:
    import time

    from embedlab.web.layouts import LayoutJobs

    rng = np.random.default_rng(1)
    vectors = Vectors([f"w{i}" for i in range(3000)], rng.standard_normal((3000, 16)))
    jobs = LayoutJobs(vectors)
    layout = jobs.start("tsne", 2)
    deadline = time.time() + 60
    while layout.status != "running" and time.time() < deadline:
        time.sleep(0.01)
    jobs.cancel("tsne", 2)
    while layout.status != "cancelled" and time.time() < deadline:
        time.sleep(0.05)
    assert layout.status == "cancelled" and layout.coords is None
    progress = layout.progress
    time.sleep(1.0)
    assert layout.progress == progress  # nothing advances any more
    jobs.close()


# ---------------------------------------------------------------- the HNSW graph kept (issue 12)
def _ready(test_client) -> None:
    import time

    deadline = time.time() + 60
    while test_client.get("/api/info").json()["approximate_index"] != "ready":
        assert time.time() < deadline
        time.sleep(0.05)


def test_hnsw_graph_is_kept_and_reused_while_the_vectors_are_unchanged(tmp_path, monkeypatch) -> None:
    faiss = pytest.importorskip("faiss")
    rng = np.random.default_rng(0)
    vectors = Vectors([f"w{i}" for i in range(1500)], rng.standard_normal((1500, 16)))
    with TestClient(create_app(vectors, index="faiss", index_cache=tmp_path)) as test_client:
        _ready(test_client)
        first = test_client.get("/api/neighbors", params={"key": "w3"}).json()
    saved = list(tmp_path.glob("hnsw-*.faiss"))
    assert len(saved) == 1
    stamp = saved[0].stat().st_mtime_ns

    def no_build(*args, **kwargs):
        raise AssertionError("the graph was built again")

    monkeypatch.setattr(faiss, "IndexHNSWFlat", no_build)  # a restart must only read it
    with TestClient(create_app(Vectors(list(vectors.keys), np.array(vectors.matrix)), index="faiss",
                               index_cache=tmp_path)) as test_client:
        _ready(test_client)
        assert test_client.get("/api/neighbors", params={"key": "w3"}).json() == first
    assert saved[0].stat().st_mtime_ns == stamp
    monkeypatch.undo()

    changed = np.array(vectors.matrix)
    changed[7, 0] += 1.0  # one value differs: another graph
    with TestClient(create_app(Vectors(list(vectors.keys), changed), index="faiss",
                               index_cache=tmp_path)) as test_client:
        _ready(test_client)
    assert len(list(tmp_path.glob("hnsw-*.faiss"))) == 2


def test_hnsw_cache_damaged_or_not_a_folder(tmp_path) -> None:
    pytest.importorskip("faiss")
    from embedlab.web.ann_cache import cache_file, load_or_build

    rng = np.random.default_rng(0)
    vectors = Vectors([f"w{i}" for i in range(300)], rng.standard_normal((300, 8)))
    path = cache_file(tmp_path, vectors)
    path.write_bytes(b"not a faiss index")
    found = load_or_build(vectors, tmp_path).search(np.asarray(vectors.unit[:1]), 3)[0]
    assert found[0][0] == 0 and path.stat().st_size > 1000  # rebuilt and written over
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.warns(UserWarning, match=r"must be a folder, but this is a file.*built but not kept"):
        searcher = load_or_build(vectors, blocker)
    assert searcher.search(np.asarray(vectors.unit[:1]), 3)[0][0][0] == 0
