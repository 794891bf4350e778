"""Figures as a notebook reader needs them: no backend chosen, nothing left open in pyplot,
subplot grids through ``ax=``, every file format, labels that never overlap."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from embedlab import DataError, InvalidParameterError, Vectors
from embedlab.viz import article_figure, plot_words, project, save_figure

matplotlib = pytest.importorskip("matplotlib")
import matplotlib.pyplot as plt  # noqa: E402  (after the skip: matplotlib is an extra)
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

WORDS = ["king", "queen", "man", "woman", "boy", "girl"]
MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".svg": b"<?xml", ".pdf": b"%PDF-", ".jpg": b"\xff\xd8\xff",
         ".jpeg": b"\xff\xd8\xff"}


@pytest.fixture(scope="module")
def small() -> Vectors:
    rng = np.random.default_rng(0)
    keys = WORDS + [f"w{i}" for i in range(60)]
    return Vectors(keys, rng.standard_normal((len(keys), 10)), metadata={"kind": ["a", "b"] * 33})


@pytest.fixture(scope="module")
def joint_space_inputs():
    """A dual encoder trained for one quick epoch on 300 digits (enough to draw, not to be good)."""
    pytest.importorskip("torch")
    from embedlab.crossmodal import DualEncoder, load_images, make_captions

    train = load_images("digits", "train").take(300, seed=0)
    captions = make_captions(train.labels, train.class_names, seed=0)
    model = DualEncoder(vector_size=16, embedding_dim=16, channels=(8,), epochs=1, batch_size=100,
                        progress=False)
    return model.fit(train.images, captions, labels=train.labels), load_images("digits", "test")


def _label_boxes(fig: Figure) -> list:
    """The pixel boxes of the label texts (an annotation's own extent includes its leader line)."""
    renderer = fig.canvas.get_renderer()
    boxes = []
    for text in (t for ax in fig.axes for t in ax.texts if t.get_text()):
        text.update_positions(renderer)
        boxes.append(Text.get_window_extent(text, renderer))
    return boxes


def _overlapping(boxes: list) -> list[tuple[int, int]]:
    return [(i, j) for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2)
            if a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1]


def test_no_figure_stays_open_in_pyplot(tmp_path: Path, small: Vectors, joint_space_inputs) -> None:
    from embedlab.crossmodal import plot_joint_space

    before = plt.get_fignums()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(21):  # pyplot warns from the 21st open figure on
            plot_words(small, WORDS[:3], method="pca", path=tmp_path / "w.png")
    assert plt.get_fignums() == before
    assert not [w for w in caught if "figures have been opened" in str(w.message)]
    article_figure(small, tmp_path / "a.png", method="pca")
    assert plt.get_fignums() == before
    model, test = joint_space_inputs
    plot_joint_space(model, test, tmp_path / "j.png", n_images=20, method="pca")
    assert plt.get_fignums() == before
    grid = Figure()
    left, right = grid.subplots(1, 2)
    plot_joint_space(model, test, tmp_path / "grid.svg", n_images=20, method="pca", ax=right)
    assert len(right.artists) == 20 and len(left.artists) == 0  # one thumbnail per image
    assert (tmp_path / "grid.svg").read_bytes().startswith(MAGIC[".svg"])
    # The reader's next pyplot figure is a new, empty one: it does not draw onto the word plot.
    fig = plt.figure()
    try:
        assert fig.axes == []
    finally:
        plt.close(fig)


def _backend_after(code: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parents[2] / "src"), env.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=300, check=True)
    return done.stdout.strip()


