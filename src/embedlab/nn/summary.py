"""A Keras-style summary table for a stack of layers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


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


def format_summary(title: str, rows: Sequence[LayerRow]) -> str:
    """The table as Keras 2 prints it, with thousands separators in the counts."""
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
