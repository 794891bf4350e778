"""Figures that leave matplotlib's global state alone, and the one way the package saves them.

Figures are built as ``matplotlib.figure.Figure`` objects, never through pyplot: pyplot would
register each one in its global list (so the reader's next ``plt.plot`` draws onto our word
plot, and twenty calls trigger its "too many figures" warning), and choosing a backend is the
reader's business (a notebook's inline backend, a window, or none), not a library's.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from .._io import atomic_write
from ..errors import InvalidParameterError, require

# Extension -> matplotlib's format name (JPEG has two common extensions).
FORMATS = {"png": "png", "svg": "svg", "pdf": "pdf", "jpg": "jpeg", "jpeg": "jpeg"}


def _figure_class() -> Any:
    require("matplotlib", "viz")
    from matplotlib.figure import Figure

    class ShownFigure(Figure):
        """A Figure that displays itself as a PNG in Jupyter, even if pyplot was never imported."""

        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png")
            return buffer.getvalue()

    return ShownFigure


def new_axes(
    ax: Any | None, figsize: tuple[float, float], dpi: float
) -> tuple[Any, Any, bool]:
    """``(figure, axes, owned)``: the given axes and their figure, or a new pyplot-free pair.

    ``owned`` is True for a new figure: only then may the caller tidy its layout (a figure the
    reader passed in belongs to the reader's subplot grid).
    """
    if ax is not None:
        return ax.get_figure(), ax, False
    fig = _figure_class()(figsize=figsize, dpi=dpi)
    return fig, fig.subplots(), True


def renderer_of(fig: Any) -> Any:
    """A renderer that measures text as ``fig`` will draw it (its own canvas's, or Agg's)."""
    get = getattr(fig.canvas, "get_renderer", None)
    if get is not None:
        return get()
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    # A figure made without pyplot has a bare canvas: give it Agg's (this touches no global
    # backend setting; savefig still picks the writer from the file's extension).
    canvas: Any = FigureCanvasAgg(fig)
    return canvas.get_renderer()


def save_figure(fig: Any, path: str | Path, dpi: float | None = None) -> Path:
    """Write a figure as PNG, SVG, PDF or JPEG (by extension), atomically.

    Args:
        fig: A matplotlib figure.
        path: The file to write; its extension (``.png``, ``.svg``, ``.pdf``, ``.jpg`` or
            ``.jpeg``) picks the format.
        dpi: Resolution of PNG and JPEG files; None for the figure's own.

    Returns:
        ``path``, as a :class:`~pathlib.Path`.

    Raises:
        InvalidParameterError: Any other extension.
    """
    target = Path(path)
    kind = target.suffix.lower().lstrip(".")
    if kind not in FORMATS:
        raise InvalidParameterError(
            f"{target}: figures are written as .png, .svg, .pdf or .jpg, not {kind!r}; "
            "change the file's extension"
        )
    with atomic_write(target) as handle:
        fig.savefig(handle, format=FORMATS[kind], dpi=dpi if dpi is not None else "figure")
    return target
