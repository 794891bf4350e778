"""The demo end to end on the real data (fetched once into the cache)."""

from __future__ import annotations

import pytest

from embedlab.cli.demo import run_demo


@pytest.mark.network
def test_demo_runs_the_article(tmp_path, capsys) -> None:
    results = run_demo(tmp_path, epochs=3, progress=False)
    out = capsys.readouterr().out
    assert results["king-man+woman"] == "queen"
    assert "dog" in [k for k, _ in results["neighbors_cat"]]
    assert "Total params: 1,288,321" in out and "(None, 100, 128)" in out
    majority = results["majority"]
    assert results["accuracy_random"] >= majority + 0.10
    assert results["accuracy_GloVe 6B 50d"] >= majority + 0.10
    figure = results["figure"]
    assert figure.exists() and figure.stat().st_size > 10_000
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
