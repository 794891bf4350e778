"""One progress bar for the whole library: live in a terminal and in Jupyter, silent when piped.

Built on rich (already a dependency) rather than tqdm. rich draws the terminal bar and renders
the very same columns to HTML for Jupyter. rich's own Jupyter mode (``Live``) needs ipywidgets,
and a widget's output does not survive into a saved or nbconvert-rendered notebook; so in a
notebook this module updates one IPython display in place (``display_id``), which Jupyter,
VS Code and Colab all redraw live and which stays in the saved notebook as plain HTML.

Usage, everywhere something takes long::

    with progress_bar(total, "epoch 1/3", enabled=progress, unit="batches") as bar:
        for ...:
            bar.advance(1, info="loss 0.31")

``unit`` names what is counted: ``"bytes"`` shows megabytes and MB/s (loading, downloads),
any other word shows ``done/total word`` and ``word/s`` (``"iterations"`` for t-SNE). A
float ``total`` that is not a whole number (a fraction done, ``total=1.0``) shows a percentage,
never "0/1". :func:`say` prints a one-line message where the bars would go.
"""

from __future__ import annotations

import html
import io
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.text import Text

# Jupyter has no terminal width: rich lays the bar out for this many characters (a longer
# line of figures folds rather than being cut).
NOTEBOOK_WIDTH = 120
# A notebook redraw sends HTML to the browser: at most this many per second.
NOTEBOOK_REFRESH_PER_SECOND = 8.0


class _Silent:
    def advance(self, n: float = 1, **fields: Any) -> None:
        """Do nothing: progress is off."""


def in_notebook() -> bool:
    """True inside a Jupyter kernel (rich's own test: an IPython ZMQ shell, or Colab)."""
    if "IPython" not in sys.modules:  # never import IPython just to find out
        return False
    return bool(Console().is_jupyter)


def say(message: str, enabled: bool = True) -> None:
    """Print ``message`` where the bars are drawn (stderr or the notebook); nothing when off.

    Unlike the bars, a message is also printed when stderr is piped: it says what happened
    (early stopping, a download) and a log file should keep it.
    """
    if enabled:
        print(f"embedlab: {message}", file=sys.stderr, flush=True)


def _columns(unit: str, fraction: bool) -> list[ProgressColumn]:
    counted: list[ProgressColumn]
    if unit == "bytes":
        counted = [DownloadColumn(), TransferSpeedColumn()]
    elif fraction:
        counted = [TaskProgressColumn()]
    else:
        counted = [_CountColumn(unit), _RateColumn(unit)]
    return [
        TextColumn("[progress.description]{task.description}"),
        BarColumn(bar_width=20),
        *counted,
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    ]


class _TwoLineProgress(Progress):
    """The bar on one line, the figures beside it (loss, accuracy) on the next.

    Figures of any length then fit in 80 columns without squeezing or cutting the bar's own
    columns, which a single line of a rich table would do.
    """

    def get_renderables(self) -> Iterable[RenderableType]:
        for task in self.tasks:
            yield self.make_tasks_table([task])
            info = str(task.fields.get("info", ""))
            if info:
                yield Text("  " + info, overflow="fold")


class _CountColumn(ProgressColumn):
    """``12/40 batches``: what is done out of what there is, in the bar's own unit."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        total = "?" if task.total is None else f"{int(task.total):,}"
        return Text(f"{int(task.completed):,}/{total} {self.unit}", style="progress.download")


class _RateColumn(ProgressColumn):
    """``35.2 batches/s``: the recent rate (rich averages it over the last seconds)."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        shown = "?" if speed is None else (f"{speed:,.1f}" if speed < 100 else f"{speed:,.0f}")
        return Text(f"{shown} {self.unit}/s", style="progress.data.speed")


class _Bar:
    """A rich task that something (terminal or notebook display) redraws."""

    def __init__(self, progress: Progress, task: TaskID, redraw: Any = None) -> None:
        self._progress = progress
        self._task = task
        self._redraw = redraw

    def advance(self, n: float = 1, **fields: Any) -> None:
        self._progress.update(self._task, advance=n, **fields)
        if self._redraw is not None:
            # ``advance(0, info=...)`` announces a new phase (a download starting, the
            # validation figures): shown at once, where counting steps are rate-limited.
            self._redraw(n == 0)


class _NotebookDisplay:
    """Renders a rich Progress to HTML and updates one IPython display with it."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._handle: Any = None
        self._last = 0.0

    def _bundle(self) -> dict[str, str]:
        console = Console(file=io.StringIO(), record=True, width=NOTEBOOK_WIDTH,
                          color_system="truecolor", force_terminal=True, force_jupyter=False)
        console.print(self._progress.get_renderable())
        text = console.export_text(clear=False).rstrip()
        body = console.export_html(
            inline_styles=True,
            code_format=('<pre style="font-family:Menlo,Consolas,monospace;font-size:12px;'
                         'line-height:1.3;margin:0;white-space:pre-wrap">{code}</pre>'),
        )
        return {
            "text/html": f'<div class="embedlab-progress" title="{html.escape(text)}">{body}</div>',
            "text/plain": text,
        }

    def __call__(self, now: bool) -> None:
        """Redraw; unless ``now``, at most NOTEBOOK_REFRESH_PER_SECOND times a second."""
        clock = time.monotonic()
        if not now and clock - self._last < 1.0 / NOTEBOOK_REFRESH_PER_SECOND:
            return
        self._last = clock
        from IPython.display import display

        if self._handle is None:
            self._handle = display(self._bundle(), raw=True, display_id=True)  # type: ignore[no-untyped-call]
        else:
            self._handle.update(self._bundle(), raw=True)


def _is_fraction(total: float | None) -> bool:
    """A float total up to 1 (or not whole) is a fraction done: shown as a percentage."""
    return isinstance(total, float) and (total <= 1.0 or not total.is_integer())


@contextmanager
def progress_bar(
    total: float | None, description: str, enabled: bool = True, unit: str = "steps"
) -> Iterator[_Bar | _Silent]:
    """A bar that counts to ``total`` in ``unit`` with rate and ETA (see the module's text).

    Drawn live in Jupyter and on a terminal; a no-op when not ``enabled`` or when stderr is
    piped. ``advance(n, info="loss 0.31")`` moves it on and sets the text shown beside it.
    """
    if not enabled:
        yield _Silent()
        return
    notebook = in_notebook()
    if not notebook and not sys.stderr.isatty():
        yield _Silent()
        return
    columns = _columns(unit, _is_fraction(total))
    if notebook:
        progress = _TwoLineProgress(*columns, auto_refresh=False, console=Console(file=io.StringIO()))
        task = progress.add_task(description, total=total, info="")
        show = _NotebookDisplay(progress)
        show(True)
        try:
            yield _Bar(progress, task, show)
        finally:
            progress.stop_task(task)
            show(True)
        return
    with _TwoLineProgress(*columns, transient=False, console=Console(stderr=True)) as progress:
        task = progress.add_task(description, total=total, info="")
        yield _Bar(progress, task)