def test_importing_and_plotting_choose_no_backend() -> None:
    alone = _backend_after("import matplotlib; print(matplotlib.rcParams._get_backend_or_none(), "
                           "matplotlib.get_backend())")
    after = _backend_after(
        "import numpy as np, matplotlib, embedlab.viz as viz; from embedlab import Vectors\n"
        "unset = matplotlib.rcParams._get_backend_or_none()\n"
        "v = Vectors(['a', 'b', 'c'], np.eye(3))\n"
        "viz.plot_words(v, ['a', 'b', 'c'], method='pca')\n"
        "print(unset, matplotlib.get_backend())"
    )
    assert after == alone  # still unresolved after import and plotting; then matplotlib's own pick


def test_ax_draws_into_a_subplot_grid(small: Vectors) -> None:
    grid = Figure(figsize=(10, 4))
    left, right = grid.subplots(1, 2)
    returned = plot_words(small, WORDS, method="pca", ax=right, title="right")
    assert returned is grid
    assert right.get_title() == "right" and {t.get_text() for t in right.texts} == set(WORDS)
    assert len(left.texts) == 0 and len(left.collections) == 0
    plot_words(small, WORDS[:3], method="pca", ax=left)
    assert {t.get_text() for t in left.texts} == set(WORDS[:3])


@pytest.mark.parametrize("suffix", sorted(MAGIC))
def test_every_format_is_written(tmp_path: Path, small: Vectors, suffix: str) -> None:
    path = tmp_path / f"words{suffix}"
    fig = plot_words(small, WORDS, method="pca", path=path, figsize=(4, 3), dpi=50)
    assert path.read_bytes().startswith(MAGIC[suffix])
    assert fig.get_size_inches().tolist() == [4, 3]
    if suffix == ".png":  # the IHDR chunk: width and height in pixels = inches x dpi
        header = path.read_bytes()[16:24]
        assert (int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")) == (200, 150)
    with pytest.raises(InvalidParameterError, match=r"\.png, \.svg, \.pdf or \.jpg, not 'gif'"):
        save_figure(fig, tmp_path / "words.gif")


def test_a_figure_displays_itself_in_jupyter(small: Vectors) -> None:
    fig = plot_words(small, WORDS, method="pca")
    assert fig._repr_png_().startswith(MAGIC[".png"])


def test_two_hundred_glove_labels_never_overlap(tmp_path: Path) -> None:
    from embedlab import datasets

    glove = datasets.load("glove-6b-50d")
    words = list(glove.top(200).keys)
    fig = plot_words(glove, words, method="pca", path=tmp_path / "glove200.png")
    boxes = _label_boxes(fig)
    assert len(boxes) >= 190  # nearly every word keeps its label (a crowded one may lose it)
    assert _overlapping(boxes) == []
    frame = fig.axes[0].get_window_extent(fig.canvas.get_renderer())
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1
               for b in boxes)


def test_label_picks_the_words_and_fontsize_their_size(small: Vectors) -> None:
    first_two = plot_words(small, WORDS, method="pca", label=2, fontsize=7)
    assert [t.get_text() for t in first_two.axes[0].texts] == ["king", "queen"]
    assert {t.get_fontsize() for t in first_two.axes[0].texts} == {7}
    chosen = plot_words(small, WORDS, method="pca", label=["girl", "man"])
    assert sorted(t.get_text() for t in chosen.axes[0].texts) == ["girl", "man"]
    assert len(plot_words(small, WORDS, method="pca", label=0).axes[0].texts) == 0
    light = plot_words(small, WORDS, method="pca")
    assert {t.get_fontweight() for t in light.axes[0].texts} == {"normal"}
    with pytest.raises(InvalidParameterError, match="label='king'"):
        plot_words(small, WORDS, method="pca", label="king")
    with pytest.raises(InvalidParameterError, match="label=-1"):
        plot_words(small, WORDS, method="pca", label=-1)


