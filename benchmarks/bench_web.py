"""Explorer load test on loopback: concurrent clients asking for neighbours on 400,000 vectors.

The server runs in its own process (uvicorn, 127.0.0.1 only); ``--clients`` clients each send
``--requests`` GET /api/neighbors queries one after another (random words from the 50,000
most frequent, seeded), bounded by ``--max-seconds``. Reported: p50/p99 latency, errors and
throughput for the exact index (batched, and with ``--unbatched`` one query per pass) and the
faiss HNSW index (``index="faiss"``; the run starts once the graph is built), beside gensim's
in-process ``most_similar`` on the same vectors (one query at a time, no HTTP).

    python benchmarks/bench_web.py [--clients 50] [--requests 40] [--synthetic]

``--baseline DIR`` (a checkout of older code, e.g. ``git worktree add /tmp/old main`` with its C
kernels built) runs the exact index of both, alternated for ``--rounds`` rounds, and reports
the medians and the ratios; ``--exact-only`` leaves out faiss and gensim. Besides latency, each
run records the server's CPU time per request (user + system, from /proc), which the other
programs on a shared machine disturb less than the latency, and the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import socket
import statistics
import subprocess
import sys
import time

import numpy as np
from _common import save_results

SERVER = r"""
import sys, numpy as np, uvicorn
from embedlab import Vectors, datasets
port, batch, synthetic, index = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
if synthetic:
    rng = np.random.default_rng(0)
    vectors = Vectors([f"w{i}" for i in range(400_000)], rng.standard_normal((400_000, 50), np.float32))
else:
    vectors = datasets.load("glove-6b-50d")
