"""One progress bar for the whole library: rich, with rate and ETA, silent when not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class _Silent:
    def advance(self, n: float = 1, **fields: Any) -> None:
        """Do nothing: progress is off."""


class _Bar:
    def __init__(self, progress: Any, task: Any) -> None:
        self._progress = progress
        self._task = task

    def advance(self, n: float = 1, **fields: Any) -> None:
        self._progress.update(self._task, advance=n, **fields)


@contextmanager
def progress_bar(
    total: float | None, description: str, enabled: bool = True
) -> Iterator[_Bar | _Silent]:
    """A bar that counts to ``total`` with ETA; a no-op unless ``enabled`` and stderr is a tty.

    ``advance(n, info="loss 0.31")`` moves it on and sets the text shown beside it (rates,
    losses).
    """
    if not enabled or not sys.stderr.isatty():
        yield _Silent()
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task(description, total=total, info="")
        yield _Bar(progress, task)
