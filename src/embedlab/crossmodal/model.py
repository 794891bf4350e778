"""The dual encoder: a small CNN for images, an embedding bag for text, one shared space."""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from .. import distributed
from .._params import Boolean, ConstraintSpec, Device, Interval, SequenceOf, String, validate_params
from .._progress import progress_bar
from ..errors import DataError, check_param
from ..neighbors.topk import top_k
from ..text import tokenize
from ..vectors import Vectors
from ..vocab import Vocab
from .captions import TRAIN_TEMPLATES

_CONFIG_KEYS = ("vector_size", "embedding_dim", "max_tokens", "vocab_size", "channels", "dataset")
_FORMAT = "embedlab.dual-encoder/1"


class ImageEncoder(nn.Module):
    """Three 3x3 convolutions with ReLU and pooling, then a global average: ``channels[-1]`` features.

    Adaptive pooling at the end makes it work on any image size (28x28 Fashion-MNIST, 8x8 digits).

    Args:
        channels: The width of each convolution; the last is the number of features.

    Shape:
        - Input: ``(N, 1, H, W)``, greyscale images of any size.
        - Output: ``(N, C)`` where ``C = channels[-1]``.
    """

    def __init__(self, channels: Sequence[int]) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        previous = 1
        for i, width in enumerate(channels):
            layers += [nn.Conv2d(previous, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU()]
            if i < len(channels) - 1:
                layers.append(nn.MaxPool2d(2, ceil_mode=True))
            previous = width
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        self.body = nn.Sequential(*layers)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """The features of ``images``.

        Args:
            images: A batch of greyscale images, ``(N, 1, H, W)``.

        Returns:
            The ``(N, channels[-1])`` features.
        """
        encoded: torch.Tensor = self.body(images)
        return encoded


class TextEncoder(nn.Module):
    """Token embeddings averaged over the real (non-padding) tokens, then a ReLU layer.

    Args:
        vocab_size: Number of token ids (id 0 is padding).
        embedding_dim: Length of the token embeddings and of the output.

    Shape:
        - Input: ``(N, L)``, token ids padded with 0.
        - Output: ``(N, E)`` where ``E = embedding_dim``.
    """

    def __init__(self, vocab_size: int, embedding_dim: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.hidden = nn.Sequential(nn.Linear(embedding_dim, embedding_dim), nn.ReLU())

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """The encoding of each row of token ids.

        Args:
            ids: Token ids, ``(N, L)``, padded with 0.

        Returns:
            The ``(N, embedding_dim)`` encodings.
        """
        mask = (ids != 0).unsqueeze(-1).float()
        summed = (self.embedding(ids) * mask).sum(dim=1)
        hidden: torch.Tensor = self.hidden(summed / mask.sum(dim=1).clamp(min=1.0))
        return hidden


class _Towers(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self.image = ImageEncoder(config["channels"])
        self.text = TextEncoder(config["vocab_size"], config["embedding_dim"])
        self.image_proj = nn.Linear(config["channels"][-1], config["vector_size"])
        self.text_proj = nn.Linear(config["embedding_dim"], config["vector_size"])
        # CLIP's initial temperature 0.07, learnt in log space.
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def embed_images(self, images: torch.Tensor) -> torch.Tensor:
        return nn.functional.normalize(self.image_proj(self.image(images)), dim=-1)

    def embed_texts(self, ids: torch.Tensor) -> torch.Tensor:
        return nn.functional.normalize(self.text_proj(self.text(ids)), dim=-1)

    def forward(self, images: torch.Tensor, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # one forward for both towers: what DistributedDataParallel wraps
        return self.embed_images(images), self.embed_texts(ids)


def contrastive_loss(
    image_emb: torch.Tensor, text_emb: torch.Tensor, scale: torch.Tensor, groups: torch.Tensor | None
) -> torch.Tensor:
    """Symmetric InfoNCE over a batch of matched (image, text) rows.

    With ``groups`` (class labels), every pair in the same group counts as a match and the target
    spreads evenly over them: captions made from class names repeat within a batch, and treating
    a same-class caption as a negative would punish the right answer.

    Args:
        image_emb: Unit image embeddings, one row per pair.
        text_emb: Unit text embeddings, row ``i`` matched with image ``i``.
        scale: The logit scale (inverse temperature).
        groups: Class label of each pair, or None when only row ``i`` matches row ``i``.

    Returns:
        The mean of the image-to-text and text-to-image cross-entropies (a scalar).
    """
    logits = scale * image_emb @ text_emb.T
    if groups is None:
        target = torch.eye(len(logits), device=logits.device)
    else:
        target = (groups.unsqueeze(0) == groups.unsqueeze(1)).float()
    target = target / target.sum(dim=1, keepdim=True)
    image_to_text = -(target * logits.log_softmax(dim=1)).sum(dim=1).mean()
    text_to_image = -(target * logits.log_softmax(dim=0)).sum(dim=0).mean()
    return (image_to_text + text_to_image) / 2


class DualEncoder:
    """Images and texts trained into one ``dim``-dimensional space (CLIP, small).

    Example::

        train = load_images("fashion-mnist", "train")
        model = DualEncoder(vector_size=64, epochs=3).fit(
            train.images, make_captions(train.labels, train.class_names), labels=train.labels)
        model.zero_shot(test.images, test.class_names)   # class ids from text prompts alone
    """

    def __init__(
        self,
        vector_size: int = 64,
        embedding_dim: int = 64,
        max_tokens: int = 16,
        vocab_size: int = 5000,
        channels: Sequence[int] = (32, 64, 128),
        epochs: int = 4,
        batch_size: int = 256,
        learning_rate: float = 2e-3,
        weight_decay: float = 1e-4,
        seed: int = 0,
        device: str = "cpu",
        progress: bool = True,
        dataset: str | None = None,
    ) -> None:
        self.vector_size = vector_size
        self.embedding_dim = embedding_dim
        self.max_tokens = max_tokens
        self.vocab_size = vocab_size
        self.channels = channels
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.seed = seed
        self.device = device
        self.progress = progress
        self.dataset = dataset  # the image set it was trained on, kept with the saved model
        self.vocab: Vocab | None = None
        self.towers: _Towers | None = None
        self.history: list[float] = []

    # Every parameter, declared once; fit() checks them (see embedlab._params).
    _parameter_constraints: ClassVar[dict[str, list[ConstraintSpec]]] = {
        "vector_size": [Interval(int, 1, None)],
        "embedding_dim": [Interval(int, 1, None)],
        "max_tokens": [Interval(int, 1, None)],
        "vocab_size": [Interval(int, 3, None)],
        "channels": [SequenceOf(Interval(int, 1, None))],
        "epochs": [Interval(int, 1, None)],
        "batch_size": [Interval(int, 1, None)],
        "learning_rate": [Interval(float, 0, None, closed="right")],
        "weight_decay": [Interval(float, 0, None)],
        "seed": [Interval(int, 0, None)],
        "device": [Device()],
        "progress": [Boolean()],
        "dataset": [None, String()],
    }

    def _validate(self) -> None:
        validate_params(self, "DualEncoder")

    # ------------------------------------------------------------------ inputs
    @staticmethod
    def _images(images: np.ndarray) -> torch.Tensor:
        array = np.asarray(images)
        if array.dtype == np.uint8:
            array = array.astype(np.float32) / 255.0
        elif not np.issubdtype(array.dtype, np.floating):
            raise DataError(
                f"images must be uint8 (0-255) or float (0-1) arrays; got dtype {array.dtype}"
            )
        if array.ndim == 4 and array.shape[1] == 1:
            array = array[:, 0]
        if array.ndim != 3:
            raise DataError(
                "images must be greyscale with shape (n, height, width) or (n, 1, height, width); "
                f"got shape {array.shape}"
            )
        if not np.isfinite(array).all():
            raise DataError("images hold NaN or infinite values")
        return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32)).unsqueeze(1)

    def _texts(self, texts: Sequence[str]) -> torch.Tensor:
        if self.vocab is None:
            raise DataError("the model is not trained yet: call fit() first")
        if isinstance(texts, str):
            raise DataError("pass a list of texts, not one string")
        token_lists = [tokenize(t) if isinstance(t, str) else None for t in texts]
        for i, tokens in enumerate(token_lists):
            if tokens is None:
                raise DataError(f"text {i} is not a string: {texts[i]!r}")
            if not tokens:
                raise DataError(f"text {i} ({texts[i]!r}) is empty: it holds no words to encode")
        too_long = sum(len(t) > self.max_tokens for t in token_lists)
        if too_long:
            warnings.warn(
                f"{too_long} text(s) were longer than max_tokens={self.max_tokens} words and "
                "were truncated to their first words",
                stacklevel=3,
            )
        ids = self.vocab.encode_batch(token_lists, self.max_tokens)
        return torch.from_numpy(ids)

    # ------------------------------------------------------------------ training
    def fit(
        self,
        images: np.ndarray,
        captions: Sequence[str],
        labels: Sequence[int] | np.ndarray | None = None,
    ) -> DualEncoder:
        """Train on matched images and captions.

        ``labels`` (optional) marks captions that describe the same thing (the class): pairs
        with equal labels are all treated as matches by the loss.

        Args:
            images: Greyscale images, ``(n, height, width)``, uint8 (0-255) or float (0-1).
            captions: One caption per image.
            labels: The class of each pair, or None.

        Returns:
            The model itself, trained.

        Raises:
            InvalidParameterError: A setting of the model is out of range.
            DataError: The images are malformed, the counts of images, captions and labels
                differ, there are fewer than two pairs, or a caption is empty or not a string.
        """
        self._validate()
        image_t = self._images(images)
        if len(captions) != len(image_t):
            raise DataError(
                f"there are {len(image_t)} images but {len(captions)} captions; give one caption "
                "per image"
            )
        if len(image_t) < 2:
            raise DataError("contrastive training needs at least two image-caption pairs")
        if labels is not None and len(labels) != len(image_t):
            raise DataError(f"there are {len(image_t)} images but {len(labels)} labels")
        self.vocab = Vocab.build(
            [tokenize(c) for c in captions if isinstance(c, str)], max_size=self.vocab_size
        )
        text_t = self._texts(captions)
        group_t = None if labels is None else torch.as_tensor(np.asarray(labels), dtype=torch.long)
        torch.manual_seed(self.seed)
        self.towers = _Towers(self._config()).to(self.device)
        optimiser = torch.optim.AdamW(
            self.towers.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay
        )
        generator = torch.Generator().manual_seed(self.seed)
        n = len(image_t)
        steps = math.ceil(n / self.batch_size)
        self.history = []
        ranks = distributed.context()  # under torchrun: each rank embeds its share of a batch
        trained = distributed.wrap(self.towers)
        with progress_bar(self.epochs * steps, "dual encoder", self.progress and ranks.is_main,
                          unit="batches") as bar:
            for _epoch in range(self.epochs):
                self.towers.train()
                order = torch.randperm(n, generator=generator)
                total, started = 0.0, time.perf_counter()
                for start in range(0, n, self.batch_size):
                    rows = order[start : start + self.batch_size]
                    if len(rows) < 2:
                        continue
                    mine = distributed.shard(rows, ranks)
                    image_emb, text_emb = trained(image_t[mine].to(self.device),
                                                  text_t[mine].to(self.device))
                    # the loss sees the whole global batch, in rank order (shard order)
                    in_order = torch.cat([rows[r :: ranks.world_size] for r in range(ranks.world_size)]
                                         ) if ranks.distributed else rows
                    groups = None if group_t is None else group_t[in_order].to(self.device)
                    scale = self.towers.logit_scale.exp().clamp(max=100.0)
                    loss = contrastive_loss(
                        distributed.gather_rows(image_emb, ranks),
                        distributed.gather_rows(text_emb, ranks),
                        scale,
                        groups,
                    )
                    optimiser.zero_grad()
                    torch.autograd.backward(loss)
                    optimiser.step()
                    total += loss.item() * len(rows)
                    rate = (start + len(rows)) / max(time.perf_counter() - started, 1e-9)
                    bar.advance(1, info=f"loss {loss.item():.3f} · {rate:,.0f} pairs/s")
                self.history.append(total / n)
        # BatchNorm's running statistics are per rank after the last step: keep rank 0's
        distributed.broadcast_parameters(self.towers)
        return self

    def _config(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in _CONFIG_KEYS} | {
            "vocab_size": len(self.vocab) if self.vocab else self.vocab_size,
            "channels": list(self.channels),
        }

    def _ready(self) -> _Towers:
        if self.towers is None:
            raise DataError("the model is not trained yet: call fit() or DualEncoder.load() first")
        self.towers.eval()
        return self.towers

    # ------------------------------------------------------------------ encoding
    @torch.no_grad()
    def _batched(self, fn: Any, data: torch.Tensor, batch_size: int = 1024) -> np.ndarray:
        parts = [
            fn(data[i : i + batch_size].to(self.device)).cpu() for i in range(0, len(data), batch_size)
        ]
        return torch.cat(parts).numpy() if parts else np.empty((0, self.vector_size), np.float32)

    def encode_images(self, images: np.ndarray) -> np.ndarray:
        """Unit vectors of ``images`` in the joint space.

        Args:
            images: Greyscale images, ``(n, height, width)``, uint8 or float.

        Returns:
            The ``n x vector_size`` unit vectors.

        Raises:
            DataError: The model is not trained yet, or the images are malformed.
        """
        return self._batched(self._ready().embed_images, self._images(images))

    def image_features(self, images: np.ndarray) -> np.ndarray:
        """The image encoder's features before the projection (what a linear probe sees).

        Args:
            images: Greyscale images, ``(n, height, width)``, uint8 or float.

        Returns:
            The ``n x channels[-1]`` features.

        Raises:
            DataError: The model is not trained yet, or the images are malformed.
        """
        return self._batched(self._ready().image, self._images(images))

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of ``texts`` in the joint space.

        Args:
            texts: The texts (a list, not one string).

        Returns:
            The ``len(texts) x vector_size`` unit vectors.

        Raises:
            DataError: The model is not trained yet, or a text is empty or not a string.
        """
        towers = self._ready()
        return self._batched(towers.embed_texts, self._texts(texts))

    def image_vectors(
        self, images: np.ndarray, keys: Sequence[str] | None = None,
        metadata: dict[str, Sequence[Any]] | None = None,
    ) -> Vectors:
        """``Vectors`` of images (keys default to ``image:0``, ``image:1`` ...).

        Args:
            images: Greyscale images, ``(n, height, width)``, uint8 or float.
            keys: One key per image, or None.
            metadata: Extra columns (name -> one value per image), or None.

        Returns:
            The images' unit vectors under their keys.

        Raises:
            DataError: The model is not trained yet, or the images are malformed.
        """
        matrix = self.encode_images(images)
        keys = list(keys) if keys is not None else [f"image:{i}" for i in range(len(matrix))]
        return Vectors(keys, matrix, metadata=metadata)

    def text_vectors(self, texts: Sequence[str]) -> Vectors:
        """``Vectors`` of texts, keyed by the text itself (repeated texts kept once).

        Args:
            texts: The texts.

        Returns:
            The texts' unit vectors, keyed by text.

        Raises:
            DataError: The model is not trained yet, or a text is empty or not a string.
        """
        unique = list(dict.fromkeys(texts))
        return Vectors(unique, self.encode_texts(unique))

    def class_embeddings(
        self, class_names: Sequence[str], templates: Sequence[str] = TRAIN_TEMPLATES
    ) -> np.ndarray:
        """One unit vector per class: the mean over the templates filled with its name.

        Args:
            class_names: The classes' names.
            templates: Prompt templates, each with one ``{}`` for the name.

        Returns:
            The ``len(class_names) x vector_size`` unit vectors.

        Raises:
            DataError: The model is not trained yet.
        """
        prompts = [t.format(name) for name in class_names for t in templates]
        emb = self.encode_texts(prompts).reshape(len(class_names), len(templates), -1).mean(axis=1)
        unit: np.ndarray = emb / np.linalg.norm(emb, axis=1, keepdims=True)
        return unit

    def zero_shot(
        self, images: np.ndarray, class_names: Sequence[str],
        templates: Sequence[str] = TRAIN_TEMPLATES,
    ) -> np.ndarray:
        """Class index of each image, chosen from text prompts alone.

        Args:
            images: Greyscale images, ``(n, height, width)``, uint8 or float.
            class_names: The classes' names.
            templates: Prompt templates, each with one ``{}`` for the name.

        Returns:
            The index into ``class_names`` of each image's best-scoring class.

        Raises:
            DataError: The model is not trained yet, or the images are malformed.
        """
        scores = self.encode_images(images) @ self.class_embeddings(class_names, templates).T
        return np.asarray(scores.argmax(axis=1))

    def search(self, text: str, images: np.ndarray, k: int = 10) -> list[tuple[int, float]]:
        """The ``k`` images closest to ``text``, as ``(index, cosine)``, best first (equal
        cosines: the lower index first).

        Args:
            text: The query.
            images: Greyscale images searched, ``(n, height, width)``, uint8 or float.
            k: How many images to return.

        Returns:
            Up to ``k`` pairs ``(index into images, cosine)``, best first.

        Raises:
            InvalidParameterError: ``k`` is not an int >= 1.
            DataError: The model is not trained yet, the images are malformed or ``text`` is
                empty.
        """
        check_param(isinstance(k, int) and k >= 1, "k", "DualEncoder.search", "an int >= 1", k)
        scores = self.encode_images(images) @ self.encode_texts([text])[0]
        rows, values = top_k(scores, k)
        return [(int(i), float(v)) for i, v in zip(rows, values, strict=True) if i >= 0]

    # ------------------------------------------------------------------ files
    def save(self, directory: str | Path) -> None:
        """Weights (safetensors), config and vocabulary (JSON), the folder written atomically.

        Args:
            directory: The folder to write (a model saved there before is replaced).

        Raises:
            DataError: The model is not trained yet, or ``directory`` exists and is not a saved
                model.
        """
        from ..nn.saving import write_model_dir

        towers = self._ready()
        assert self.vocab is not None  # set together with the towers by fit() and load()
        write_model_dir(directory, {"format": _FORMAT, **self._config()}, towers.state_dict(), self.vocab)

    @classmethod
    def load(cls, directory: str | Path, device: str = "cpu") -> DualEncoder:
        """A model saved by :meth:`save`.

        Args:
            directory: The folder that :meth:`save` wrote.
            device: The torch device the model runs on.

        Returns:
            The loaded model, ready to encode.

        Raises:
            FormatError: The folder is missing, incomplete, corrupt or holds another kind of model.
        """
        from ..nn.saving import read_model_dir

        config, weights, vocab = read_model_dir(directory, _FORMAT)
        config.pop("format")
        config = {("vector_size" if k == "dim" else k): v for k, v in config.items()}  # older saves
        model = cls(**config, device=device, progress=False)
        model.vocab = vocab
        model.towers = _Towers(model._config()).to(device)
        model.towers.load_state_dict(weights)
        return model
