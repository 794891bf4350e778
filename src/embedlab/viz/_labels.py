"""Word labels that never overlap: each label takes the nearest free place around its point.

A greedy placement in screen pixels, measured with the figure's renderer: labels are placed
in priority order (the caller's word order), each at the first candidate position around its
point (eight directions, growing distances) that stays inside the axes and touches no label
already placed, preferring positions that cover no other point. A label moved far from its
point gets a thin leader line. One that finds no free place is left out (its point stays).
Deterministic, so the same words give the same picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._figure import renderer_of

# Directions, tried in this order: right, up, left, down first (they read best), then the
# corners, then above and below shifted sideways by half a label (room between neighbours).
_DIRECTIONS = ((1, 0), (0, 1), (-1, 0), (0, -1), (1, 1), (-1, 1), (-1, -1), (1, -1),
               (0.5, 1), (-0.5, 1), (0.5, -1), (-0.5, -1))
_GAPS_PX = (2.0, 5.0, 9.0, 14.0, 20.0, 28.0, 38.0, 50.0, 66.0, 86.0, 116.0)  # edge to point
_LEADER_FROM_PX = 20.0  # farther than this from its point, a label gets a leader line
_PAD_PX = 1.0  # kept free around every label


def _hits(boxes: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Which of ``boxes`` (rows of x0, y0, x1, y1) intersect ``box``."""
    if len(boxes) == 0:
        return np.zeros(0, dtype=bool)
    hits: np.ndarray = (
        (boxes[:, 0] < box[2]) & (box[0] < boxes[:, 2])
        & (boxes[:, 1] < box[3]) & (box[1] < boxes[:, 3])
    )
    return hits


def place_labels(
    ax: Any,
    xy: np.ndarray,
    texts: Sequence[str],
    styles: Sequence[dict[str, Any]],
    obstacles: np.ndarray,
    marker_px: float,
) -> list[Any]:
    """Annotate point ``xy[i]`` (data coordinates) with ``texts[i]``, drawn with ``styles[i]``.

    Args:
        ax: The axes; their limits and position must be final (labels are placed in pixels).
        xy: One row per label, in data coordinates.
        texts: The labels, in priority order (earlier ones get the better places).
        styles: Keyword arguments of each label's text (fontsize, color, weight, zorder).
        obstacles: Every point drawn (data coordinates), which labels prefer not to cover.
        marker_px: The radius of a marker in pixels (labels start beyond it).

    Returns:
        The annotations drawn, in the order of ``texts`` (labels that found no place are left
        out).
    """
    fig = ax.get_figure()
    renderer = renderer_of(fig)
    to_px = ax.transData.transform
    frame = ax.get_window_extent(renderer)
    dots = to_px(obstacles) if len(obstacles) else np.zeros((0, 2))
    dot_boxes = np.hstack([dots - marker_px, dots + marker_px])
    placed = np.zeros((0, 4))
    pixels_per_point = fig.dpi / 72.0
    drawn = []
    for (x, y), point, text, style in zip(to_px(xy), xy, texts, styles, strict=True):
        probe = ax.text(0, 0, text, ha="center", va="center", **style)  # measured, then removed
        extent = probe.get_window_extent(renderer)
        probe.remove()
        half_w, half_h = extent.width / 2 + _PAD_PX, extent.height / 2 + _PAD_PX
        fallback = None
        chosen = None
        for gap in _GAPS_PX:
            for dx, dy in _DIRECTIONS:
                cx = x + dx * (half_w + marker_px + gap)
                cy = y + dy * (half_h + marker_px + gap)
                box = np.array([cx - half_w, cy - half_h, cx + half_w, cy + half_h])
                inside = (frame.x0 <= box[0] and box[2] <= frame.x1
                          and frame.y0 <= box[1] and box[3] <= frame.y1)
                if not inside or _hits(placed, box).any():
                    continue
                if not _hits(dot_boxes, box).any():
                    chosen = (box, gap)
                    break
                if fallback is None:
                    fallback = (box, gap)
            if chosen is not None:
                break
        chosen = chosen or fallback
        if chosen is None:  # nowhere free: leave this word unlabelled rather than overlap
            continue
        box, gap = chosen
        offset = (((box[0] + box[2]) / 2 - x) / pixels_per_point,
                  ((box[1] + box[3]) / 2 - y) / pixels_per_point)
        leader = ({"arrowstyle": "-", "color": "0.65", "lw": 0.5, "shrinkA": 0,
                   "shrinkB": marker_px / pixels_per_point}
                  if gap >= _LEADER_FROM_PX else None)
        drawn.append(ax.annotate(text, tuple(point), xytext=offset, textcoords="offset points",
                                 ha="center", va="center", arrowprops=leader, **style))
        placed = np.vstack([placed, box])
    return drawn
