"""An embedding table whose rows are split across the ranks (row-wise sharding).

Rank ``r`` holds rows ``bounds[r]:bounds[r+1]`` only. A lookup goes in three exchanges, the
pattern of TorchRec's row-wise sharding and PyTorch-BigGraph's partitions: every rank sends
each id to the rank that owns its row (``all_to_all_single``), owners look the rows up, and the
rows travel back the same way. The gradient of a looked-up row travels the reverse path and
lands on the owner's shard, summed over every rank that used the row. Indices are int64
throughout, so a table may have more than 2**31 rows (or elements).

TorchRec itself was tried first: its CPU build (fbgemm-gpu-cpu 1.9.0) does not load against
torch 2.13.0 here, hence this small implementation on torch.distributed alone.
"""

from __future__ import annotations

from typing import Any, ClassVar

import torch
import torch.distributed as dist
from torch import nn

from .._params import SEED, ConstraintSpec, InstanceOf, Interval, validate_arguments
from ._context import Context, DistributedError, context

_INIT_CHUNK = 1 << 16
"""Rows drawn per seeded chunk: the initial table is the same whatever the number of ranks."""


def shard_bounds(num_embeddings: int, world_size: int) -> torch.Tensor:
    """The ``world_size + 1`` row boundaries (int64): shards differ in size by at most one row.

    Args:
        num_embeddings: Rows in the whole table.
        world_size: Number of ranks sharing it.

    Returns:
        A 1-D int64 tensor: rank ``r`` holds rows ``bounds[r]:bounds[r+1]``.
    """
    ranks = torch.arange(world_size + 1, dtype=torch.int64)
    base, extra = divmod(int(num_embeddings), world_size)
    return ranks * base + torch.clamp(ranks, max=extra)


def owners(ids: torch.Tensor, bounds: torch.Tensor) -> torch.Tensor:
    """The rank that holds each row of ``ids`` (int64, any shape), given :func:`shard_bounds`.

    Args:
        ids: Global row numbers (int64, any shape).
        bounds: The row boundaries from :func:`shard_bounds`.

    Returns:
        The owning rank of each id, with the shape of ``ids``.
    """
    return torch.bucketize(ids, bounds[1:], right=True)


class _Exchange(torch.autograd.Function):
    """Rows sent with ``all_to_all_single``; their gradients come back along the reverse path."""

    @staticmethod
    def forward(
        ctx: Any, rows: torch.Tensor, send_splits: list[int], recv_splits: list[int]
    ) -> torch.Tensor:
        ctx.splits = (send_splits, recv_splits)
        received = rows.new_empty((sum(recv_splits), rows.shape[1]))
        dist.all_to_all_single(received, rows.contiguous(), recv_splits, send_splits)
        return received

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None, None]:
        send_splits, recv_splits = ctx.splits
        back = grad.new_empty((sum(send_splits), grad.shape[1]))
        dist.all_to_all_single(back, grad.contiguous(), send_splits, recv_splits)
        return back, None, None


