"""Real images: Fashion-MNIST (Debian package ``dataset-fashion-mnist``) or scikit-learn's digits.

Both are entries of the one dataset registry (:mod:`embedlab.datasets`, kind ``"images"``),
which names the loaders below and knows where Fashion-MNIST is installed. Fashion-MNIST is read
straight from its IDX files (``*-ubyte.gz``). scikit-learn's 8x8 digits are the fallback that
every machine with the ``[viz]`` extra has.
"""

from __future__ import annotations

import gzip
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import datasets
from ..errors import DatasetError, FormatError, InvalidParameterError, require

IMAGES = "images"  # the registry's kind for these entries
FASHION_CLASSES = (
    "t-shirt", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle boot",
)
DIGIT_CLASSES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@dataclass
class ImageSet:
    """Greyscale images as float32 ``n x height x width`` in [0, 1], integer labels, class names."""

    images: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    name: str

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def take(self, n: int, seed: int = 0) -> ImageSet:
        """A random sample of ``n`` images (all of them if there are fewer).

        Args:
            n: How many images to keep.
            seed: Seed of the sample.

        Returns:
            A new :class:`ImageSet` with the sampled images in their original order.
        """
        rng = np.random.default_rng(seed)
        rows = np.sort(rng.permutation(len(self))[: min(n, len(self))])
        return ImageSet(self.images[rows], self.labels[rows], self.class_names, self.name)


def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (the MNIST container: magic, dimensions, unsigned bytes).

    Args:
        path: The file, gzip-compressed when its name ends in ``.gz``.

    Returns:
        The uint8 array, shaped as the header says.

    Raises:
        FormatError: The magic is wrong, the header is truncated or the body has the wrong size.
    """
    with gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb") as handle:
        data = handle.read()
    if len(data) < 4 or data[0:2] != b"\x00\x00" or data[2] != 0x08:
        raise FormatError("not an IDX file of unsigned bytes (bad magic)", path, None)
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise FormatError("IDX header is truncated", path)
    shape = struct.unpack(f">{ndim}I", data[4:header])
    expected = int(np.prod(shape))
    if len(data) - header != expected:
        raise FormatError(
            f"IDX body holds {len(data) - header} bytes, expected {expected} for shape {shape}",
            path,
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def read_fashion_mnist(folder: Path, split: str) -> ImageSet:
    """One split (``"train"``: 60,000 images, ``"test"``: 10,000) of the IDX files in
    ``folder``.

    Args:
        folder: The folder of the ``*-ubyte.gz`` files.
        split: ``"train"`` or ``"test"``.

    Returns:
        The images (float32 in [0, 1]) with their labels and class names.

    Raises:
        DatasetError: The images file is missing (Fashion-MNIST is not installed).
        FormatError: A file is not a valid IDX file.
    """
    prefix = "train" if split == "train" else "t10k"
    images_file = folder / f"{prefix}-images-idx3-ubyte.gz"
    if not images_file.exists():
        raise DatasetError(
            f"Fashion-MNIST is not installed ({images_file} is missing); install it with "
            "`apt-get install dataset-fashion-mnist`, or use name='digits'"
        )
    images = read_idx(images_file).astype(np.float32) / 255.0
    labels = read_idx(folder / f"{prefix}-labels-idx1-ubyte.gz").astype(np.int64)
    return ImageSet(images, labels, FASHION_CLASSES, "fashion-mnist")


def read_digits(split: str) -> ImageSet:
    """scikit-learn's digits; a fixed 80/20 split (seed 0) stands in for an official one.

    Args:
        split: ``"train"`` (the 80%) or ``"test"`` (the 20%).

    Returns:
        The 8 x 8 images (float32 in [0, 1]) with their labels and class names.

    Raises:
        MissingExtraError: scikit-learn (the ``[viz]`` extra) is not installed.
    """
    sk_datasets = require("sklearn.datasets", "viz")
    digits = sk_datasets.load_digits()
    order = np.random.default_rng(0).permutation(len(digits.target))
    cut = int(0.8 * len(order))
    rows = np.sort(order[:cut] if split == "train" else order[cut:])
    images = (digits.images[rows] / 16.0).astype(np.float32)
    return ImageSet(images, digits.target[rows].astype(np.int64), DIGIT_CLASSES, "digits")


def fashion_mnist_splits(folder: Path) -> tuple[ImageSet, ImageSet]:
    """``(train, test)`` of Fashion-MNIST (``datasets.load("fashion-mnist")``).

    Args:
        folder: The folder of the ``*-ubyte.gz`` files.

    Returns:
        The training set (60,000 images) and the test set (10,000).

    Raises:
        DatasetError: Fashion-MNIST is not installed.
        FormatError: A file is not a valid IDX file.
    """
    return read_fashion_mnist(folder, "train"), read_fashion_mnist(folder, "test")


def digits_splits() -> tuple[ImageSet, ImageSet]:
    """``(train, test)`` of the digits (``datasets.load("digits")``).

    Returns:
        The training set (80%) and the test set (20%).

    Raises:
        MissingExtraError: scikit-learn (the ``[viz]`` extra) is not installed.
    """
    return read_digits("train"), read_digits("test")


def _fashion_folder() -> Path:
    return Path(datasets.info("fashion-mnist").location)


def load_images(name: str = "auto", split: str = "train") -> ImageSet:
    """Load ``"fashion-mnist"`` or ``"digits"``; ``"auto"`` takes Fashion-MNIST when installed.

    ``split`` is ``"train"`` or ``"test"``. Digits has no official split: a fixed 80/20 split
    (seed 0) stands in for one.

    Args:
        name: ``"fashion-mnist"``, ``"digits"`` or ``"auto"``.
        split: ``"train"`` or ``"test"``.

    Returns:
        The images of that split.

    Raises:
        InvalidParameterError: ``split`` is neither ``"train"`` nor ``"test"``.
        DatasetError: ``name`` is no image set of the registry, or Fashion-MNIST is not
            installed.
        FormatError: A Fashion-MNIST file is not a valid IDX file.
        MissingExtraError: ``"digits"`` is loaded without scikit-learn (the ``[viz]`` extra).
    """
    if split not in ("train", "test"):
        raise InvalidParameterError(
            f"The 'split' parameter of load_images must be 'train' or 'test'. Got {split!r} instead."
        )
    if name == "auto":
        installed = (_fashion_folder() / "t10k-images-idx3-ubyte.gz").exists()
        name = "fashion-mnist" if installed else "digits"
    if name == "fashion-mnist":
        return read_fashion_mnist(_fashion_folder(), split)
    if name == "digits":
        return read_digits(split)
    choices = [entry.name for entry in datasets.list() if entry.kind == IMAGES]
    raise DatasetError(
        f"unknown image dataset {name!r}; choose {', '.join(map(repr, choices))} or 'auto'"
    )
