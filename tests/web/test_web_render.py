"""How the explorer draws a large table, in real Chromium (software GL): at rest the canvas shows
every point (the same pixels as drawing them all straight onto the canvas); while the view pans
or zooms it shows the cached image moved; while a 3-D view rotates it draws a subsample; after
the motion it settles back to every point. The marks (selection, neighbours, labels) follow the
view on every frame."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from browser import ARTIFACTS, CHROMIUM, open_explorer, served

pytest.importorskip("fastapi")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
WORDS = 40_000  # above the 30,000-point motion subsample, so that rotation draws fewer points

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"),
    pytest.mark.network,  # GloVe 6B 50d comes from the registry on first use
    pytest.mark.slow,
]

# Pixel helpers, run in the page: the canvas's pixels (rows bottom first), and how many pixels
# of two images differ (and by how much at most), over columns [from, to) of `b`, `a` being
# shifted left by `shift` columns.
HELPERS = """() => {
  window.pixels = () => {
    const w = canvas.width, h = canvas.height, out = new Uint8Array(w * h * 4);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, out);
    return out;
  };
  window.compare = (a, b, shift = 0) => {
    const w = canvas.width, h = canvas.height;
    let pixels = 0, max = 0, ink = 0;
    for (let y = 0; y < h; y++) for (let x = Math.max(0, shift); x < w; x++) {
      const i = 4 * (y * w + x), j = 4 * (y * w + x - shift);
      let d = 0;
      for (let c = 0; c < 4; c++) d = Math.max(d, Math.abs(a[j + c] - b[i + c]));
      if (d > 0) pixels++;
      if (d > max) max = d;
      if (b[i] < 200) ink++;
    }
    return { pixels, max, ink };
  };
  // a large-table view on this small table: every frame through the cached image
  tuning.directPoints = 0;
  tuning.chunkPoints = 15000;
  contentChanged();
}"""


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    from embedlab import datasets
    from embedlab.web import create_app

    glove = datasets.load("glove-6b-50d").top(WORDS)
    app = create_app(glove)
    with served(app) as url:
        yield url


def _open(p: Any, url: str, errors: list[str]) -> tuple[Any, Any]:
    browser, page = open_explorer(p, url, errors)
    page.evaluate(HELPERS)
    page.wait_for_function("settled()")
    return browser, page


def _settled_equals_plain_render(page: Any) -> dict[str, int]:
    """The settled frame against every point drawn straight onto the canvas, for the same view."""
    page.wait_for_function("settled() && !renderQueued")
    result: dict[str, int] = page.evaluate("""() => {
      const shown = pixels();
      drawEveryPoint();
      const plain = pixels();
      requestRender();
      return compare(plain, shown);
    }""")
    return result


def test_pan_and_zoom_show_the_cached_image_then_settle_to_every_point(server_url: str) -> None:
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser, page = _open(p, server_url, errors)
        drawn = page.evaluate("contentVersion")
        page.fill("#search", "king")
        page.press("#search", "Enter")
        page.wait_for_function("document.querySelector('#selected').textContent === 'king'")
        # a selection (no isolate, no dim) changes the marks only: the points are not redrawn
        assert page.evaluate("contentVersion") == drawn

        at_rest = _settled_equals_plain_render(page)
        assert at_rest["pixels"] == 0 and at_rest["ink"] > 10_000  # identical, and not blank
        assert page.evaluate("lastFrame.mode") == "full"
        # without WebGL 2's blitFramebuffer: the textured quad gives the same pixels
        shader = page.evaluate("""() => {
          const a = pixels(); tuning.blitFramebuffer = false; render(); const b = pixels();
          tuning.blitFramebuffer = true; render(); return compare(a, b); }""")
        assert shader["pixels"] == 0

        # a pan of 40 canvas pixels: the cached image moved by 40 columns, the marks with it
        panned = page.evaluate("""() => {
          const before = pixels(), row = rowOf().get('king'), was = screenPositions()[2 * row];
          state.panX += (2 * 40 / canvas.width) / aspect()[0];
          moving(); state.screenDirty = true; render();
          const now = screenPositions()[2 * row], y = screenPositions()[2 * row + 1];
          const dpr = window.devicePixelRatio || 1;
          const mark = ctx.getImageData(Math.round(now * dpr), Math.round(y * dpr), 1, 1).data;
          return { mode: lastFrame.mode, ...compare(before, pixels(), 40), moved: now - was, mark: [...mark] };
        }""")
        assert panned["mode"] == "cached" and panned["pixels"] == 0
        assert abs(panned["moved"] - 40) < 0.01
        assert panned["mark"][:3] == [0xD5, 0, 0]  # the selected word's red dot at its new place
        page.screenshot(path=str(ARTIFACTS / "render_panning.png"))

        settled_pan = _settled_equals_plain_render(page)
        assert settled_pan["pixels"] == 0

        # a zoom x2 about the centre: the cached image magnified (nearest pixel), then every point
        zoomed = page.evaluate("""() => {
          const before = pixels(), w = canvas.width, h = canvas.height;
          state.zoom *= 2; state.panX *= 2; state.panY *= 2;
          moving(); state.screenDirty = true; render();
          const now = pixels();
          let far = 0, total = 0;
          for (let y = h / 4; y < 3 * h / 4; y += 7) for (let x = w / 4; x < 3 * w / 4; x += 7) {
            // canvas pixel (x, y) shows the old image at ((x + 0.5 - w/2) / 2 + w/2 - 0.5, ...):
            // one of the 2x2 pixels around it, so each channel lies between theirs
            const u = Math.floor((x + 0.5 - w / 2) / 2 + w / 2 - 0.5), v = Math.floor((y + 0.5 - h / 2) / 2 + h / 2 - 0.5);
            const i = 4 * (y * w + x);
            let inside = true;
            for (let c = 0; c < 3; c++) {
              const around = [[0, 0], [1, 0], [0, 1], [1, 1]].map(([ox, oy]) => before[4 * ((v + oy) * w + u + ox) + c]);
              if (now[i + c] < Math.min(...around) - 2 || now[i + c] > Math.max(...around) + 2) inside = false;
            }
            total++;
            if (!inside) far++;
          }
          return { mode: lastFrame.mode, far, total };
        }""")
        assert zoomed["mode"] == "cached"
        assert zoomed["far"] == 0 and zoomed["total"] > 3000, zoomed
        page.screenshot(path=str(ARTIFACTS / "render_zooming.png"))
        settled_zoom = _settled_equals_plain_render(page)
        assert settled_zoom["pixels"] == 0
        page.screenshot(path=str(ARTIFACTS / "render_settled.png"))

        # density colouring (used from 50,000 points without a colouring): the most crowded
        # points rank high, the outskirts low
        density = page.evaluate("""() => {
          const ranks = densityRanks(), pos = state.pos, n = state.n, far = [];
          for (let i = 0; i < n; i++) far.push([Math.hypot(pos[3 * i], pos[3 * i + 1]), ranks[i]]);
          far.sort((a, b) => a[0] - b[0]);
          const mean = (rows) => rows.reduce((t, r) => t + r[1], 0) / rows.length;
          return { top: Math.max(...ranks), low: Math.min(...ranks), outskirts: mean(far.slice(-2000)),
                   colour: densityColour(1), pale: densityColour(0) };
        }""")
        assert density["low"] >= 0 and density["top"] <= 1 and density["top"] > 0.9
        assert density["outskirts"] < 0.2
        assert density["colour"] == [225, 210, 50] and density["pale"] == [165, 195, 235]
        browser.close()
    assert errors == []


def test_rotation_draws_a_subsample_then_every_point(server_url: str) -> None:
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser, page = _open(p, server_url, errors)
        page.select_option("#dim", "3")
        page.click("#compute")
        page.wait_for_selector("#status[data-ready='pca-3']", timeout=60_000)
        page.fill("#an-a", "king")
        page.click("#an-go")  # the analogy's arrows and marks ride along
        page.wait_for_selector("#analogy-results li")
        assert page.evaluate("lastFrame.points") == WORDS

        # every frame's kind from now on (drawFrame is looked up on each render)
        page.evaluate("""() => { const draw = drawFrame; window.frameLog = [];
          window.drawFrame = () => { draw(); frameLog.push([lastFrame.mode, lastFrame.points]); }; }""")
        box = page.locator("#gl").bounding_box()  # a real drag: rotation
        page.mouse.move(box["x"] + 300, box["y"] + 300)
        page.mouse.down()
        page.mouse.move(box["x"] + 340, box["y"] + 310, steps=4)
        page.mouse.up()
        page.wait_for_function("frameLog.length > 0")
        assert [mode for mode, _ in page.evaluate("frameLog")][0] == "subsample"
        assert page.evaluate("frameLog[0][1]") == WORDS // 2  # every 2nd point
        assert page.evaluate("state.yaw") > 0.6  # it turned
        page.screenshot(path=str(ARTIFACTS / "render_rotating.png"))
        settled = _settled_equals_plain_render(page)
        assert settled["pixels"] == 0 and settled["ink"] > 10_000
        assert page.evaluate("[lastFrame.mode, lastFrame.points]") == ["full", WORDS]

        # the wheel zooms a 3-D view without turning it: the cached image, not the subsample
        page.evaluate("frameLog.length = 0")
        page.mouse.move(box["x"] + 300, box["y"] + 300)
        page.mouse.wheel(0, -300)
        page.wait_for_function("frameLog.length > 0")
        assert page.evaluate("frameLog[0][0]") == "cached"
        page.wait_for_function("settled()")
        page.screenshot(path=str(ARTIFACTS / "render_3d_settled.png"))
        browser.close()
    assert errors == []
