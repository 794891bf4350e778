"""``Embedding``: integer ids to trainable dense vectors, and pretrained vectors aligned to a vocabulary."""

from __future__ import annotations

from typing import ClassVar, Literal

import torch
from torch import nn

from .._align import OOV, Coverage, aligned_matrix, check_inputs
from .._params import Boolean, ConstraintSpec, Interval, validate_arguments
from ..errors import DataError, check_param
from ..vectors import Vectors
from ..vocab import Vocab

__all__ = ["OOV", "Coverage", "Embedding"]


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
        """The rows of ``ids``, as :class:`torch.nn.Embedding` looks them up.

        Args:
            ids: Integer ids (int32 or int64), any shape, in ``0 .. num_embeddings - 1``.

        Returns:
            The vectors, of shape ``(*ids.shape, embedding_dim)``.

        Raises:
            DataError: ``ids`` are not integers or lie outside the table.
        """
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

        Args:
            vectors: The pretrained vectors.
            vocab: The vocabulary whose ids index the rows.
            freeze: Keep the rows fixed during training (no gradient).
            oov: How tokens with no vector get one: ``"random"``, ``"zero"`` or ``"mean"``.
            padding_idx: The padding row; ``"vocab"`` for ``vocab.pad_id``, or None for none.
            max_norm: Looked-up rows over this norm are rescaled to it; None for no limit.
            sparse: Sparse gradients.
            seed: Seed of the ``"random"`` rows.

        Returns:
            The layer, ``len(vocab) x vectors.dim``, with ``coverage`` set.

        Raises:
            InvalidParameterError: ``vectors`` or ``vocab`` has the wrong type, or ``oov``,
                ``padding_idx`` or ``max_norm`` is out of range.
        """
        owner = "Embedding.from_vectors"
        check_inputs(owner, vectors, vocab, oov)
        pad = vocab.pad_id if padding_idx == "vocab" else padding_idx
        check_param(
            pad is None or (isinstance(pad, int) and 0 <= pad < len(vocab)), "padding_idx", owner,
            f"an id of the vocabulary (0 .. {len(vocab) - 1}) or None", pad,
        )
        weight, coverage = aligned_matrix(vectors, vocab, oov=oov, pad=pad, seed=seed, owner=owner)
        layer = cls(
            len(vocab), vectors.dim, padding_idx=pad, max_norm=max_norm, sparse=sparse,
            _weight=torch.from_numpy(weight), _freeze=freeze,
        )
        layer.coverage = coverage
        return layer

    def to_vectors(self, vocab: Vocab) -> Vectors:
        """The rows as :class:`~embedlab.Vectors` keyed by ``vocab``'s tokens.

        Args:
            vocab: The vocabulary whose token ``i`` names row ``i``.

        Returns:
            A copy of the rows, keyed by token.

        Raises:
            DataError: ``vocab`` does not have one token per row.
        """
        return Vectors.from_torch(self, vocab)
