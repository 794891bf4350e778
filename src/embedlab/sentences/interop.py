"""Static models made elsewhere, and made here for elsewhere: Model2Vec folders, the WordLlama
table shipped inside the ``wordllama`` package, sentence-transformers' ``StaticEmbedding``."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._io import read_folder
from ..errors import DataError, FormatError, require
from ..vectors import Vectors
from ._tokens import tokenizer_from_file, tokenizer_from_str


@dataclass
class Parts:
    """What a static model is made of, read from another library's files (the model module
    builds the :class:`~embedlab.sentences.StaticModel`: this module never imports it)."""

    tokenizer: Any
    vectors: Vectors
    weights: np.ndarray | None
    normalize: bool
    max_tokens: int | None


def read_model2vec(path: Path) -> Parts:
    """A Model2Vec folder: ``model.safetensors`` (``embeddings``, optional ``weights`` and
    ``mapping``), ``tokenizer.json``, ``config.json`` (``normalize``).

    Args:
        path: The Model2Vec folder.

    Returns:
        The tokenizer, one row per token (shared rows expanded), the optional weights, and the
        ``normalize`` and ``max_length`` settings.

    Raises:
        FileNotFoundError: There is no folder at ``path``.
        NotADirectoryError: ``path`` is a file.
        FormatError: A member is missing, is not safetensors or a readable tokenizer, or the
            embeddings do not match the tokenizer.
        EmbedlabError: Other processes kept replacing the folder while it was read.
    """
    return read_folder(path, lambda folder: _read_model2vec(folder, path))


def _read_model2vec(folder: Any, path: Path) -> Parts:
    from safetensors import SafetensorError
    from safetensors.numpy import load

    missing = [name for name in ("model.safetensors", "tokenizer.json") if not folder.exists(name)]
    if missing:
        raise FormatError(f"is neither a saved static model nor a Model2Vec folder (no "
                          f"{' or '.join(missing)})", path)
    try:
        tensors = load(folder.read_bytes("model.safetensors"))
    except SafetensorError as exc:
        raise FormatError(f"not a safetensors file ({exc})", path / "model.safetensors") from None
    config = json.loads(folder.read_bytes("config.json")) if folder.exists("config.json") else {}
    tokenizer = tokenizer_from_str(folder.read_bytes("tokenizer.json").decode("utf-8"),
                                   path / "tokenizer.json")
    embeddings = tensors.get("embeddings")
    if embeddings is None or embeddings.ndim != 2:
        raise FormatError("holds no 2-D 'embeddings' tensor", path / "model.safetensors")
    tokens = [token for token, _ in sorted(tokenizer.get_vocab(with_added_tokens=True).items(),
                                           key=lambda item: item[1])]
    mapping = tensors.get("mapping")
    if mapping is not None and (mapping.ndim != 1 or not np.issubdtype(mapping.dtype, np.integer)
                                or (len(mapping) and (mapping.min() < 0
                                                      or mapping.max() >= len(embeddings)))):
        raise FormatError(f"its 'mapping' must hold row numbers below {len(embeddings)} (the "
                          "embedding rows); the file is damaged or not Model2Vec's",
                          path / "model.safetensors")
    # Model2Vec's vocabulary quantisation shares rows between tokens: expand to one per token.
    table = embeddings[mapping] if mapping is not None else embeddings
    if len(table) != len(tokens):
        raise FormatError(f"has {len(table)} embedding rows for {len(tokens)} tokenizer tokens; "
                          "the tokenizer and the embeddings do not belong together", path)
    weights = tensors.get("weights")
    if weights is not None and weights.shape != (len(tokens),):
        raise FormatError(f"'weights' has shape {weights.shape}; expected ({len(tokens)},), one "
                          "per tokenizer token", path / "model.safetensors")
    return Parts(tokenizer, Vectors(tokens, table.astype(np.float32)),
                 None if weights is None else weights.astype(np.float32),
                 normalize=bool(config.get("normalize", False)),
                 max_tokens=config.get("max_length", 512) or None)


def _package_folder(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise DataError(f"the package {name!r} is not installed; pip install 'embedlab[sentences]'")
    return Path(spec.origin).parent


def read_wordllama(config: str = "l2_supercat", dim: int = 256) -> Parts:
    """WordLlama's token table ``<config>_<dim>.safetensors`` and its tokenizer, read from the
    ``wordllama`` package's own folder (nothing is downloaded). Like WordLlama's ``embed``, the
    vectors are not normalised.

    Args:
        config: The name of WordLlama's configuration (e.g. ``"l2_supercat"``).
        dim: The dimensions of the table to read (one the package ships).

    Returns:
        The tokenizer and its token table, without weights or normalisation.

    Raises:
        DataError: The ``wordllama`` package is not installed, or does not ship the table or
            the tokenizer of ``config`` and ``dim``.
        FormatError: The table holds no ``embedding.weight`` tensor or its rows do not match
            the tokenizer, or the tokenizer file cannot be read.
    """
    from safetensors.numpy import load_file

    root = _package_folder("wordllama")
    weights = root / "weights" / f"{config}_{dim}.safetensors"
    tokenizer_file = root / "tokenizers" / f"{config}_tokenizer_config.json"
    for needed in (weights, tokenizer_file):
        if not needed.is_file():
            raise DataError(f"{needed}: not shipped in the wordllama package; the package holds "
                            f"{sorted(p.name for p in (root / 'weights').glob('*.safetensors'))}")
    table = load_file(str(weights)).get("embedding.weight")
    if table is None:
        raise FormatError("holds no 'embedding.weight' tensor", weights)
    tokenizer = tokenizer_from_file(tokenizer_file)
    tokens = [token for token, _ in sorted(tokenizer.get_vocab(with_added_tokens=True).items(),
                                           key=lambda item: item[1])]
    if len(tokens) != len(table):
        raise FormatError(f"has {len(table)} rows for {len(tokens)} tokens", weights)
    return Parts(tokenizer, Vectors(tokens, table.astype(np.float32)), None, normalize=False,
                 max_tokens=None)


def to_sentence_transformers(tokenizer: Any, table: np.ndarray, normalize: bool) -> Any:
    """``SentenceTransformer([StaticEmbedding(...), Normalize()])``: ``table`` has one row per
    tokenizer id, weights multiplied in.

    Args:
        tokenizer: The ``tokenizers.Tokenizer`` of the model (copied, not shared).
        table: The token table, one row per tokenizer id, weights already multiplied in.
        normalize: Whether to add a ``Normalize`` module after the embedding.

    Returns:
        A ``SentenceTransformer`` on the CPU.

    Raises:
        MissingExtraError: ``sentence-transformers`` is not installed (the ``sentences``
            extra).
        FormatError: The tokenizer cannot be copied.
    """
    require("sentence_transformers", "sentences")
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Normalize, StaticEmbedding

    static = StaticEmbedding(tokenizer_from_str(tokenizer.to_str(), "tokenizer"),
                             embedding_weights=table)
    modules: list[Any] = [static, Normalize()] if normalize else [static]
    return SentenceTransformer(modules=modules, device="cpu")