from embedlab.web import serve
serve(vectors, host="127.0.0.1", port=port, max_search_batch=batch, index=index)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load_keys(synthetic: bool, n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    if synthetic:
        return [f"w{i}" for i in rng.integers(0, 50_000, n)]
    from embedlab import datasets

    keys = datasets.load("glove-6b-50d").keys[:50_000]
    return [keys[i] for i in rng.integers(0, len(keys), n)]


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> tuple[int, bytes]:
    """One HTTP/1.1 GET on a kept-alive connection: (status, body)."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return int(head.split(b" ", 2)[1]), await reader.readexactly(length)


async def hammer(port: int, keys: list[str], clients: int, per_client: int, max_seconds: float,
                 pid: int | None = None) -> dict:
    """``clients`` connections, each sending its queries one after another.

    The client is a few lines of asyncio rather than httpx: on 2 cores shared with the server,
    httpx's own cost per request (about a millisecond) would be measured as server latency.
    """
    from urllib.parse import quote

    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + max_seconds

    async def one_client(c: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            for r in range(per_client):
                if time.perf_counter() > deadline:
                    return
                key = keys[(c * per_client + r) % len(keys)]
                start = time.perf_counter()
                try:
                    status, body = await _get(reader, writer, f"/api/neighbors?key={quote(key)}&k=10")
                    ok = status == 200 and len(json.loads(body)["neighbors"]) == 10
                    kind = "ok" if ok else f"http {status}"
                except Exception as exc:  # counted, not raised: the report says how many
                    kind = type(exc).__name__
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                latencies.append(time.perf_counter() - start)
                if kind != "ok":
                    errors[kind] = errors.get(kind, 0) + 1
        finally:
            writer.close()

    warm_reader, warm_writer = await asyncio.open_connection("127.0.0.1", port)
    for key in keys[:5]:  # warm up: first BLAS call, page faults
        await _get(warm_reader, warm_writer, f"/api/neighbors?key={quote(key)}&k=10")
    warm_writer.close()
    # This process holds 400,000 keys too: no full garbage collection may stall the clients.
    gc.collect()
    gc.freeze()
    # Every client connects first: the load is the queries, not 50 handshakes at once.
    connections = [await asyncio.open_connection("127.0.0.1", port) for _ in range(clients)]
    cpu_before = server_cpu_seconds(pid)
    started = time.perf_counter()
    await asyncio.gather(*(one_client(c, *connection) for c, connection in enumerate(connections)))
    elapsed = time.perf_counter() - started
    cpu = server_cpu_seconds(pid) - cpu_before
    ms = sorted(x * 1000 for x in latencies)
    return {
        "requests": len(ms), "errors": sum(errors.values()), "error_kinds": errors,
        "p50_ms": round(statistics.median(ms), 2), "p99_ms": round(ms[int(0.99 * (len(ms) - 1))], 2),
        "p90_ms": round(ms[int(0.9 * (len(ms) - 1))], 2), "max_ms": round(ms[-1], 2),
        "requests_per_s": round(len(ms) / elapsed, 1),
        "server_cpu_ms_per_request": round(1000 * cpu / max(len(ms), 1), 3),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }


def server_cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of process ``pid`` so far (0 without a pid or /proc)."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_server(batch: int, index: str, synthetic: bool, args: argparse.Namespace, keys: list[str],
               source: str = "src") -> dict:
    """Start the server on the code under ``source`` (a src folder), hammer it, stop it."""
    import httpx

    port = free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [os.path.abspath(source),
                                                                     os.environ.get("PYTHONPATH")])))
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(batch),
                               "1" if synthetic else "0", index], env=env)
    try:
        # Building the HNSW graph takes about 30 s on 2 quiet cores, many minutes on busy ones.
        deadline = time.time() + args.start_timeout
        while True:
            try:
                # Ready: the faiss graph built (when asked for) and the first PCA layout done.
                info = httpx.get(f"http://127.0.0.1:{port}/api/info", timeout=2)
                pca = httpx.get(f"http://127.0.0.1:{port}/api/layouts/pca", timeout=2)
                if (info.status_code == 200 and info.json()["approximate_index"] in ("none", "ready")
                        and pca.json()["status"] == "done"):
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline or server.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.5)
        # The exact index's panel copy is built in the background (about a second for 400,000
        # rows; until then the plain exact index answers): measure the index that serves.
        time.sleep(5)
        run = asyncio.run
        with contextlib.suppress(ImportError):  # uvloop comes with the [web] extra
            import uvloop

            run = uvloop.run
        return run(hammer(port, keys, args.clients, args.requests, args.max_seconds, server.pid))
    finally:
        server.terminate()
        server.wait(30)


def gensim_reference(synthetic: bool, keys: list[str], n: int) -> dict:
    from gensim.models import KeyedVectors

    from embedlab import Vectors, datasets

    if synthetic:
        rng = np.random.default_rng(0)
        vectors = Vectors([f"w{i}" for i in range(400_000)], rng.standard_normal((400_000, 50), np.float32))
    else:
        vectors = datasets.load("glove-6b-50d")
    kv = KeyedVectors(vectors.dim)
    kv.add_vectors(vectors.keys, np.asarray(vectors.matrix))
    kv.most_similar(keys[0], topn=10)  # builds gensim's normalised copy
    times = []
    for key in keys[:n]:
        start = time.perf_counter()
        kv.most_similar(key, topn=10)
        times.append((time.perf_counter() - start) * 1000)
    return {"queries": n, "p50_ms": round(statistics.median(times), 2),
            "p99_ms": round(sorted(times)[int(0.99 * (n - 1))], 2)}


def compare(args: argparse.Namespace, keys: list[str]) -> dict:
    """The exact index of this checkout and of ``args.baseline``, alternated, ``args.rounds`` times."""
    baseline = os.path.join(args.baseline, "src")
    runs: dict[str, list[dict]] = {"baseline": [], "this": []}
    for round_ in range(args.rounds):
        # Alternate which goes first, so neither always meets the same neighbours' load.
        order = [("baseline", baseline), ("this", "src")]
        for name, source in order if round_ % 2 == 0 else order[::-1]:
            runs[name].append(run_server(64, "exact", args.synthetic, args, keys, source))
            r = runs[name][-1]
            print(f"round {round_ + 1} {name:<9} p50 {r['p50_ms']:7.2f}  p99 {r['p99_ms']:7.2f}  "
                  f"req/s {r['requests_per_s']:7.1f}  cpu/request {r['server_cpu_ms_per_request']:.3f} ms"
                  f"  load {r['loadavg'][0]}", flush=True)
    fields = ("p50_ms", "p99_ms", "requests_per_s", "server_cpu_ms_per_request")
    medians = {name: {f: round(statistics.median(r[f] for r in runs[name]), 3) for f in fields}
               for name in runs}
    # How many times better this is: lower latency and CPU, higher throughput.
    better = {f: round(medians["this"][f] / medians["baseline"][f] if f == "requests_per_s"
                       else medians["baseline"][f] / medians["this"][f], 2) for f in fields}
    return {"rounds": args.rounds, "runs": runs, "medians": medians, "times_better": better}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="per client")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="per run")
    parser.add_argument("--synthetic", action="store_true", help="random 400k x 50 vectors instead of GloVe")
    parser.add_argument("--unbatched", action="store_true", help="add an exact run with max_search_batch=1")
    parser.add_argument("--exact-only", action="store_true", help="leave out faiss and gensim")
    parser.add_argument("--baseline", metavar="DIR", help="a checkout of older code: compare exact runs")
    parser.add_argument("--rounds", type=int, default=3, help="with --baseline: runs of each")
    parser.add_argument("--output", default="web", help="name of the results file")
    parser.add_argument("--start-timeout", type=float, default=900.0,
                        help="seconds a server may take to be ready")
    args = parser.parse_args()
    keys = load_keys(args.synthetic, args.clients * args.requests, seed=0)
    results: dict = {"clients": args.clients, "requests_per_client": args.requests,
                     "vectors": "synthetic 400000 x 50" if args.synthetic else "GloVe 6B 50d (400000 x 50)",
                     "cpus": os.cpu_count(), "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]}
    if args.baseline:
        results["exact, baseline vs this"] = compare(args, keys)
        c = results["exact, baseline vs this"]
        for name in ("baseline", "this"):
            m = c["medians"][name]
            print(f"median {name:<9} p50 {m['p50_ms']:7.2f}  p99 {m['p99_ms']:7.2f}  "
                  f"req/s {m['requests_per_s']:7.1f}  cpu/request {m['server_cpu_ms_per_request']:.3f} ms")
        print("times better (baseline / this; req/s this / baseline):", c["times_better"])
        save_results(args.output, results)  # kept even if a later run fails
    else:
        results["exact"] = run_server(64, "exact", args.synthetic, args, keys)
    if args.unbatched:
        results["exact, unbatched"] = run_server(1, "exact", args.synthetic, args, keys)
    if not args.exact_only:
        results["faiss"] = run_server(64, "faiss", args.synthetic, args, keys)
        results["gensim_in_process"] = gensim_reference(args.synthetic, keys, 200)
    results["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(f"{'run':<22}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>8}")
    for name in ("exact", "exact, unbatched", "faiss"):
        if name in results:
            r = results[name]
            print(f"{name:<22}{r['requests']:>9}{r['errors']:>8}{r['p50_ms']:>9}{r['p99_ms']:>9}{r['requests_per_s']:>8}")
    if "gensim_in_process" in results:
        g = results["gensim_in_process"]
        print(f"{'gensim (no HTTP, 1 at a time)':<31}{g['p50_ms']:>9}{g['p99_ms']:>9}")
    print(f"written to {save_results(args.output, results)}")


if __name__ == "__main__":
    main()