class ShardedEmbedding(nn.Module):
    """``num_embeddings x embedding_dim``, rows split over the ranks; ``forward(ids)`` as nn.Embedding.

    Each rank calls ``forward`` with its own ids (any shape, int64 global row numbers) and gets
    their rows back; every rank must call it the same number of times (the exchanges are
    collective). ``weight`` is this rank's shard only: an optimiser over ``parameters()``
    updates the rows the rank owns, with the gradient summed over all ranks that used them
    (so do not also average it with DDP).

    ``max_bytes_per_rank`` is the memory budget for one rank's shard of weights; a shard over
    it raises :class:`DistributedError` before anything is allocated. The initial rows are
    N(0, 1) like ``nn.Embedding``, drawn from ``seed`` in fixed chunks of rows, so the whole
    table is the same for any number of ranks.

    Args:
        num_embeddings: Rows in the whole table.
        embedding_dim: Length of each row.
        seed: Seed of the initial N(0, 1) rows.
        max_bytes_per_rank: Memory budget of one rank's shard, or None for no limit.
        ctx: The launch context; the current one (:func:`context`) when None.

    Raises:
        InvalidParameterError: A parameter is out of range.
        DistributedError: This rank's shard is over ``max_bytes_per_rank``.

    Shape:
        - Input: ``(*)``, int64 global row numbers of any shape.
        - Output: ``(*, H)`` where ``*`` is the input shape and ``H = embedding_dim``.
    """

    # Every parameter, declared once; checked when the table is built (see embedlab._params).
    _parameter_constraints: ClassVar[dict[str, list[ConstraintSpec]]] = {
        "num_embeddings": [Interval(int, 1, None)],
        "embedding_dim": [Interval(int, 1, None)],
        "seed": SEED,
        "max_bytes_per_rank": [None, Interval(int, 1, None)],
        "ctx": [None, InstanceOf(Context, "an embedlab.distributed.Context")],
    }

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        *,
        seed: int = 0,
        max_bytes_per_rank: int | None = None,
        ctx: Context | None = None,
    ) -> None:
        super().__init__()
        validate_arguments("ShardedEmbedding", self._parameter_constraints, {
            "num_embeddings": num_embeddings, "embedding_dim": embedding_dim, "seed": seed,
            "max_bytes_per_rank": max_bytes_per_rank, "ctx": ctx,
        })
        self.ctx = ctx or context()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.bounds = shard_bounds(num_embeddings, self.ctx.world_size)
        self.start = int(self.bounds[self.ctx.rank])
        stop = int(self.bounds[self.ctx.rank + 1])
        need = (stop - self.start) * embedding_dim * 4
        if max_bytes_per_rank is not None and need > max_bytes_per_rank:
            raise DistributedError(
                f"ShardedEmbedding: rank {self.ctx.rank}'s shard of {stop - self.start} rows x "
                f"{embedding_dim} takes {need} bytes, over max_bytes_per_rank="
                f"{max_bytes_per_rank}; launch more ranks (torchrun --nproc_per_node) or raise "
                "the budget"
            )
        self.weight = nn.Parameter(_initial_rows(self.start, stop, embedding_dim, seed))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """The rows of ``ids``, fetched from the ranks that own them (a collective call).

        Args:
            ids: Global row numbers (any shape, int64).

        Returns:
            The rows, of shape ``(*ids.shape, embedding_dim)``.

        Raises:
            DistributedError: An id lies outside ``[0, num_embeddings)``.
        """
        flat = ids.reshape(-1).to(torch.int64)
        if flat.numel() and (int(flat.min()) < 0 or int(flat.max()) >= self.num_embeddings):
            raise DistributedError(
                f"ShardedEmbedding: ids must lie in [0, {self.num_embeddings}); got "
                f"{int(flat.min())} .. {int(flat.max())}"
            )
        if not self.ctx.distributed:
            rows = nn.functional.embedding(flat - self.start, self.weight)
            return rows.reshape(*ids.shape, self.embedding_dim)
        rank_of = owners(flat, self.bounds)
        order = torch.argsort(rank_of, stable=True)
        send_counts = torch.bincount(rank_of, minlength=self.ctx.world_size)
        recv_counts = torch.empty_like(send_counts)
        dist.all_to_all_single(recv_counts, send_counts)
        send, recv = send_counts.tolist(), recv_counts.tolist()
        wanted = flat.new_empty(sum(recv))
        dist.all_to_all_single(wanted, flat[order], recv, send)
        found = nn.functional.embedding(wanted - self.start, self.weight)
        rows_sorted: torch.Tensor = _Exchange.apply(found, recv, send)  # type: ignore[no-untyped-call]
        inverse = torch.empty_like(order)
        inverse[order] = torch.arange(len(order))
        return rows_sorted[inverse].reshape(*ids.shape, self.embedding_dim)

    @torch.no_grad()
    def full_weight(self) -> torch.Tensor:
        """The whole table gathered from every rank (for tests and small tables only).

        Returns:
            The ``num_embeddings x embedding_dim`` table (a copy).
        """
        if not self.ctx.distributed:
            return self.weight.detach().clone()
        sizes = (self.bounds[1:] - self.bounds[:-1]).tolist()
        # gloo gathers equal shapes only: pad every shard to the largest, then cut back
        padded = self.weight.new_zeros((max(sizes), self.embedding_dim))
        padded[: len(self.weight)] = self.weight
        parts = [torch.empty_like(padded) for _ in sizes]
        dist.all_gather(parts, padded)
        return torch.cat([part[:n] for part, n in zip(parts, sizes, strict=True)])


def _initial_rows(start: int, stop: int, dim: int, seed: int) -> torch.Tensor:
    """Rows ``start:stop`` of the seeded table, drawing only the chunks that overlap them."""
    out = torch.empty((stop - start, dim))
    chunk = start // _INIT_CHUNK
    while chunk * _INIT_CHUNK < stop:
        first = chunk * _INIT_CHUNK
        rows = torch.randn((_INIT_CHUNK, dim), generator=torch.Generator().manual_seed(
            seed * 1_000_003 + chunk))
        lo, hi = max(start, first), min(stop, first + _INIT_CHUNK)
        out[lo - start : hi - start] = rows[lo - first : hi - first]
        chunk += 1
    return out
