"""The tokenizer side of a static model: loading one, and turning texts into token ids.

Tokenizers come from Hugging Face's ``tokenizers`` library (the teacher's WordPiece, WordLlama's
BPE). A static model never pads and never adds the special tokens ([CLS], [SEP]): an average of
token vectors has no use for them, and Model2Vec and sentence-transformers' StaticEmbedding
leave them out too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import FormatError, require


def tokenizer_from_file(path: Path) -> Any:
    """A ``tokenizers.Tokenizer`` read from ``tokenizer.json`` (or built from a ``vocab.txt``
    as BERT's uncased WordPiece), without padding or truncation."""
    tokenizers = require("tokenizers", "sentences")
    try:
        if path.name == "vocab.txt":
            # BERT's uncased WordPiece, as the teacher's tokenizer.json spells it out
            tokenizer = tokenizers.Tokenizer(
                tokenizers.models.WordPiece.from_file(str(path), unk_token="[UNK]"))
            tokenizer.normalizer = tokenizers.normalizers.BertNormalizer(lowercase=True)
            tokenizer.pre_tokenizer = tokenizers.pre_tokenizers.BertPreTokenizer()
        else:
            tokenizer = tokenizers.Tokenizer.from_file(str(path))
    except Exception as exc:  # the library raises bare Exceptions for malformed files
        raise FormatError(f"not a tokenizer the 'tokenizers' library can read ({exc})", path) from None
    return plain(tokenizer)


def tokenizer_from_str(text: str, where: object) -> Any:
    """Like :func:`tokenizer_from_file`, from the JSON text of a tokenizer."""
    tokenizers = require("tokenizers", "sentences")
    try:
        return plain(tokenizers.Tokenizer.from_str(text))
    except Exception as exc:
        raise FormatError(f"not a tokenizer the 'tokenizers' library can read ({exc})", where) from None


def plain(tokenizer: Any) -> Any:
    """``tokenizer`` with padding and truncation switched off (the model truncates itself)."""
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def unknown_id(tokenizer: Any) -> int | None:
    """The id of the tokenizer's unknown token, if it has one (left out of every average)."""
    token = getattr(tokenizer.model, "unk_token", None)
    return None if token is None else tokenizer.token_to_id(token)


@dataclass
class Batch:
    """Token ids of a batch of texts, flattened: ``ids[starts[i]:starts[i] + lengths[i]]`` are
    text ``i``'s (each already cut to the length limit); ``cut`` says which texts were cut."""

    ids: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray
    cut: np.ndarray


def token_ids(tokenizer: Any, texts: list[str], max_tokens: int | None) -> Batch:
    """Tokenize ``texts`` without special tokens, keeping each text's first ``max_tokens``."""
    encodings = tokenizer.encode_batch_fast(texts, add_special_tokens=False)
    pieces = [np.asarray(encoding.ids, dtype=np.int64) for encoding in encodings]
    full = np.fromiter((len(p) for p in pieces), dtype=np.int64, count=len(pieces))
    lengths = full if max_tokens is None else np.minimum(full, max_tokens)
    if max_tokens is not None:
        pieces = [p[:max_tokens] for p in pieces]
    starts = np.zeros(len(pieces), dtype=np.int64)
    if len(pieces) > 1:
        starts[1:] = np.cumsum(lengths)[:-1]
    ids = np.concatenate(pieces) if pieces else np.empty(0, dtype=np.int64)
    return Batch(ids, starts, lengths, full > lengths)
