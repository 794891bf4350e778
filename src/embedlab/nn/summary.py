"""A Keras-style summary table for a stack of layers, as Keras 2 or Keras 3 prints it."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ..errors import check_param

Layout = Literal["keras2", "keras3"]


@dataclass(frozen=True)
class LayerRow:
    """One row of the table: Keras's ``name (Type)``, output shape and parameter count."""

    name: str
    kind: str
    output_shape: tuple[int | None, ...]
    params: int
    trainable: bool = True


def _shape(shape: tuple[int | None, ...]) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def format_summary(
    title: str, rows: Sequence[LayerRow], layout: Layout = "keras2", line_length: int | None = None
) -> str:
    """The table as Keras prints it, with thousands separators in the counts.

    ``layout="keras2"`` gives Keras 2's underscores and equals signs; ``"keras3"`` the box
    table Keras 3 draws (with rich, uncoloured as it is when given a ``print_fn``), its
    columns spread over ``line_length`` characters (Keras's default: 88, or the terminal's
    width less 4 when narrower), and the weights' size after each count (float32).
    """
    check_param(layout in ("keras2", "keras3"), "layout", "format_summary", "'keras2' or 'keras3'", layout)
    if layout == "keras3":
        return _keras3(title, rows, line_length)
    width_layer = max(34, *(len(f"{r.name} ({r.kind})") + 2 for r in rows))
    width_shape = max(22, *(len(_shape(r.output_shape)) + 2 for r in rows))
    width_params = 12
    total_width = width_layer + width_shape + width_params
    lines = [
        f'Model: "{title}"',
        "_" * total_width,
        " Layer (type)".ljust(width_layer) + "Output Shape".ljust(width_shape) + "Param #".rjust(width_params),
        "=" * total_width,
    ]
    for i, row in enumerate(rows):
        lines.append(
            f" {row.name} ({row.kind})".ljust(width_layer)
            + _shape(row.output_shape).ljust(width_shape)
            + f"{row.params:,}".rjust(width_params)
        )
        lines.append(("_" if i < len(rows) - 1 else "=") * total_width)
    total = sum(r.params for r in rows)
    trainable = sum(r.params for r in rows if r.trainable)
    lines += [
        f"Total params: {total:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {total - trainable:,}",
        "_" * total_width,
    ]
    return "\n".join(lines)


# Keras 3 draws its summary as a rich table (box.HEAVY_HEAD), one rule between rows.
_TOP, _HEAD, _RULE, _BOTTOM = "┏━┳┓", "┡━╇┩", "├─┼┤", "└─┴┘"


def _keras3(title: str, rows: Sequence[LayerRow], line_length: int | None) -> str:
    length = line_length or min(88, shutil.get_terminal_size().columns - 4)
    check_param(isinstance(length, int) and length >= 40, "line_length", "format_summary",
                "an int >= 40 (or None)", line_length)
    # Keras asks rich for columns ending at 45%, 80% and 100% of the line, each padded by a
    # space either side; that overshoots the line by 6 plus 4 border characters, and rich
    # takes the 10 back evenly (3, 4, 3, its ratio_reduce with Python's rounding).
    ends = [int(p * length) for p in (0.45, 0.80, 1.0)]
    asked = [end - start for start, end in zip([0, *ends], ends, strict=False)]
    cells = [w + 2 - cut for w, cut in zip(asked, (3, 4, 3), strict=True)]
    align = ("left", "left", "right")

    def rule(chars: str) -> str:
        left, fill, cross, right = tuple(chars)
        return left + cross.join(fill * c for c in cells) + right

    def line(texts: Sequence[str], bar: str) -> list[str]:
        wrapped = [_wrap(t, c - 2) for t, c in zip(texts, cells, strict=True)]
        out = []
        for i in range(max(map(len, wrapped))):
            parts = []
            for lines, c, how in zip(wrapped, cells, align, strict=True):
                text = lines[i] if i < len(lines) else ""
                text = text.rjust(c - 2) if how == "right" else text.ljust(c - 2)
                parts.append(f" {text} ")
            out.append(bar + bar.join(parts) + bar)
        return out

    lines = [f'Model: "{title}"', rule(_TOP)]
    lines += line(("Layer (type)", "Output Shape", "Param #"), "┃")
    lines.append(rule(_HEAD))
    for i, row in enumerate(rows):
        lines += line((f"{row.name} ({row.kind})", _shape(row.output_shape), f"{row.params:,}"), "│")
        lines.append(rule(_RULE if i < len(rows) - 1 else _BOTTOM))
    total = sum(r.params for r in rows)
    trainable = sum(r.params for r in rows if r.trainable)
    for label, count in (("Total", total), ("Trainable", trainable), ("Non-trainable", total - trainable)):
        lines.append(f" {label} params: {count:,} ({_size(4 * count)})")
    return "\n".join(lines)


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap on spaces, as rich wraps a table cell (a longer word is cut)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word if len(word) <= width else word[: width - 1] + "…")
    return lines or [""]


def _size(nbytes: float) -> str:
    """Keras 3's readable size: 1024-based units, two decimals."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if nbytes / 1024 < 1:
            return f"{nbytes:.2f} {unit}"
        nbytes /= 1024
    return f"{nbytes:.2f} PB"
