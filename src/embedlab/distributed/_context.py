"""Where this process stands in a torchrun launch, and the few collectives the trainers use.

``torchrun`` (``python -m torch.distributed.run``) starts one process per rank and tells each
where it stands through environment variables: ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``,
``MASTER_ADDR``, ``MASTER_PORT`` (and ``TORCHELASTIC_RESTART_COUNT`` after an elastic
restart). Without them the process is a world of one and every helper here is a no-op, so a
training script runs unchanged with and without torchrun.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

import torch
import torch.distributed as dist
from torch import nn

from ..errors import EmbedlabError

Backend = Literal["gloo", "nccl"]


class DistributedError(EmbedlabError):
    """A torchrun launch that cannot go on: a missing variable, a budget too small for a shard."""


@dataclass(frozen=True)
class Context:
    """This process's place in the launch: ``rank`` of ``world_size``; ``is_main`` for rank 0."""

    rank: int
    world_size: int
    local_rank: int
    device: torch.device
    backend: Backend | None
    restarts: int

    @property
    def is_main(self) -> bool:
        """Rank 0: the one process that logs, draws progress bars and writes checkpoints."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        """True when there is more than one rank and the process group is up."""
        return self.world_size > 1 and dist.is_available() and dist.is_initialized()


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise DistributedError(
            f"the environment variable {name}={raw!r} is not an integer; launch with torchrun, "
            "which sets it"
        ) from None


def launched_by_torchrun() -> bool:
    """True when torchrun's variables (``RANK`` and ``WORLD_SIZE``) are set."""
    return "RANK" in os.environ and "WORLD_SIZE" in os.environ


def context() -> Context:
    """This process's :class:`Context`; a world of one on CPU when torchrun did not launch it."""
    if dist.is_available() and dist.is_initialized():
        rank, world = dist.get_rank(), dist.get_world_size()
        backend: Backend | None = "nccl" if dist.get_backend() == "nccl" else "gloo"
    else:
        rank, world, backend = _env_int("RANK", 0), _env_int("WORLD_SIZE", 1), None
    local_rank = _env_int("LOCAL_RANK", 0)
    device = torch.device(f"cuda:{local_rank}") if backend == "nccl" else torch.device("cpu")
    return Context(rank, world, local_rank, device, backend,
                   _env_int("TORCHELASTIC_RESTART_COUNT", 0))


def init(backend: Backend | None = None, timeout_s: float = 300.0) -> Context:
    """Join the process group torchrun described (gloo on CPU, NCCL when a GPU is here).

    Safe to call twice and in a plain process (then it does nothing and returns a world of
    one). ``backend`` overrides the choice, e.g. ``"gloo"`` on a GPU machine for CPU tensors.
    """
    if not launched_by_torchrun() or _env_int("WORLD_SIZE", 1) == 1:
        return context()
    if dist.is_initialized():
        return context()
    for name in ("MASTER_ADDR", "MASTER_PORT"):
        if name not in os.environ:
            raise DistributedError(
                f"RANK and WORLD_SIZE are set but {name} is not; launch with torchrun "
                "(python -m torch.distributed.run), which sets all of them"
            )
    chosen: Backend = backend or ("nccl" if torch.cuda.is_available() else "gloo")
    if chosen == "nccl":
        torch.cuda.set_device(_env_int("LOCAL_RANK", 0))
    timeout = timedelta(seconds=timeout_s)
    dist.init_process_group(chosen, store=_attempt_store(timeout), rank=_env_int("RANK", 0),
                            world_size=_env_int("WORLD_SIZE", 1), timeout=timeout)
    return context()


def _attempt_store(timeout: timedelta) -> Any:
    """torchrun's key-value store, with keys of their own for this restart attempt.

    After an elastic restart the store still holds the addresses the dead attempt published;
    without a fresh prefix the new ranks read them and fail to connect (or wait forever).
    """
    agent_hosts_it = os.environ.get("TORCHELASTIC_USE_AGENT_STORE") == "True"
    store = dist.TCPStore(  # type: ignore[attr-defined]
        os.environ["MASTER_ADDR"], _env_int("MASTER_PORT", 0), _env_int("WORLD_SIZE", 1),
        is_master=not agent_hosts_it and _env_int("RANK", 0) == 0, timeout=timeout,
    )
    attempt = _env_int("TORCHELASTIC_RESTART_COUNT", 0)
    return dist.PrefixStore(f"embedlab/attempt_{attempt}", store)  # type: ignore[attr-defined]


def shutdown() -> None:
    """Leave the process group (at the end of a script, on every rank; harmless when none was joined).

    The ranks meet first: a rank that tears its connections down while a peer still uses
    them can make gloo abort the peer ("terminate called without an active exception").
    """
    if dist.is_available() and dist.is_initialized():
        if dist.get_world_size() > 1:
            dist.barrier()
        dist.destroy_process_group()


def barrier() -> None:
    """Wait until every rank gets here (nothing to wait for in a world of one)."""
    if context().distributed:
        dist.barrier()


