"""What the browser tests share: headless Chromium's path and flags, where screenshots go, and
an explorer served on a free loopback port for the length of a test."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
# Debian's chromium, driven by Playwright: Playwright's own browser download fails here.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


@contextmanager
def served(app: Any, start_timeout: float = 30.0) -> Iterator[str]:
    """Run an ASGI app with uvicorn on a thread; yields its URL and stops it afterwards."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.time() + start_timeout
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    finally:
        server.should_exit = True
        thread.join(10)


def open_explorer(playwright: Any, url: str, errors: list[str]) -> tuple[Any, Any]:
    """Chromium on the explorer at ``url``, once its first layout is drawn: (browser, page).
    Uncaught page errors are appended to ``errors``."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector("#status[data-ready='pca-2']", timeout=60_000)
    return browser, page
