"""``fine_tune``: fit a static model to the teacher's sentence embeddings of the user's corpus
(Tokenlearn's idea), with its tokens weighted by their frequency in that corpus.

Distillation sees each token alone; sentences are where a token's meaning is used. So the
teacher embeds every text of the corpus, each token is given a smooth-inverse-frequency weight
``a / (a + p)`` (``p`` its share of the corpus's tokens; unseen tokens keep 1), and the token
table is trained under those weights, with a linear map to the teacher's dimensions in front
(fitted first by ridge regression, so training starts from a good alignment), to make the mean
of a text's weighted token vectors point where the teacher's embedding does (cosine loss). The
map is then folded into the table, which keeps the model an embedding layer and an average, now
with the teacher's dimensions. (Reducing the targets to the student's dimensions first, as PCA
would, changes the cosines between texts that the student is meant to reproduce.)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import DataError, check_param
from ..vectors import Vectors
from ._tokens import token_ids, tokenizer_from_str
from .distill import load_teacher
from .model import StaticModel


def fine_tune(
    model: StaticModel,
    corpus: Sequence[str],
    teacher: Any,
    *,
    epochs: int = 5,
    batch_size: int = 64,
    learning_rate: float = 1e-3,
    reweight: bool = True,
    sif_coefficient: float = 1e-3,
    seed: int = 0,
    progress: bool = True,
    targets: np.ndarray | None = None,
) -> StaticModel:
    """A new :class:`StaticModel` regressed onto ``teacher``'s embeddings of ``corpus``, with
    the teacher's dimensions.

    ``teacher`` is a ``SentenceTransformer`` or its folder. ``targets`` (the teacher's
    embeddings of ``corpus``, one row per text) saves encoding the corpus again when several
    models are tuned on it. The result pools by plain mean; ``model`` is left unchanged.

    Args:
        model: The static model to start from.
        corpus: The texts to fit on; at least ``model.dim`` of them.
        teacher: A ``SentenceTransformer`` or the path of its folder; unused when ``targets``
            is given.
        epochs: How many passes over the corpus.
        batch_size: How many texts per training step.
        learning_rate: Adam's learning rate.
        reweight: Whether to give the tokens SIF weights from their frequency in ``corpus``
            (otherwise the result has no weights).
        sif_coefficient: The ``a`` of the SIF weights ``a / (a + p)``.
        seed: The seed of the order of the texts.
        progress: Whether to show a progress bar while the teacher encodes the corpus.
        targets: The teacher's embeddings of ``corpus``, one row per text; ``None``: computed.

    Returns:
        A new :class:`StaticModel` with the teacher's dimensions, pooling by plain mean.

    Raises:
        InvalidParameterError: ``model`` is not a :class:`StaticModel`, or ``epochs``,
            ``batch_size``, ``learning_rate`` or ``sif_coefficient`` is out of range.
        DataError: ``corpus`` is one string or has fewer than ``model.dim`` texts, ``targets``
            has not one row per text, no text has a known token, or ``teacher`` is not a folder.
        FormatError: The folder ``teacher`` does not hold a loadable sentence-transformers
            model.
        MissingExtraError: ``sentence-transformers`` is not installed (the ``sentences``
            extra).
    """
    import torch

    owner = "fine_tune"
    check_param(isinstance(model, StaticModel), "model", owner, "a StaticModel",
                type(model).__name__)
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        check_param(isinstance(value, int) and not isinstance(value, bool) and value >= 1, name,
                    owner, "an int >= 1", value)
    check_param(learning_rate > 0, "learning_rate", owner, "a number > 0", learning_rate)
    check_param(sif_coefficient > 0, "sif_coefficient", owner, "a number > 0", sif_coefficient)
    if isinstance(corpus, str):
        raise DataError("corpus must be a list of texts, not one string")
    texts = list(corpus)
    if len(texts) < model.dim:
        raise DataError(f"the corpus has {len(texts)} texts; fitting a map from {model.dim} "
                        f"dimensions needs at least {model.dim}")
    if targets is None:
        if isinstance(teacher, (str, os.PathLike)):
            teacher = load_teacher(teacher)
        targets = np.asarray(teacher.encode(texts, batch_size=32, show_progress_bar=progress,
                                            convert_to_numpy=True), dtype=np.float32)
    if targets.shape[0] != len(texts):
        raise DataError(f"{targets.shape[0]} targets for {len(texts)} texts; give one per text")
    goal = targets / np.maximum(np.linalg.norm(targets, axis=1, keepdims=True), 1e-12)

    rows, offsets, keep = _rows_per_text(model, texts)
    if not keep.any():
        raise DataError("no text of the corpus has a token the model knows")
    goal = goal[keep]
    generator = torch.Generator().manual_seed(seed)
    effective = _effective_table(model)
    # Adam moves every entry by about the learning rate: bring the rows to unit length on
    # average first (Zipf weights leave them tiny), so that the rate means the same on any model.
    scale = float(np.linalg.norm(effective, axis=1).mean()) or 1.0
    table = torch.tensor(effective / scale, requires_grad=True)
    # The new weights are fixed first and used while training: the model that comes out is the
    # one that was fitted (weighting afterwards would move every text away from its target).
    weights = _sif(rows, len(table), sif_coefficient) if reweight else None
    weight_t = None if weights is None else torch.from_numpy(weights)
    lengths = np.diff(np.append(offsets, len(rows)))
    with torch.no_grad():
        start = _pooled(table, weight_t, rows, offsets, lengths)
    alignment = _ridge(start.double(), torch.from_numpy(goal).double())
    mapping = alignment.float().requires_grad_(True)
    optimizer = torch.optim.Adam([table, mapping], lr=learning_rate)
    goal_t = torch.nn.functional.normalize(torch.from_numpy(goal), dim=1)
    for _ in range(epochs):
        order = torch.randperm(len(goal), generator=generator).numpy()
        for begin in range(0, len(order), batch_size):
            chosen = order[begin : begin + batch_size]
            bag, bag_offsets, bag_lengths = _bag(rows, offsets, lengths, chosen)
            pooled = _pooled(table, weight_t, bag, bag_offsets, bag_lengths)
            predicted = torch.nn.functional.normalize(pooled @ mapping, dim=1)
            loss = (1 - (predicted * goal_t[chosen]).sum(dim=1)).mean()
            optimizer.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimizer.step()
    with torch.no_grad():
        folded = (table @ mapping).numpy()
    return StaticModel(tokenizer_from_str(model.tokenizer.to_str(), "tokenizer"),
                       Vectors(model.vectors.keys, folded), weights, pooling="mean",
                       normalize=model.normalize, max_tokens=model.max_tokens)


def _ridge(inputs: Any, outputs: Any, strength: float = 0.05) -> Any:
    """The linear map from ``inputs`` to ``outputs`` by ridge regression. Plain least squares
    gives huge entries when the pooled vectors are nearly collinear (texts share their common
    tokens), and then the first step of training throws the fit away."""
    import torch

    gram = inputs.T @ inputs
    penalty = strength * torch.trace(gram) / gram.shape[0]
    eye = torch.eye(gram.shape[0], dtype=gram.dtype)
    return torch.linalg.solve(gram + penalty * eye, inputs.T @ outputs)


def _effective_table(model: StaticModel) -> np.ndarray:
    """The model's rows with its weights multiplied in (what a plain mean would average)."""
    table = np.array(model.vectors.matrix, dtype=np.float32)
    if model.weights is not None:
        table *= model.weights[:, None]
    return table


