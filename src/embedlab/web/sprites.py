"""Images shown as the points (the projector's sprites): one atlas of thumbnails, row by row.

The page draws each point as its thumbnail, cut from one texture: thumbnail ``i`` sits at
column ``i % per_row`` and row ``i // per_row`` of the atlas. Greyscale images travel as one
byte a pixel (the page uses the brightness as opacity, tinted by the point's colour, so white
on black Fashion-MNIST clothes read on the light canvas); colour images as three.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import DataError

MAX_SPRITES = 20_000  # one 4096 x 4096 texture of 28 x 28 thumbnails, which every WebGL holds
MAX_SIDE = 64
MAX_ATLAS_SIDE = 4096


@dataclass(frozen=True)
class SpriteAtlas:
    """Thumbnails packed into one image (uint8, ``atlas_height x atlas_width x channels``)."""

    pixels: np.ndarray
    count: int
    width: int
    height: int
    per_row: int

    @classmethod
    def pack(cls, images: Any, rows: int) -> SpriteAtlas:
        """From ``rows`` images: ``n x h x w`` (greyscale) or ``n x h x w x 3``, uint8 or floats
        in [0, 1]. Raises :class:`DataError` for a wrong count, shape or size."""
        array = np.asarray(images)
        if array.ndim not in (3, 4) or (array.ndim == 4 and array.shape[3] != 3):
            raise DataError(f"sprites: expected images shaped n x height x width (greyscale) or "
                            f"n x height x width x 3; got {array.shape}")
        if len(array) != rows:
            raise DataError(f"sprites: {len(array)} images for {rows} vectors; give one per vector")
        if rows > MAX_SPRITES or max(array.shape[1:3]) > MAX_SIDE:
            raise DataError(f"sprites: at most {MAX_SPRITES:,} images of at most {MAX_SIDE} x "
                            f"{MAX_SIDE} pixels (one WebGL texture); got {rows:,} of "
                            f"{array.shape[1]} x {array.shape[2]}")
        if array.dtype != np.uint8:
            array = np.clip(np.rint(np.asarray(array, dtype=np.float32) * 255), 0, 255).astype(np.uint8)
        height, width = array.shape[1:3]
        per_row = max(1, min(math.ceil(math.sqrt(rows)), MAX_ATLAS_SIDE // width))
        grid_rows = math.ceil(rows / per_row)
        channels = 1 if array.ndim == 3 else 3
        pixels = np.zeros((grid_rows * height, per_row * width, channels), dtype=np.uint8)
        for i, image in enumerate(array):
            r, c = divmod(i, per_row)
            pixels[r * height:(r + 1) * height, c * width:(c + 1) * width] = image.reshape(height, width, channels)
        return cls(pixels, rows, width, height, per_row)

    def describe(self) -> dict[str, int]:
        """What the page needs to cut the atlas (``/api/info``'s ``sprites``)."""
        return {"count": self.count, "width": self.width, "height": self.height,
                "per_row": self.per_row, "atlas_width": int(self.pixels.shape[1]),
                "atlas_height": int(self.pixels.shape[0]), "channels": int(self.pixels.shape[2])}
