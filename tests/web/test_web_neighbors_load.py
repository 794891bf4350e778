"""GET /api/neighbors under concurrent requests: batched answers stay exact, and the fast path
(routes/neighbors.py's middleware) answers exactly what the FastAPI route answers, errors
included."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import numpy as np
import pytest

from embedlab import Vectors
from embedlab.neighbors import NeighborIndex, top_k
from embedlab.neighbors.index import _inverse_norms, prepare_queries

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")

from embedlab.web import create_app  # noqa: E402
from embedlab.web.routes.neighbors import NeighborsFastPath  # noqa: E402


def without_fast_path(app: Any) -> Any:
    """The same application with every GET going through the FastAPI route."""
    app.user_middleware = [m for m in app.user_middleware if m.cls is not NeighborsFastPath]
    app.middleware_stack = None
    return app


async def ask_all(app: Any, queries: list[str]) -> list[httpx.Response]:
    """Every query at once against the ASGI app (no sockets): the search batches them."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return list(await asyncio.gather(*(client.get(f"/api/neighbors?{q}") for q in queries)))


@pytest.fixture(scope="module")
def vectors() -> Vectors:
    rng = np.random.default_rng(0)
    matrix = rng.standard_normal((2000, 24)).astype(np.float32)
    matrix[11] = matrix[10] * 3  # same direction as row 10: a tie in every answer
    return Vectors([f"w{i}" for i in range(2000)], matrix)


def test_concurrent_answers_are_top_k_of_the_cosines(vectors: Vectors) -> None:
    """120 concurrent requests, answered in batches: each is top_k's answer on the cosines (the
    key itself left out; ties to the lower row), and the dot and euclidean answers mixed in
    are the exact index's."""
    app = create_app(vectors, max_search_batch=16)
    assert app.state.explorer.search.panels_ready.wait(60)
    index = app.state.explorer.search._panels
    batches: list[int] = []
    search = index.search

    def counting(queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        batches.append(len(queries))
        return search(queries, k)

    index.search = counting
    rows = list(range(0, 2000, 20)) + [10, 11]
    queries = [f"key=w{r}&k=7" for r in rows]
    queries += [f"key=w{r}&k=5&metric={m}" for r in (3, 10, 99) for m in ("dot", "euclidean")]
    queries += ["key=w10&k=3&exact=true"] * 4
    answers = asyncio.run(ask_all(app, queries))
    app.state.explorer.search.close()
    assert max(batches) > 1  # the requests really shared passes

    unit = np.asarray(vectors.matrix, np.float32) * _inverse_norms(vectors.matrix)[:, None]
    q, _ = prepare_queries(vectors.unit[rows], vectors.dim, "cosine")
    scores = np.zeros((len(rows), len(unit)), np.float32)
    for d in range(vectors.dim):  # the kernel's definition of a score, written out
        scores = scores + q[:, d : d + 1] * unit[None, :, d]
    want_rows, want_scores = top_k(scores, 8)
    for i, row in enumerate(rows):
        body = answers[i].json()
        kept = [(r, s) for r, s in zip(want_rows[i].tolist(), want_scores[i].tolist(), strict=True)
                if r != row][:7]
        assert body == {"key": f"w{row}", "exact": True, "neighbors": [
            {"key": f"w{r}", "score": round(s, 6)} for r, s in kept]}
    assert [n["key"] for n in answers[rows.index(11)].json()["neighbors"]][:1] == ["w10"]
    for answer, query in zip(answers[len(rows):], queries[len(rows):], strict=True):
        body = answer.json()
        if "metric" not in query:  # exact=true on the exact index: the same answer, cut to k
            assert body["neighbors"] == answers[rows.index(10)].json()["neighbors"][:3]
            continue
        metric = query.rpartition("=")[2]
        want = NeighborIndex(vectors, metric=metric).neighbors(body["key"], k=5)  # type: ignore[arg-type]
        assert body["metric"] == metric
        assert [n["key"] for n in body["neighbors"]] == [k for k, _ in want]
        # (a float32 product of another batch shape: the last bit may differ)
        assert [n["score"] for n in body["neighbors"]] == pytest.approx([s for _, s in want], rel=1e-6)


# Plain requests and every kind of unusual one: the fast path must answer each exactly as the
# route does (the unusual ones it hands over to the route).
QUERIES = [
    "key=w5", "key=w5&k=1", "key=w5&k=5", "key=w5&k=05", "key=w5&exact=true", "key=w5&exact=0",
    "key=w5&exact=Yes", "key=w5&metric=dot&k=2", "key=w5&metric=euclidean", "key=w5&other=1",
    "key=w%35", "",  "key=", "k=3", "key=w5&k=0", "key=w5&k=6", "key=w5&k=-1", "key=w5&k=1.5",
    "key=w5&k=abc", "key=w5&k=%EF%BC%93", "key=w5&k=99999999999", "key=w5&exact=maybe",
    "key=w5&metric=cos", "key=w5&metric=", "key=w5&key=w6", "key=w5&k=2&k=3", "key=nope",
    "key=W5", "key=" + "x" * 201, "key=%ff%fe", "key=w5&exact=", "key=w5&k=",
]


def test_fast_path_answers_what_the_route_answers(vectors: Vectors, monkeypatch) -> None:
    from embedlab.web.routes import neighbors

    answered: list[str] = []  # the queries the fast path answered itself
    plain = neighbors._answer_plain_get

    async def counting(scope: dict[str, Any]) -> bytes | None:
        body = await plain(scope)
        if body is not None:
            answered.append(scope["query_string"].decode())
        return body

    monkeypatch.setattr(neighbors, "_answer_plain_get", counting)
    fast = create_app(vectors, max_k=5)
    slow = without_fast_path(create_app(vectors, max_k=5))
    for app in (fast, slow):  # both answer from the panels (scores to the same last bit)
        assert app.state.explorer.search.panels_ready.wait(60)
    got = asyncio.run(ask_all(fast, QUERIES))
    want = asyncio.run(ask_all(slow, QUERIES))
    for query, g, w in zip(QUERIES, got, want, strict=True):
        assert (query, g.status_code) == (query, w.status_code)
        assert g.headers["content-type"] == w.headers["content-type"]
        assert json.loads(g.content) == json.loads(w.content), query
    assert sorted(answered) == sorted(QUERIES[:11])  # the plain ones, and only they
    assert {r.status_code for r in got[11:]} >= {400, 404}  # (validation errors answer 400)
    for app in (fast, slow):
        app.state.explorer.search.close()


def test_fast_path_hands_failures_to_the_route(vectors: Vectors, monkeypatch) -> None:
    """A search that fails is answered by the route's error handling, not by the middleware."""
    app = create_app(vectors)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the search broke")

    monkeypatch.setattr(app.state.explorer, "neighbours", broken)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)

    async def ask() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/api/neighbors?key=w1")

    assert asyncio.run(ask()).status_code == 500
    app.state.explorer.search.close()