def shard(sequence: torch.Tensor, ctx: Context | None = None) -> torch.Tensor:
    """This rank's share of ``sequence``: every ``world_size``-th element from ``rank`` on.

    Shares differ in length by at most one and together are ``sequence`` exactly. Splitting
    each global minibatch this way keeps a data-parallel fit equal to the one-process fit.
    Before :func:`init` (no process group) the share is the whole sequence.
    """
    ctx = ctx or context()
    if not ctx.distributed:
        return sequence
    return sequence[ctx.rank :: ctx.world_size]


def batch_share(rows: torch.Tensor, ctx: Context | None = None) -> tuple[torch.Tensor, float]:
    """This rank's rows of a global minibatch, and the factor for its mean loss.

    DistributedDataParallel averages the ranks' gradients; when the shares are not of equal
    length a plain average of per-rank means is not the global mean. Multiplying each rank's
    mean loss by ``world_size * len(share) / len(rows)`` makes the average exact.
    """
    ctx = ctx or context()
    if not ctx.distributed:
        return rows, 1.0
    share = shard(rows, ctx)
    return share, ctx.world_size * len(share) / max(len(rows), 1)


def all_reduce_sum(values: torch.Tensor) -> torch.Tensor:
    """The element-wise sum of ``values`` over the ranks (a copy; ``values`` itself unchanged)."""
    total = values.detach().clone()
    if context().distributed:
        dist.all_reduce(total, op=dist.ReduceOp.SUM)
    return total


def all_reduce_mean(values: torch.Tensor) -> torch.Tensor:
    """The element-wise mean of ``values`` over the ranks (a copy)."""
    return all_reduce_sum(values) / context().world_size


def average_gradients(parameters: list[torch.Tensor]) -> None:
    """Average the ``.grad`` of ``parameters`` over the ranks, in place (what DDP does).

    For training loops that are not one ``nn.Module`` forward (e.g. matrix factorisation's
    four tables): call it between ``backward()`` and ``optimizer.step()``. One all-reduce of
    the gradients flattened together, rather than one per tensor.
    """
    ctx = context()
    if not ctx.distributed:
        return
    grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in parameters]
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat, op=dist.ReduceOp.SUM)
    flat /= ctx.world_size
    offset = 0
    for p, g in zip(parameters, grads, strict=True):
        p.grad = flat[offset : offset + g.numel()].view_as(g).clone()
        offset += g.numel()


def broadcast_parameters(module: nn.Module) -> None:
    """Copy rank 0's parameters and buffers to every rank (DDP does this when it wraps)."""
    if context().distributed:
        for tensor in list(module.parameters()) + list(module.buffers()):
            dist.broadcast(tensor.data, src=0)


def wrap(model: nn.Module) -> nn.Module:
    """``model`` under DistributedDataParallel when there are several ranks, else ``model``.

    The wrapper shares the model's parameters: train through it, keep using ``model`` for
    saving and prediction.
    """
    ctx = context()
    if not ctx.distributed:
        return model
    from torch.nn.parallel import DistributedDataParallel

    ids = [ctx.local_rank] if ctx.device.type == "cuda" else None
    return DistributedDataParallel(model, device_ids=ids)


class _GatherRows(torch.autograd.Function):
    """Every rank's rows stacked in rank order; the gradient of the stack is summed over the
    ranks and each rank keeps the slice of its own rows."""

    @staticmethod
    def forward(ctx: Any, rows: torch.Tensor, sizes: list[int], rank: int) -> torch.Tensor:
        ctx.sizes, ctx.rank = sizes, rank
        # gloo gathers equal shapes only: pad every share to the largest, then cut back
        padded = rows.new_zeros((max(sizes), *rows.shape[1:]))
        padded[: len(rows)] = rows
        parts = [torch.empty_like(padded) for _ in sizes]
        dist.all_gather(parts, padded)
        return torch.cat([part[:n] for part, n in zip(parts, sizes, strict=True)])

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None, None]:
        total = grad.contiguous().clone()
        dist.all_reduce(total, op=dist.ReduceOp.SUM)
        first = sum(ctx.sizes[: ctx.rank])
        return total[first : first + ctx.sizes[ctx.rank]], None, None


def gather_rows(rows: torch.Tensor, ctx: Context | None = None) -> torch.Tensor:
    """Every rank's ``rows`` (shares may differ in length) stacked in rank order, with autograd.

    For losses over the whole global batch, such as a contrastive loss whose negatives are the
    other ranks' rows: each rank computes the same loss on the stack, and the gradient reaching
    its own rows is the sum over ranks (so DDP's average of the parameters' gradients is the
    one-process gradient).
    """
    ctx = ctx or context()
    if not ctx.distributed:
        return rows
    sizes = torch.tensor([len(rows)])
    counts = [torch.empty_like(sizes) for _ in range(ctx.world_size)]
    dist.all_gather(counts, sizes)
    gathered: torch.Tensor = _GatherRows.apply(  # type: ignore[no-untyped-call]
        rows, [int(c) for c in counts], ctx.rank)
    return gathered
