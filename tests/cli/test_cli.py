"""Every core CLI command, in-process."""

from __future__ import annotations

import re

import numpy as np
import pytest
from typer.testing import CliRunner

import embedlab
from embedlab import Vectors
from embedlab.cli import app

runner = CliRunner()


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "datasets", "info", "convert", "neighbors", "analogy", "evaluate", "crossmodal"):
        assert command in result.output


def test_info_and_convert(royal_file, tmp_path) -> None:
    result = runner.invoke(app, ["info", str(royal_file)])
    assert result.exit_code == 0, result.output
    assert "word2vec" in result.output and "vectors    5" in result.output
    out = tmp_path / "v.bin"
    converted = runner.invoke(app, ["convert", str(royal_file), str(out), "--to", "word2vec-binary"])
    assert converted.exit_code == 0, converted.output
    assert embedlab.load(out).keys == embedlab.load(royal_file).keys


def test_neighbors_and_analogy(royal_file) -> None:
    result = runner.invoke(app, ["neighbors", str(royal_file), "man", "-k", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].endswith("king")
    answer = runner.invoke(app, ["analogy", str(royal_file), "king", "man", "woman", "-k", "1"])
    assert answer.exit_code == 0 and answer.output.strip().endswith("queen")


def test_library_errors_become_one_line(royal_file) -> None:
    result = runner.invoke(app, ["neighbors", str(royal_file), "quen"])
    assert result.exit_code != 0
    assert "did you mean 'queen'" in str(result.exception)


def test_main_prints_library_errors_as_one_line(royal_file, monkeypatch, capsys) -> None:
    from embedlab.cli import main

    monkeypatch.setattr("sys.argv", ["embedlab", "neighbors", str(royal_file), "quen"])
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "did you mean 'queen'" in err and "Traceback" not in err


# ---------------------------------------------------------------- issue 12: help, version, errors
def flat(text: str) -> str:
    """Help text without the line wrapping (which may split 'word2vec-binary' at its hyphen)."""
    return re.sub(r"\s+", "", text)


def test_neighbors_help_keeps_the_extra_in_brackets() -> None:
    result = runner.invoke(app, ["neighbors", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "extra[ann]" in flat(result.output) and "extra)" not in flat(result.output)


@pytest.mark.parametrize("command", [["train", "word2vec"], ["evaluate"], ["recommend", "fit"], ["demo"]])
def test_flags_show_no_type(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "<bool>" not in result.output


def test_train_format_help_names_the_formats_not_a_missing_command() -> None:
    result = runner.invoke(app, ["train", "word2vec", "--help"], env={"COLUMNS": "200"})
    assert "embedlabformats" not in flat(result.output)
    assert "word2vec-binary" in flat(result.output) and "fasttext-bin" in flat(result.output)


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output == f"embedlab {embedlab.__version__}\n"


@pytest.mark.parametrize("k", ["0", "-3"])
def test_neighbors_k_below_one_is_an_error(royal_file, k: str) -> None:
    result = runner.invoke(app, ["neighbors", str(royal_file), "man", "-k", k])
    assert result.exit_code == 2 and "Invalid value for '-k': Input should be greater than or equal to 1" in result.output


def test_missing_files_are_one_line_not_a_traceback(tmp_path, monkeypatch, capsys) -> None:
    from embedlab.cli import main

    missing = tmp_path / "nope.txt"
    for argv in (["graph", "embed", str(missing), "-o", str(tmp_path / "n.vec")],
                 ["graph", "evaluate", str(missing), "--labels", str(missing)]):
        monkeypatch.setattr("sys.argv", ["embedlab", *argv])
        with pytest.raises(SystemExit) as stop:
            main()
        err = capsys.readouterr().err
        assert stop.value.code == 1, argv
        assert err.startswith("error: ") and str(missing) in err and "Traceback" not in err


def test_info_says_no_subwords_for_a_words_only_fasttext_file(tmp_path) -> None:
    v = Vectors(["king", "queen"], np.array([[1, 0], [0, 1]], np.float32))
    embedlab.save(v, tmp_path / "words.bin", format="fasttext-bin")
    assert embedlab.load(tmp_path / "words.bin").subwords is not None  # a table, but no n-grams
    result = runner.invoke(app, ["info", str(tmp_path / "words.bin")])
    assert result.exit_code == 0, result.output
    assert "subwords   no" in result.output


def test_every_cli_module_registers_top_level_commands_only() -> None:
    import ast
    import pathlib

    import embedlab.cli

    for path in pathlib.Path(embedlab.cli.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name == "register":
                nested = [n.name for n in ast.walk(node) if isinstance(n, ast.FunctionDef) and n is not node]
                assert nested == [], f"{path.name}: register() defines {nested}"


# ---------------------------------------------------------------- the library work the CLI did
@pytest.mark.parametrize(("name", "subwords", "expected"), [
    ("v.txt", False, "word2vec"), ("v.VEC", False, "word2vec"), ("v.bin", False, "word2vec-binary"),
    ("v.bin", True, "fasttext-bin"), ("v.tsv", False, "projector"), ("folder", False, "native"),
    ("v.npy", True, "native"),
])
def test_format_for_judges_the_output_by_its_suffix(name: str, subwords: bool, expected: str) -> None:
    from embedlab.formats import format_for

    assert format_for(name, subwords=subwords) == expected


def test_read_labels(tmp_path) -> None:
    from embedlab import DataError, FormatError
    from embedlab.graph import read_labels

    (tmp_path / "labels.txt").write_text("# node label\n1\tMr. Hi\n2 Officer\n\n3 a # comment\n1\tOfficer\n")
    assert read_labels(tmp_path / "labels.txt") == {"1": "Officer", "2": "Officer", "3": "a"}
    (tmp_path / "bad.txt").write_text("1 a\n2 b c\n")
    with pytest.raises(FormatError, match=r"bad\.txt:2: expected 'node label' \(two fields\)"):
        read_labels(tmp_path / "bad.txt")
    with pytest.raises(DataError, match=r"nope\.txt: no such labels file"):
        read_labels(tmp_path / "nope.txt")
    with pytest.raises(DataError, match="is a folder"):
        read_labels(tmp_path)


@pytest.mark.network  # the three datasets come from the registry on first use
def test_evaluate_report_is_the_suite_the_cli_prints() -> None:
    from embedlab import datasets, evaluate

    glove = datasets.load("glove-6b-50d").top(20_000)
    result = evaluate.report(glove, restrict_vocab=10_000, cosmul=True, progress=False)
    pairs = evaluate.word_pairs(glove, datasets.load("wordsim353"), restrict_vocab=10_000)
    assert result.pairs["wordsim353"] == pairs
    cosmul = evaluate.analogies(glove, datasets.load("google-analogy"), restrict_vocab=10_000,
                                method="3cosmul", progress=False)
    assert result.analogies["3cosmul"].sections == cosmul.sections
    rows = result.rows()
    assert rows[0] == ("wordsim353", "Spearman", f"{pairs.spearman:.4f}", str(pairs.pairs),
                       f"{pairs.oov_ratio:.1f}%")
    assert [r[1] for r in rows if r[0] == "google-analogy"] == ["accuracy (3CosAdd)", "accuracy (3CosMul)"]
    assert len(result.rows(sections=True)) == len(rows) + 2 * (len(cosmul.sections))


def test_evaluate_report_checks_restrict_vocab() -> None:
    from embedlab import InvalidParameterError, evaluate

    with pytest.raises(InvalidParameterError, match="'restrict_vocab' parameter of report"):
        evaluate.report(Vectors(["a"], np.ones((1, 2))), restrict_vocab=0)


def test_cache_folder_that_is_a_file_is_one_line(tmp_path, monkeypatch, capsys) -> None:
    from embedlab.cli import main

    blocker = tmp_path / "home"
    blocker.write_text("not a folder")
    monkeypatch.setenv("EMBEDLAB_HOME", str(blocker))
    monkeypatch.setattr("sys.argv", ["embedlab", "serve", "glove-6b-50d"])
    with pytest.raises(SystemExit) as stop:
        main()
    last = capsys.readouterr().err.strip().splitlines()[-1]  # after the "fetching" notice
    assert stop.value.code == 1 and last.startswith("error: ") and str(blocker) in last
    assert "Traceback" not in last


@pytest.mark.parametrize(("model", "cls"), [("mf", "MatrixFactorization"),
                                            ("bpmf", "BayesianMatrixFactorization"),
                                            ("als", "ImplicitALS")])
def test_recommend_fit_picks_the_model_from_recsys_models(tmp_path, model: str, cls: str) -> None:
    ratings = tmp_path / "ratings.csv"
    ratings.write_text("user,item,rating\n" + "".join(
        f"u{u},i{i},{1 + (u * i) % 5}\n" for u in range(8) for i in range(6) if (u + i) % 3))
    result = runner.invoke(app, ["recommend", "fit", str(ratings), "-o", str(tmp_path / "m"),
                                 "--model", model, "--dim", "3", "--epochs", "2", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert f"wrote {cls} with " in result.output
    from embedlab.recsys import load_model

    assert type(load_model(tmp_path / "m")).__name__ == cls
