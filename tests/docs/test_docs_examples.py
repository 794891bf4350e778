"""Every example in README.md and docs/*.md runs as written, so printed output cannot go stale.

The pages are parsed with sybil (https://sybil.readthedocs.io). Three kinds of fenced block
run, in page order, in a fresh working folder per page (files one example writes are there
for the next):

- `` ```python `` blocks: a block starting with ``>>>`` is a doctest whose printed output must
  match (``...`` stands for any text, runs of whitespace compare equal); any other block is
  executed. Names carry over from block to block within a page.
- `` ```console `` blocks: each ``$ command`` (a trailing ``\\`` continues it) runs in bash,
  and what it prints (stdout and stderr together) must match the lines that follow it, up to
  the next ``$``; ``...`` stands for any text. ``$ export NAME=value`` sets a variable for the
  page's later commands.
- `` ```bash `` blocks run as one script; their output is not compared.

An example that cannot run here says so on the page, right above it, with
``<!-- skip: next "the reason" -->``; the test reports it as skipped with that reason.
Blocks in any other language (``text`` for file contents and messages) are never run, and
``test_no_untested_commands`` makes sure they hold no ``$`` command or ``>>>`` code.
"""

from __future__ import annotations

import doctest
import importlib
import os
import re
import subprocess
import sys
import unittest
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sybil import Document, Example, Sybil
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# The width rich tables and rules are drawn at unless a page exports another COLUMNS.
DEFAULT_COLUMNS = "80"
COMMAND_TIMEOUT_S = 600
CONSOLE_FLAGS = doctest.ELLIPSIS
PYTHON_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

_WORKDIR = "__docs_workdir__"
_ENV = "__docs_env__"


def _page_env(namespace: dict[str, Any]) -> dict[str, str]:
    env: dict[str, str] = namespace[_ENV]
    return env


def _run(command: str, namespace: dict[str, Any]) -> str:
    """Run one shell command in the page's folder; return stdout and stderr as printed."""
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=namespace[_WORKDIR],
        env=_page_env(namespace),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
    )
    return done.stdout


def _commands(source: str) -> Iterator[tuple[str, str]]:
    """Split a console block into (command, expected output) pairs."""
    command: list[str] = []
    expected: list[str] = []
    continuing = False
    for line in source.splitlines():
        if continuing:
            command.append(line)
            continuing = line.endswith("\\")
        elif line.startswith("$ "):
            if command:
                yield "\n".join(command), "\n".join(expected)
            command, expected = [line[2:]], []
            continuing = line.endswith("\\")
        else:
            if not command:
                raise ValueError(f"console block text before the first '$ ' command: {line!r}")
            expected.append(line)
    if command:
        yield "\n".join(command), "\n".join(expected)


def _tidy(text: str) -> str:
    """Trailing spaces and blank lines at the end never count."""
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n") + "\n"


def evaluate_console(example: Example) -> str | None:
    namespace = example.namespace
    checker = doctest.OutputChecker()
    mismatches = []  # every command runs: later ones may need what earlier ones made
    for command, expected in _commands(example.parsed):
        export = re.fullmatch(r"export (\w+)=(.*)", command)
        if export:
            name, value = export.groups()
            # bash expands the value (and drops a trailing comment) as it would in a shell
            _page_env(namespace)[name] = _run(f'{name}={value}\nprintf %s "${name}"', namespace)
            continue
        got = _tidy(_run(command, namespace))
        want = _tidy(expected) if expected.strip() else "\n"
        if not checker.check_output(want, got, CONSOLE_FLAGS):
            mismatches.append(f"$ {command}\nexpected:\n{want}got:\n{got}")
    return "\n".join(mismatches) or None


def evaluate_bash(example: Example) -> str | None:
    done = subprocess.run(
        ["bash", "-e", "-c", example.parsed],
        cwd=example.namespace[_WORKDIR],
        env=_page_env(example.namespace),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
    )
    if done.returncode != 0:
        return f"bash block exited with status {done.returncode}:\n{done.stdout}"
    return None


SYBIL = Sybil(
    parsers=[
        PythonCodeBlockParser(doctest_optionflags=PYTHON_FLAGS),
        CodeBlockParser("console", evaluate_console),
        CodeBlockParser("bash", evaluate_bash),
        SkipParser(),
    ],
    patterns=["*.md"],
)


def _label(page: Path) -> str:
    return str(page.relative_to(ROOT))


def _parse(page: Path) -> Document | str:
    """A page that cannot be parsed becomes one failing test, not a collection error."""
    try:
        return SYBIL.parse(page)
    except ValueError as error:
        return f"{_label(page)}: {error}"


def _examples() -> list[Any]:
    params = []
    for page in PAGES:
        document = _parse(page)
        if isinstance(document, str):
            params.append(pytest.param(page, document, id=f"{_label(page)}:parse"))
            continue
        params.extend(
            pytest.param(page, example, id=f"{_label(page)}:{example.line}")
            for example in document.examples()
        )
    return params


@pytest.fixture(scope="session")
def page_folders(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    return {page: tmp_path_factory.mktemp(page.stem) for page in PAGES}


@pytest.mark.network
@pytest.mark.slow
@pytest.mark.parametrize(("page", "example"), _examples())
def test_example(
    page: Path,
    example: Example | str,
    page_folders: dict[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if isinstance(example, str):
        pytest.fail(example)
    namespace = example.namespace
    if _WORKDIR not in namespace:
        namespace[_WORKDIR] = page_folders[page]
        env = dict(os.environ)
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONPATH"] = str(ROOT / "src")
        env["PYTHONUNBUFFERED"] = "1"  # stdout and stderr interleave as on a terminal
        env["COLUMNS"] = DEFAULT_COLUMNS
        env.pop("FORCE_COLOR", None)
        namespace[_ENV] = env
    monkeypatch.chdir(namespace[_WORKDIR])
    try:
        example.evaluate()
    except unittest.SkipTest as skip:
        pytest.skip(f"{_label(page)}:{example.line}: {skip}")


_FENCE = re.compile(r"^```(\S*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("page", PAGES, ids=_label)
def test_no_untested_commands(page: Path) -> None:
    """A command or Python prompt outside the blocks that run would go stale unseen."""
    text = page.read_text(encoding="utf-8")
    for match in _FENCE.finditer(text):
        language, body = match.groups()
        line = text.count("\n", 0, match.start()) + 1
        assert language, f"{_label(page)}:{line}: a code block without a language"
        if language in ("python", "console", "bash"):
            continue
        for row in body.splitlines():
            assert not row.startswith(("$ ", ">>> ")), (
                f"{_label(page)}:{line}: a ```{language} block holds {row!r}; "
                "use ```console for commands and ```python for code so that it runs"
            )


# Docstrings whose examples run as they are; the API reference pages show them. Add a module
# here once its examples run (some still show calls on data they do not define).
DOCSTRING_MODULES = [
    "embedlab.crossmodal.captions",
    "embedlab.nn.embedding",
    "embedlab.recsys.metrics",
    "embedlab.viz.project",
    "embedlab.vocab",
]


@pytest.mark.parametrize("module_name", DOCSTRING_MODULES)
def test_docstring_examples(module_name: str) -> None:
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=PYTHON_FLAGS)
    assert result.attempted > 0, f"{module_name} has no examples left: drop it from the list"
    assert result.failed == 0, f"{result.failed} docstring example(s) of {module_name} failed"
