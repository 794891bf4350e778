"""The one progress helper: silent when off or piped, live HTML in a notebook, real units."""

from __future__ import annotations

from typing import Any

import pytest

from embedlab import _progress
from embedlab._progress import progress_bar


class FakeDisplay:
    """Stands in for IPython's display: records the first bundle and every update."""

    def __init__(self) -> None:
        self.shown: list[dict[str, str]] = []

    def __call__(self, bundle: dict[str, str], raw: bool, display_id: bool) -> Any:
        assert raw and display_id
        self.shown.append(bundle)
        recorder = self

        class Handle:
            def update(self, bundle: dict[str, str], raw: bool) -> None:
                recorder.shown.append(bundle)

        return Handle()


@pytest.fixture
def notebook(monkeypatch: pytest.MonkeyPatch) -> FakeDisplay:
    import IPython.display

    fake = FakeDisplay()
    monkeypatch.setattr(_progress, "in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", fake)
    return fake


def test_off_or_piped_draws_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    # pytest's stderr is a pipe, not a terminal, and this is no notebook.
    for enabled in (True, False):
        with progress_bar(3, "quiet", enabled=enabled) as bar:
            bar.advance(3, info="loss 1")
    assert capfd.readouterr() == ("", "")


def test_off_in_a_notebook_draws_nothing(notebook: FakeDisplay) -> None:
    with progress_bar(3, "quiet", enabled=False) as bar:
        bar.advance(3)
    assert notebook.shown == []


def test_notebook_bar_counts_in_its_unit_with_a_rate(notebook: FakeDisplay) -> None:
    with progress_bar(4, "epoch 1/2", unit="batches") as bar:
        for _ in range(4):
            bar.advance(1, info="loss 0.5000 · accuracy 0.7500")
    first, last = notebook.shown[0]["text/plain"], notebook.shown[-1]["text/plain"]
    assert first.startswith("epoch 1/2") and "0/4 batches" in first
    lines = last.splitlines()
    assert "4/4 batches" in lines[0] and "batches/s" in lines[0]
    assert lines[1].strip() == "loss 0.5000 · accuracy 0.7500"  # its own line: never cut
    assert 'class="embedlab-progress"' in notebook.shown[-1]["text/html"]


def test_bytes_show_megabytes_and_a_fraction_shows_a_percentage(notebook: FakeDisplay) -> None:
    with progress_bar(3 * 2**20, "reading glove.txt", unit="bytes") as bar:
        bar.advance(3 * 2**20)
    assert "3.1/3.1 MB" in notebook.shown[-1]["text/plain"]  # rich's MB are 10**6 bytes
    with progress_bar(1.0, "t-SNE 500 points", unit="iterations") as bar:
        bar.advance(0.5)
    assert "50%" in notebook.shown[-1]["text/plain"]
    assert "0/1" not in " ".join(s["text/plain"] for s in notebook.shown)


def test_say_prints_even_when_piped_unless_off(capfd: pytest.CaptureFixture[str]) -> None:
    _progress.say("stopped after epoch 4", enabled=True)
    _progress.say("not shown", enabled=False)
    assert capfd.readouterr().err == "embedlab: stopped after epoch 4\n"
