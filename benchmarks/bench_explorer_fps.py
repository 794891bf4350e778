"""Frames per second of the explorer page while it pans, zooms and rotates, in headless Chromium.

The server (uvicorn on loopback, in its own process) holds ``--points`` random vectors (400,000
and 1,000,000 by default, 16 dimensions: the drawing cost depends on the point count only).
The page loads and draws its PCA view; then, for ``--seconds`` each, it moves a little on every
animation frame, as a drag or a wheel does:

- ``pan`` and ``zoom`` (2-D): the page shows its cached image of every point, moved;
- ``rotate`` (3-D): the page draws its 30,000-point subsample;
- ``every_point``: the baseline, every point drawn on every frame (what the page did before
  it cached frames, and what a pan cost then).

A frame counts once the software renderer has really drawn it (a one-pixel readPixels waits
for it). Also measured: ``full_frame_ms``, drawing every point once (into the offscreen image),
and ``settle_ms``, from the last motion to the canvas showing every point again (the 150 ms
pause, then the chunks).

These machines have no GPU: Chromium runs with ``--disable-gpu``, so WebGL is SwiftShader,
Chrome's software renderer on the CPU (its renderer string is recorded), and the other programs
on the machine share its cores: the load average is recorded with each run. A desktop GPU is
much faster; the numbers here are the floor. Results go to benchmarks/results/explorer_fps.json.

    python benchmarks/bench_explorer_fps.py [--points 400000 1000000] [--seconds 4]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Any

from _common import save_results

SERVER = r"""
import sys, numpy as np
from embedlab import Vectors
from embedlab.web import serve
port, n = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
# clustered, so the picture has dense cores and sparse edges as real embeddings do
centres = rng.standard_normal((50, 16)).astype(np.float32) * 3
vectors = Vectors([f"w{i}" for i in range(n)],
                  centres[rng.integers(0, 50, n)] + rng.standard_normal((n, 16), np.float32))
serve(vectors, host="127.0.0.1", port=port)
"""

# One motion for `seconds`: `step` changes the view by a little, then one frame is drawn as the
# page draws it after a drag or wheel event; frames / seconds is returned.
MOTION = """async ([seconds, step]) => {
  const sync = () => gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const steps = {
    pan: () => { state.panX += 0.004; moving(); },
    zoom: () => { state.zoom *= 1.004; moving(); },
    rotate: () => { state.yaw += 0.01; moving(); },
    every_point: () => { state.panX += 0.004; },
  };
  await frame();
  const start = performance.now();
  let frames = 0;
  while (performance.now() - start < seconds * 1000) {
    await frame();
    steps[step]();
    state.screenDirty = true;
    if (step === "every_point") { drawEveryPoint(); drawOverlay(); } else render();
    sync();
    frames++;
  }
  const fps = frames / ((performance.now() - start) / 1000);
  return { fps, mode: lastFrame.mode, points: lastFrame.points };
}"""

# From the last motion until the canvas shows every point again, driven by the page's own timers.
SETTLE = """async () => {
  const sync = () => gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
  state.panX += 0.01; moving(); requestRender();
  const start = performance.now();
  await new Promise((resolve) => requestAnimationFrame(resolve));
  while (!settled()) await new Promise((resolve) => requestAnimationFrame(resolve));
  sync();
  const settle = performance.now() - start;
  const times = [];
  for (let k = 0; k < 3; k++) {  // every point into the offscreen image, at once
    const t = performance.now();
    contentVersion++; render(); sync();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { settle_ms: settle, full_frame_ms: times[1] };
}"""


def _server(points: int) -> tuple[subprocess.Popen[bytes], str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(points)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 300
    while True:
        try:
            urllib.request.urlopen(url + "api/info", timeout=2)
            return server, url
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                server.terminate()
                raise RuntimeError("the explorer server did not start") from None
            time.sleep(0.5)


def measure(points: int, seconds: float) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    server, url = _server(points)
    load_before = os.getloadavg()[0]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"])
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            started = time.time()
            page.goto(url)
            page.wait_for_selector("#status[data-ready='pca-2']", timeout=300_000)
            page.wait_for_function("settled()", timeout=300_000)
            ready = time.time() - started
            renderer = page.evaluate("(() => { const d = gl.getExtension('WEBGL_debug_renderer_info'); "
                                     "return d ? gl.getParameter(d.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER); })()")
            context = page.evaluate("webgl2 ? 'webgl2' : 'webgl'")
            row: dict[str, Any] = {"points": points, "page_ready_seconds": round(ready, 1)}
            for step in ("every_point", "pan", "zoom"):
                result = page.evaluate(MOTION, [seconds, step])
                row[f"fps_{step}"] = round(result["fps"], 1)
            row.update({k: round(v) for k, v in page.evaluate(SETTLE).items()})
            page.select_option("#dim", "3")
            page.click("#compute")
            page.wait_for_selector("#status[data-ready='pca-3']", timeout=300_000)
            page.wait_for_function("settled()", timeout=300_000)
            result = page.evaluate(MOTION, [seconds, "rotate"])
            row["fps_rotate"] = round(result["fps"], 1)
            row["rotate_points_drawn"] = result["points"]
            browser.close()
    finally:
        server.terminate()
        server.wait(30)
    row.update({"renderer": renderer, "context": context,
                # before and after: the machine's other work shares the cores software GL uses
                "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)]})
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--points", type=int, nargs="+", default=[400_000, 1_000_000])
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    rows = []
    for points in args.points:
        row = measure(points, args.seconds)
        rows.append(row)
        print(f"{points:>9,} points, frames/s: pan {row['fps_pan']}, zoom {row['fps_zoom']}, "
              f"rotate {row['fps_rotate']} ({row['rotate_points_drawn']:,} drawn); every point each frame "
              f"{row['fps_every_point']} (pan is {row['fps_pan'] / max(row['fps_every_point'], 1e-9):.1f}x); "
              f"full detail {row['full_frame_ms']} ms, settled {row['settle_ms']} ms after the motion; "
              f"load average {row['load_average']}; {row['renderer']}", flush=True)
    path = save_results("explorer_fps", {"chromium": "headless, --disable-gpu (software GL)",
                                         "viewport": "1280x800 (canvas 960x800)", "runs": rows})
    print(f"results: {path}")


if __name__ == "__main__":
    main()