def test_every_word_gets_its_neighbour_edges(small: Vectors) -> None:
    # Six words and 2 neighbours each: some neighbours are themselves plotted words, and those
    # edges must be drawn too (they used to be dropped).
    fig = plot_words(small, WORDS, method="pca", neighbors=2)
    ax = fig.axes[0]
    (edges,) = [c for c in ax.collections if c.get_gid() == "neighbour-edges"]
    expected = {frozenset((w, k)) for w in WORDS for k, _ in small.most_similar(w, topn=2)}
    assert len(edges.get_segments()) == len(expected)
    shown = {t.get_text(): t.xy for t in ax.texts}  # each label is anchored at its point
    def at(point) -> tuple[float, ...]:
        return tuple(np.round(np.asarray(point, dtype=np.float64), 4).tolist())

    drawn = {frozenset(at(p) for p in seg) for seg in edges.get_segments()}
    assert drawn == {frozenset(at(shown[w]) for w in pair) for pair in expected}
    assert any(pair <= set(WORDS) for pair in expected)  # an edge between two plotted words


def test_neighbour_edges_join_plotted_words() -> None:
    # a and b are each other's nearest neighbour and both plotted: the edge a-b is drawn.
    v = Vectors(["a", "b", "c", "d"], np.array([[1, 0.1], [1, 0.2], [-1, 0.1], [-1, 0.3]]))
    fig = plot_words(v, ["a", "b", "c", "d"], method="pca", neighbors=1)
    (edges,) = [c for c in fig.axes[0].collections if c.get_gid() == "neighbour-edges"]
    assert len(edges.get_segments()) == 2  # a-b and c-d


def test_analogy_word_must_be_plotted(small: Vectors) -> None:
    with pytest.raises(DataError, match="'man' -> 'wizard': both words must be plotted"):
        plot_words(small, WORDS, method="pca", analogies=[("man", "wizard")])


def test_tsne_progress_counts_iterations(monkeypatch: pytest.MonkeyPatch, small: Vectors) -> None:
    from contextlib import contextmanager

    module = sys.modules["embedlab.viz.project"]  # the attribute is the function of that name

    seen: dict[str, object] = {"advanced": 0.0}

    class Bar:
        def advance(self, n: float = 1, **fields: object) -> None:
            seen["advanced"] = float(seen["advanced"]) + n  # type: ignore[arg-type]

    @contextmanager
    def spy(total, description, enabled=True):
        seen["total"], seen["description"] = total, description
        yield Bar()

    monkeypatch.setattr(module, "progress_bar", spy)
    project(small, "tsne", early_exaggeration_iter=50, n_iter=100)
    assert seen == {"total": 150, "description": "tsne 66 points (iterations)", "advanced": 150}


def test_cli_words_file_metadata_size_and_dpi(tmp_path: Path, small: Vectors) -> None:
    from typer.testing import CliRunner

    from embedlab.cli import app
    from embedlab.formats.projector import write_projector

    source = tmp_path / "src"
    write_projector(small, source, metadata_columns=[])
    words = tmp_path / "words.txt"
    words.write_text("# the article's words\nking\nqueen\n\nman\nwoman\n", encoding="utf-8")
    groups = tmp_path / "groups.tsv"
    groups.write_text("word\tgender\nking\tmale\nqueen\tfemale\nman\tmale\nwoman\tfemale\n",
                      encoding="utf-8")
    out = tmp_path / "fig.png"
    result = CliRunner().invoke(app, [
        "plot", str(source), "--words-file", str(words), "--metadata", str(groups),
        "--size", "5x4", "--dpi", "60", "--method", "pca", "-o", str(out),
    ])
    assert result.exit_code == 0, result.output
    header = out.read_bytes()[16:24]
    assert (int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")) == (300, 240)
    bad_size = CliRunner().invoke(app, ["plot", str(source), "--words", "king", "queen",
                                        "--size", "big", "-o", str(out)])
    assert bad_size.exit_code != 0 and "WIDTHxHEIGHT" in str(bad_size.exception)
    no_words = CliRunner().invoke(app, ["plot", str(source), "-o", str(out)])
    assert no_words.exit_code != 0 and "--words-file" in str(no_words.exception)
