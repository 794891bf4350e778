"""``Embedding``: integer ids to trainable dense vectors, and pretrained vectors aligned to a vocabulary."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
import torch
from torch import nn

from .._params import Boolean, ConstraintSpec, Interval, validate_arguments
from ..errors import DataError, InvalidParameterError, check_param
from ..vectors import Vectors
from ..vocab import Vocab

OOV = Literal["random", "zero", "mean"]
_log = logging.getLogger("embedlab.nn")


@dataclass(frozen=True)
class Coverage:
    """How much of a vocabulary a set of pretrained vectors covered."""

    found: int
    total: int
    found_lowercase: int = 0
    missing_examples: tuple[str, ...] = ()

    @property
    def ratio(self) -> float:
        return self.found / self.total if self.total else 0.0

    def __str__(self) -> str:
        extra = f" ({self.found_lowercase} after lower-casing)" if self.found_lowercase else ""
        return f"{self.found:,} of {self.total:,} tokens found ({self.ratio:.1%}){extra}"


class Embedding(nn.Embedding):
    """A lookup table from ids ``0 .. num_embeddings - 1`` to ``embedding_dim`` vectors.

    It is :class:`torch.nn.Embedding` (same arguments, same results) with checked arguments
    and a bridge to :class:`~embedlab.Vectors` (:meth:`from_vectors`, :meth:`to_vectors`).

    Args:
        num_embeddings: Size of the table (the vocabulary, specials included); an int >= 1.
        embedding_dim: Size of each vector; an int >= 1.
        padding_idx: A row that stays zero and gets no gradient (the padding id), or None.
        max_norm: Looked-up rows whose ``norm_type``-norm exceeds it are rescaled to it, in
            place, as torch does; None for no limit.
        norm_type: The p of the p-norm for ``max_norm``.
        scale_grad_by_freq: Scale gradients by the inverse frequency of the ids in the batch.
        sparse: Sparse gradients (for ``torch.optim.SparseAdam`` or ``SGD``).

    Raises:
        InvalidParameterError: A size below 1, a ``padding_idx`` outside the table or a
            ``max_norm`` that is not positive.
        DataError: A weight matrix whose shape is not ``(num_embeddings, embedding_dim)``;
            at call time, ids that are not integers or lie outside the table.

    Shape:
        - Input: ``(*)``, an IntTensor or LongTensor of any shape holding the ids.
        - Output: ``(*, H)``, where ``*`` is the input shape and ``H = embedding_dim``.

    Example:
        >>> import torch
        >>> layer = Embedding(10, 3, padding_idx=0)
        >>> layer(torch.tensor([[1, 2, 0]])).shape
        torch.Size([1, 3, 3])
    """

    coverage: Coverage | None
    _parameter_constraints: ClassVar[dict[str, list[ConstraintSpec]]] = {
        "num_embeddings": [Interval(int, 1, None)],
        "embedding_dim": [Interval(int, 1, None)],
        "max_norm": [None, Interval(float, 0, None, closed="right")],
        "norm_type": [Interval(float, 0, None, closed="right")],
        "scale_grad_by_freq": [Boolean()],
        "sparse": [Boolean()],
    }

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: torch.Tensor | None = None,
        _freeze: bool = False,
    ) -> None:
        owner = "Embedding"
        # A layer is built when constructed (as torch's are), so it checks its arguments here.
        validate_arguments(owner, self._parameter_constraints, {
            "num_embeddings": num_embeddings, "embedding_dim": embedding_dim, "max_norm": max_norm,
            "norm_type": norm_type, "scale_grad_by_freq": scale_grad_by_freq, "sparse": sparse,
        })
        check_param(
            padding_idx is None or (isinstance(padding_idx, int) and 0 <= padding_idx < num_embeddings),
            "padding_idx", owner, f"None or an id in 0 .. {num_embeddings - 1}", padding_idx,
        )
        if _weight is not None and tuple(_weight.shape) != (num_embeddings, embedding_dim):
            raise DataError(
                f"the weight matrix is {tuple(_weight.shape)} but the layer is "
                f"({num_embeddings}, {embedding_dim})"
            )
        super().__init__(
            num_embeddings, embedding_dim, padding_idx=padding_idx, max_norm=max_norm,
            norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse,
            _weight=_weight, _freeze=_freeze,
        )
        self.coverage = None

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        if ids.dtype not in (torch.int64, torch.int32):
            raise DataError(f"Embedding takes integer ids; got a tensor of {ids.dtype}")
        if ids.numel():
            low, high = (int(v) for v in torch.aminmax(ids))  # one pass, one device sync
            if low < 0 or high >= self.num_embeddings:
                raise DataError(
                    f"ids must lie in 0 .. {self.num_embeddings - 1}; found {low} .. {high} "
                    "(is the vocabulary larger than the layer?)"
                )
        return super().forward(ids)

    @property
    def num_parameters(self) -> int:
        """Vocabulary size x dimension."""
        return self.num_embeddings * self.embedding_dim

    @classmethod
    def from_vectors(
        cls,
        vectors: Vectors,
        vocab: Vocab,
        freeze: bool = True,
        oov: OOV = "random",
        padding_idx: int | None | Literal["vocab"] = "vocab",
        max_norm: float | None = None,
        sparse: bool = False,
        seed: int = 0,
    ) -> Embedding:
        """A layer whose row ``i`` is the pretrained vector of ``vocab``'s token ``i``.

        Tokens are looked up as they are, then lower-cased. Tokens with no vector get one by
        ``oov``: ``"random"`` (normal, with the pretrained vectors' mean and standard
        deviation), ``"zero"``, or ``"mean"`` (the mean pretrained vector). The padding row
        (``vocab.pad_id`` unless given) is zero. ``layer.coverage`` says how many were found.
        """
        owner = "Embedding.from_vectors"
        if not isinstance(vectors, Vectors):
            raise InvalidParameterError(
                f"The 'vectors' parameter of {owner} must be an embedlab.Vectors "
                f"(load one with embedlab.load). Got {type(vectors).__name__} instead."
            )
        if not isinstance(vocab, Vocab):
            raise InvalidParameterError(
                f"The 'vocab' parameter of {owner} must be an embedlab.Vocab. "
                f"Got {type(vocab).__name__} instead."
            )
        check_param(oov in ("random", "zero", "mean"), "oov", owner, "'random', 'zero' or 'mean'", oov)
        pad = vocab.pad_id if padding_idx == "vocab" else padding_idx
        check_param(
            pad is None or (isinstance(pad, int) and 0 <= pad < len(vocab)), "padding_idx", owner,
            f"an id of the vocabulary (0 .. {len(vocab) - 1}) or None", pad,
        )
        source = np.asarray(vectors.matrix, dtype=np.float32)
        mean = source.mean(axis=0) if len(source) else np.zeros(vectors.dim, np.float32)
        std = float(source.std()) if len(source) else 1.0
        rng = np.random.default_rng(seed)
        weight = np.empty((len(vocab), vectors.dim), dtype=np.float32)
        specials = {vocab.pad_token, vocab.unk_token} - {None}
        found = lowered = total = 0
        missing: list[str] = []
        for i, token in enumerate(vocab.tokens):
            row = vectors.key_to_index.get(token)
            by_lowering = False
            if row is None and token.lower() != token:
                row = vectors.key_to_index.get(token.lower())
                by_lowering = row is not None
            if row is not None:
                weight[i] = source[row]
            elif oov == "zero":
                weight[i] = 0.0
            elif oov == "mean":
                weight[i] = mean
            else:
                weight[i] = rng.normal(mean, std, size=vectors.dim)
            # Coverage counts real words only: <pad> and <unk> are not expected to have vectors.
            if token not in specials:
                total += 1
                found += row is not None
                lowered += by_lowering
                if row is None and len(missing) < 20:
                    missing.append(token)
        if pad is not None:
            weight[pad] = 0.0
        layer = cls(
            len(vocab), vectors.dim, padding_idx=pad, max_norm=max_norm, sparse=sparse,
            _weight=torch.from_numpy(weight), _freeze=freeze,
        )
        layer.coverage = Coverage(found, total, lowered, tuple(missing))
        _log.info("Embedding.from_vectors: %s", layer.coverage)
        return layer

    def to_vectors(self, vocab: Vocab) -> Vectors:
        """The rows as :class:`~embedlab.Vectors` keyed by ``vocab``'s tokens."""
        if len(vocab) != self.num_embeddings:
            raise DataError(
                f"the vocabulary has {len(vocab)} tokens but the layer has {self.num_embeddings} rows"
            )
        return Vectors(vocab.tokens, self.weight.detach().cpu().numpy().copy(), counts=vocab.counts)
