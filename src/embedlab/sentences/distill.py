"""``distill``: a static model from a sentence transformer, by Model2Vec's recipe.

1. Every token of the vocabulary goes through the teacher on its own (``[CLS] token [SEP]``,
   the teacher's own pooling): its *output* embedding, which carries what the teacher learnt
   about the token in context, unlike the input embedding table.
2. PCA to ``dims`` dimensions (centred, the components ordered by variance).
3. Zipf/SIF weighting: WordPiece vocabularies list frequent tokens first, so a token's rank
   stands for its frequency; Zipf's law turns rank into a probability ``p`` and the vector is
   scaled by ``1e-4 / (1e-4 + p)`` (smooth inverse frequency: frequent tokens count less).

The teacher is read from a local folder only (``HF_HUB_OFFLINE`` is set while loading).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .._io import PathLike
from .._progress import progress_bar
from ..errors import DataError, FormatError, check_param, require
from ..vectors import Vectors
from ._tokens import plain
from .model import StaticModel

Weighting = Literal["zipf", "none"]
SIF_COEFFICIENT = 1e-4


def load_teacher(path: PathLike) -> Any:
    """A ``SentenceTransformer`` read from the folder ``path`` on the CPU, never from a hub.

    Args:
        path: The folder of a sentence-transformers model (the one holding ``modules.json``).

    Returns:
        The loaded ``SentenceTransformer``, on the CPU.

    Raises:
        DataError: ``path`` is not a folder.
        FormatError: The folder has no ``modules.json``, or sentence-transformers cannot load
            the model in it.
        MissingExtraError: ``sentence-transformers`` is not installed (the ``sentences``
            extra).
    """
    folder = Path(path)
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder; give the folder of a sentence-transformers "
                        "model (the one holding modules.json)")
    if not (folder / "modules.json").is_file():
        raise FormatError("is not a sentence-transformers model folder (no modules.json); give "
                          "the folder that holds modules.json, config.json and the weights", folder)
    require("sentence_transformers", "sentences")
    os.environ["HF_HUB_OFFLINE"] = "1"
    from safetensors import SafetensorError
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    except (OSError, ValueError, KeyError, RuntimeError, SafetensorError) as exc:
        # (corrupt weights surface as SafetensorError or torch's RuntimeError)
        raise FormatError(f"is not a sentence-transformers model this library can load ({exc})",
                          folder) from None


def zipf_weights(rows: int) -> np.ndarray:
    """SIF weights ``a / (a + p(rank))`` for ranks 1..rows, ``p`` from Zipf's law (Model2Vec).

    Args:
        rows: How many weights: one per token, in the vocabulary's (frequency) order.

    Returns:
        A float32 array of ``rows`` weights, smallest for the most frequent (first) tokens.
    """
    inverse_rank = 1.0 / np.arange(2, rows + 2, dtype=np.float64)
    probability = inverse_rank / inverse_rank.sum()
    weights: np.ndarray = (SIF_COEFFICIENT / (SIF_COEFFICIENT + probability)).astype(np.float32)
    return weights


def pca(matrix: np.ndarray, dims: int) -> np.ndarray:
    """``matrix`` centred and projected on its first ``dims`` principal axes (signs fixed so the
    largest entry of each axis is positive: the same result on every run).

    Args:
        matrix: The rows to project, one per token.
        dims: How many principal axes to keep; when it is not less than the number of columns,
            the centred matrix is returned without projection.

    Returns:
        A float32 array with the rows of ``matrix`` and ``min(dims, columns)`` columns.
    """
    centred = matrix.astype(np.float64) - matrix.mean(axis=0)
    if dims >= matrix.shape[1]:
        same: np.ndarray = centred.astype(np.float32)
        return same
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    axes = axes[:dims]
    signs = np.sign(axes[np.arange(dims), np.abs(axes).argmax(axis=1)])
    projected: np.ndarray = (centred @ (axes * signs[:, None]).T).astype(np.float32)
    return projected


def teacher_tokenizer(teacher: Any) -> Any:
    """The ``tokenizers.Tokenizer`` inside the teacher's Hugging Face tokenizer, copied.

    Args:
        teacher: A ``SentenceTransformer`` whose ``tokenizer`` is a fast (Rust) tokenizer.

    Returns:
        A copy of the ``tokenizers.Tokenizer``, plain (no padding or truncation set).

    Raises:
        DataError: The teacher has no fast (Rust) tokenizer.
    """
    from tokenizers import Tokenizer

    fast = getattr(teacher, "tokenizer", None)
    inner = getattr(fast, "backend_tokenizer", None)
    if inner is None:
        raise DataError("the teacher has no fast (Rust) tokenizer; static models need one")
    return plain(Tokenizer.from_str(inner.to_str()))


def distill(
    teacher: Any,
    vocabulary: Iterable[str] | None = None,
    dims: int = 256,
    weighting: Weighting = "zipf",
    *,
    teacher_tokens: Iterable[str] | None = None,
    batch_size: int = 256,
    progress: bool = True,
) -> StaticModel:
    """A :class:`StaticModel` distilled from ``teacher`` (a ``SentenceTransformer`` or the path
    of its folder).

    ``vocabulary`` adds the user's own words (e.g. their corpus's): each becomes a token of its
    own, matched as a whole word, with the teacher's output for the whole word. Words the
    teacher's vocabulary holds already are kept once. ``teacher_tokens`` distils only those
    tokens of the teacher's vocabulary (quick experiments); ``None``: all of them. Rows keep the
    teacher's id order, then the added words: Zipf weighting reads that order as frequency.

    Args:
        teacher: A ``SentenceTransformer``, or the path of its folder (read with
            :func:`load_teacher`).
        vocabulary: Whole words to add as tokens of their own; ``None``: none.
        dims: The dimensions of the result (PCA); at most the teacher's dimensions and the
            number of distilled tokens.
        weighting: ``"zipf"`` (SIF weights from each token's rank) or ``"none"``.
        teacher_tokens: The tokens of the teacher's vocabulary to distil; ``None``: all.
        batch_size: How many tokens go through the teacher at once.
        progress: Whether to show a progress bar.

    Returns:
        The distilled :class:`StaticModel` (normalising its outputs, at most 512 tokens a text).

    Raises:
        InvalidParameterError: ``dims``, ``weighting`` or ``batch_size`` is out of range.
        DataError: ``teacher`` is not a folder or has no fast tokenizer; ``vocabulary`` or
            ``teacher_tokens`` is one string, repeats an entry or holds an invalid one; or
            ``dims`` is more than the teacher's dimensions or the number of tokens.
        FormatError: The folder ``teacher`` does not hold a loadable sentence-transformers
            model.
        MissingExtraError: ``sentence-transformers`` is not installed (the ``sentences``
            extra).
    """
    owner = "distill"
    check_param(isinstance(dims, int) and not isinstance(dims, bool) and dims >= 1, "dims",
                owner, "an int >= 1", dims)
    check_param(weighting in ("zipf", "none"), "weighting", owner, "'zipf' or 'none'", weighting)
    check_param(isinstance(batch_size, int) and batch_size >= 1, "batch_size", owner,
                "an int >= 1", batch_size)
    if isinstance(teacher, (str, os.PathLike)):
        teacher = load_teacher(teacher)
    tokenizer = teacher_tokenizer(teacher)
    vocab = tokenizer.get_vocab(with_added_tokens=True)
    kept = _teacher_subset(teacher_tokens, vocab)
    teacher_tokens_kept = [token for token, _ in sorted(vocab.items(), key=lambda item: item[1])
                           if kept is None or token in kept]
    words = _new_words(vocabulary, vocab)
    if words:
        from tokenizers import AddedToken

        tokenizer.add_tokens([AddedToken(word, single_word=True, normalized=True) for word in words])
    ids = [[vocab[token]] for token in teacher_tokens_kept]
    ids += [plain_ids for plain_ids in _word_ids(teacher, words)]
    outputs = _teacher_outputs(teacher, ids, batch_size, progress)
    if dims > outputs.shape[1]:
        raise DataError(f"dims={dims} is more than the teacher's {outputs.shape[1]} dimensions; "
                        f"give dims <= {outputs.shape[1]}")
    if dims > len(outputs):
        raise DataError(f"dims={dims} needs at least {dims} tokens for the PCA; got "
                        f"{len(outputs)}: give more tokens or fewer dims")
    table = pca(outputs, dims)
    if weighting == "zipf":
        table *= zipf_weights(len(table))[:, None]
    return StaticModel(tokenizer, Vectors(teacher_tokens_kept + words, table), normalize=True,
                       max_tokens=512)


def _teacher_subset(tokens: Iterable[str] | None, vocab: dict[str, int]) -> set[str] | None:
    if tokens is None:
        return None
    if isinstance(tokens, str):
        raise DataError("teacher_tokens must be a list of tokens, not one string")
    chosen = set()
    for i, token in enumerate(tokens):
        if token not in vocab:
            raise DataError(f"teacher_tokens entry {i} ({token!r}) is not in the teacher's "
                            "vocabulary; add whole words through vocabulary= instead")
        if token in chosen:
            raise DataError(f"teacher_tokens entry {i} ({token!r}) is given twice; give each once")
        chosen.add(token)
    return chosen


def _new_words(vocabulary: Iterable[str] | None, vocab: dict[str, int]) -> list[str]:
    if vocabulary is None:
        return []
    if isinstance(vocabulary, str):
        raise DataError("vocabulary must be a list of words, not one string")
    words = list(vocabulary)
    seen: dict[str, int] = {}
    for i, word in enumerate(words):
        if not isinstance(word, str) or not word.strip():
            raise DataError(f"vocabulary entry {i} ({word!r}) is not a non-empty string")
        if word in seen:
            raise DataError(f"vocabulary entry {i} ({word!r}) repeats entry {seen[word]}; "
                            "give each word once")
        seen[word] = i
    return [word for word in words if word not in vocab and word.lower() not in vocab]


def _word_ids(teacher: Any, words: list[str]) -> list[list[int]]:
    """The teacher's word pieces of each whole word (without special tokens)."""
    encode = teacher.tokenizer
    return [list(encode(word, add_special_tokens=False)["input_ids"]) for word in words]


def _teacher_outputs(teacher: Any, ids: list[list[int]], batch_size: int,
                     progress: bool) -> np.ndarray:
    """The teacher's pooled output for ``[CLS] ids [SEP]`` of each entry (before any
    normalisation layer: PCA wants the raw geometry)."""
    import torch

    hf_tokenizer = teacher.tokenizer
    cls_id, sep_id = hf_tokenizer.cls_token_id, hf_tokenizer.sep_token_id
    pad_id = hf_tokenizer.pad_token_id or 0
    modules = [m for m in teacher if type(m).__name__ != "Normalize"]
    out: list[np.ndarray] = []
    order = np.argsort([len(x) for x in ids], kind="stable")  # similar lengths pad less
    with progress_bar(len(ids), "distilling", enabled=progress) as bar, torch.inference_mode():
        for start in range(0, len(ids), batch_size):
            chunk = [ids[i] for i in order[start : start + batch_size]]
            width = max(len(x) for x in chunk) + 2
            input_ids = torch.full((len(chunk), width), pad_id, dtype=torch.long)
            mask = torch.zeros((len(chunk), width), dtype=torch.long)
            for row, pieces in enumerate(chunk):
                sequence = [cls_id, *pieces, sep_id]
                input_ids[row, : len(sequence)] = torch.tensor(sequence)
                mask[row, : len(sequence)] = 1
            features: dict[str, Any] = {"input_ids": input_ids, "attention_mask": mask,
                                        "token_type_ids": torch.zeros_like(input_ids)}
            for module in modules:
                features = module(features)
            out.append(features["sentence_embedding"].float().numpy())
            bar.advance(len(chunk))
    result = np.empty((len(ids), out[0].shape[1]), dtype=np.float32)
    result[order] = np.concatenate(out)
    return result