def _rows_per_text(model: StaticModel, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The table rows of each text's known tokens, flattened, with each kept text's offset, and
    which texts have any known token."""
    batch = token_ids(model.tokenizer, texts, model.max_tokens)
    all_rows = model._rows_of(batch.ids)
    segment = np.repeat(np.arange(len(texts)), batch.lengths)
    known = all_rows >= 0
    counts = np.bincount(segment[known], minlength=len(texts))
    keep = counts > 0
    rows = all_rows[known]
    offsets = np.concatenate([[0], np.cumsum(counts[keep])[:-1]]).astype(np.int64)
    return rows, offsets, keep


def _bag(rows: np.ndarray, offsets: np.ndarray, lengths: np.ndarray,
         chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pieces = [rows[offsets[i] : offsets[i] + lengths[i]] for i in chosen]
    bag_lengths = lengths[chosen]
    bag_offsets = np.concatenate([[0], np.cumsum(bag_lengths)[:-1]]).astype(np.int64)
    return np.concatenate(pieces), bag_offsets, bag_lengths


def _pooled(table: Any, weights: Any, rows: np.ndarray, offsets: np.ndarray,
            lengths: np.ndarray) -> Any:
    """What :meth:`StaticModel.encode` computes before normalising: the sum of each text's
    weighted token vectors over its number of tokens."""
    import torch

    rows_t = torch.from_numpy(rows)
    per_token = None if weights is None else weights[rows_t]
    sums = torch.nn.functional.embedding_bag(rows_t, table, torch.from_numpy(offsets), mode="sum",
                                             per_sample_weights=per_token)
    return sums / torch.from_numpy(lengths).float()[:, None]


def _sif(rows: np.ndarray, size: int, coefficient: float) -> np.ndarray:
    """``a / (a + p)`` per row, ``p`` the row's share of the corpus's tokens (unseen: 1)."""
    counts = np.bincount(rows, minlength=size).astype(np.float64)
    probability = counts / counts.sum()
    weights: np.ndarray = (coefficient / (coefficient + probability)).astype(np.float32)
    return weights
