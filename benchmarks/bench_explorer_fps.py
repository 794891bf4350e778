"""Frames per second of the explorer page while it pans and zooms, in headless Chromium.

The server (uvicorn on loopback, in its own process) holds ``--points`` random vectors (400,000
and 1,000,000 by default, 16 dimensions: the drawing cost depends on the point count only).
The page loads, draws its PCA view, and then for ``--seconds`` pans and zooms a little on
every animation frame, as a drag or a wheel does; frames per second = frames drawn / time.
Two figures: every point drawn on every frame, and "while moving", where the page draws an even
subsample of 100,000 points during a drag or a wheel and every point once the motion stops
(what a user sees while panning).

These machines have no GPU: Chromium runs with ``--disable-gpu``, so WebGL is SwiftShader,
Chrome's software renderer on the CPU. A desktop GPU is much faster; the numbers here are the
floor. Results go to benchmarks/results/explorer_fps.json.

    python benchmarks/bench_explorer_fps.py [--points 400000 1000000] [--seconds 5]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

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

MEASURE = """async ([seconds, motion]) => {
  const start = performance.now();
  let frames = 0;
  while (performance.now() - start < seconds * 1000) {
    await new Promise((resolve) => requestAnimationFrame(() => {
      state.panX += 0.002; state.zoom *= 1.001;
      state.movingUntil = motion ? performance.now() + 1000 : 0;  // as a drag does, or not
      state.screenDirty = true;
      render();
      gl.finish();  // count a frame only once the software renderer has drawn it
      frames++;
      resolve();
    }));
  }
  return frames / ((performance.now() - start) / 1000);
}"""


def measure(points: int, seconds: float) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(points)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.time() + 300
        while True:
            try:
                urllib.request.urlopen(url + "api/info", timeout=2)
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError("the explorer server did not start") from None
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"])
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            started = time.time()
            page.goto(url)
            page.wait_for_selector("#status[data-ready='pca-2']", timeout=300_000)
            ready = time.time() - started
            renderer = page.evaluate("(() => { const d = gl.getExtension('WEBGL_debug_renderer_info'); "
                                     "return d ? gl.getParameter(d.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER); })()")
            fps = page.evaluate(MEASURE, [seconds, False])
            moving = page.evaluate(MEASURE, [seconds, True])
            browser.close()
    finally:
        server.terminate()
        server.wait(30)
    return {"points": points, "fps_every_point": round(fps, 2), "fps_while_moving": round(moving, 2),
            "page_ready_seconds": round(ready, 1), "renderer": renderer}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, nargs="+", default=[400_000, 1_000_000])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    rows = []
    for points in args.points:
        row = measure(points, args.seconds)
        rows.append(row)
        print(f"{points:>9,} points: {row['fps_every_point']:6.2f} frames/s drawing every point, "
              f"{row['fps_while_moving']:6.2f} while moving (100,000 drawn)  (page ready in "
              f"{row['page_ready_seconds']} s; WebGL renderer: {row['renderer']})", flush=True)
    path = save_results("explorer_fps", {"chromium": "headless, --disable-gpu (software GL)",
                                         "viewport": "1280x800", "runs": rows})
    print(f"results: {path}")


if __name__ == "__main__":
    main()
