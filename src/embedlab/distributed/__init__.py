"""Beyond one process: torchrun launches, data-parallel training, sharded tables and search.

Run any script that uses embedlab under ``torchrun --nproc_per_node N script.py``: call
:func:`init` once at the start, and the trainers that know about ranks (``TextClassifier``,
``MatrixFactorization``) split each minibatch across the ranks, keep the models in step and
draw progress on rank 0 only. Without torchrun everything here is a world of one.

* :func:`context` / :func:`init` / :func:`shutdown` / :func:`barrier` -- where this process
  stands; gloo on CPU, NCCL on GPU.
* :func:`shard`, :func:`batch_share`, :func:`all_reduce_mean`, :func:`all_reduce_sum`,
  :func:`average_gradients`, :func:`gather_rows`, :func:`wrap` -- the pieces of a data-parallel loop.
* :func:`save_checkpoint` / :func:`load_checkpoint` -- rank 0 writes, all read after an elastic
  restart (``torchrun --max-restarts``); :func:`fingerprint` / :func:`resume_from` -- what
  ``fit(..., checkpoint=path)`` of the classifier and matrix factorisation use to resume.
* :class:`ShardedEmbedding` -- a table whose rows are split across ranks (``all_to_all_single``).
* :func:`sharded_top_k` -- exact top-k over vectors split across ranks.
"""

from ._context import (
    Backend,
    Context,
    DistributedError,
    all_reduce_mean,
    all_reduce_sum,
    average_gradients,
    barrier,
    batch_share,
    broadcast_parameters,
    context,
    gather_rows,
    init,
    launched_by_torchrun,
    shard,
    shutdown,
    wrap,
)
from .checkpoint import fingerprint, load_checkpoint, resume_from, save_checkpoint
from .sharded_embedding import ShardedEmbedding, owners, shard_bounds
from .sharded_search import sharded_top_k

__all__ = [
    "Backend",
    "Context",
    "DistributedError",
    "ShardedEmbedding",
    "all_reduce_mean",
    "all_reduce_sum",
    "average_gradients",
    "barrier",
    "batch_share",
    "broadcast_parameters",
    "context",
    "fingerprint",
    "gather_rows",
    "init",
    "launched_by_torchrun",
    "load_checkpoint",
    "owners",
    "resume_from",
    "save_checkpoint",
    "shard",
    "shard_bounds",
    "sharded_top_k",
    "shutdown",
    "wrap",
]
