"""``MatrixFactorization``: biased matrix factorisation of explicit ratings, trained in torch.

``rating ~ global_mean + b_user + b_item + p_user . q_item``, fitted by minibatch Adam (or SGD)
on squared error plus an L2 penalty on the rows each minibatch touches (so a user with many
ratings is pulled towards zero as often as they appear, as in the classic SGD recipes). A
slice of the training data is held out to stop early and keep the best epoch.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np

from .._params import (
    PROGRESS,
    SEED,
    Boolean,
    ConstraintSpec,
    Device,
    Interval,
    Options,
    validate_params,
)
from .._progress import progress_bar
from ..errors import DataError
from ._checks import check_interactions
from .base import FittedModel
from .interactions import Interactions

Optimizer = Literal["adam", "sgd"]


class MatrixFactorization(FittedModel):
    """Biased MF for explicit ratings.

    Parameters
    ----------
    vector_size: size of the user and item vectors.
    epochs: most passes over the training ratings.
    learning_rate: the optimiser's step size.
    weight_decay: L2 penalty per occurrence on the user and item vectors of each rating.
    bias_decay: the same for the biases.
    batch_size: ratings per minibatch.
    optimizer: ``"adam"`` or ``"sgd"`` (with momentum 0.9).
    validation: fraction of ratings held out for early stopping (0 trains on all, no stopping).
    early_stopping: epochs without validation improvement before stopping (0: never).
    refit: after early stopping found the best number of epochs, train again from scratch on
        all the ratings for that many epochs (about twice the time, ~0.007 better RMSE).
    seed: every random choice (init, shuffles, the validation slice) follows it.
    device: torch device.
    """

    name = "MatrixFactorization"

    def __init__(
        self,
        vector_size: int = 64,
        epochs: int = 30,
        learning_rate: float = 0.005,
        weight_decay: float = 0.1,
        bias_decay: float = 0.01,
        batch_size: int = 1024,
        optimizer: Optimizer = "adam",
        validation: float = 0.1,
        early_stopping: int = 3,
        refit: bool = True,
        seed: int = 0,
        device: str = "cpu",
        progress: bool = True,
    ) -> None:
        super().__init__()
        self.vector_size, self.epochs, self.learning_rate = vector_size, epochs, learning_rate
        self.weight_decay, self.bias_decay = weight_decay, bias_decay
        self.batch_size, self.optimizer = batch_size, optimizer
        self.validation, self.early_stopping = validation, early_stopping
        self.refit = refit
        self.seed, self.device, self.progress = seed, device, progress

    # Every parameter, declared once; fit() checks them (see embedlab._params).
    _parameter_constraints: ClassVar[dict[str, list[ConstraintSpec]]] = {
        "vector_size": [Interval(int, 1, None)],
        "epochs": [Interval(int, 1, None)],
        "learning_rate": [Interval(float, 0, None, closed="right")],
        "weight_decay": [Interval(float, 0, None)],
        "bias_decay": [Interval(float, 0, None)],
        "batch_size": [Interval(int, 1, None)],
        "optimizer": [Options(("adam", "sgd"))],
        "validation": [Interval(float, 0, 1, closed="left")],
        "early_stopping": [Interval(int, 0, None)],
        "refit": [Boolean()],
        "seed": SEED,
        "device": [Device()],
        "progress": PROGRESS,
    }

    def config(self) -> dict[str, Any]:
        """The constructor arguments (saved beside the weights).

        Returns:
            The arguments by name.
        """
        return {
            "vector_size": self.vector_size, "epochs": self.epochs, "learning_rate": self.learning_rate,
            "weight_decay": self.weight_decay,
            "bias_decay": self.bias_decay, "batch_size": self.batch_size, "optimizer": self.optimizer,
            "validation": self.validation, "early_stopping": self.early_stopping, "refit": self.refit, "seed": self.seed,
            "device": self.device,
        }

    def _fold_in_regularization(self) -> float:
        return max(self.weight_decay, 1e-3) * 5

    def fit(self, interactions: Interactions, checkpoint: str | Path | None = None) -> MatrixFactorization:
        """Train on explicit ratings; returns ``self``. ``history`` holds per-epoch losses.

        ``checkpoint=path`` saves the training state there after every epoch (rank 0,
        atomically) and resumes from it when the file holds an earlier run of the same fit
        (same ratings and settings): after a crash or a ``torchrun --max-restarts`` restart the
        factors equal an uninterrupted fit's.

        Args:
            interactions: The training interactions.
            checkpoint: The file that holds the training state after each epoch, or None.

        Returns:
            The model itself, fitted.

        Raises:
            InvalidParameterError: A setting of the model is out of range, ``interactions``
                is not an :class:`Interactions`, or ``checkpoint`` was written by a fit on
                other ratings or settings.
            DataError: The interactions are empty or are not explicit ratings.
            FormatError: ``checkpoint`` is damaged.
        """
        import torch

        from ..distributed import fingerprint, resume_from, save_checkpoint

        validate_params(self)
        data = check_interactions(interactions, self.name)
        if data.kind != "explicit":
            raise DataError("MatrixFactorization needs explicit ratings; use ImplicitALS for counts")
        order = np.random.default_rng(self.seed).permutation(len(data))
        n_valid = int(len(data) * self.validation) if len(data) >= 10 else 0
        stamp = fingerprint(data.users, data.items, np.asarray(data.values), order,
                            n_users=data.n_users, n_items=data.n_items, **self.config())
        state = resume_from(checkpoint, stamp, f"{self.name}.fit")

        def saver(phase: str, first: dict[str, Any]) -> Callable[[dict[str, Any]], None] | None:
            # The first phase searches the best epoch on the validation slice; the refit
            # trains again on everything, so its checkpoints carry what the first one found.
            if checkpoint is None:
                return None
            return lambda progress: save_checkpoint(
                checkpoint, {"fingerprint": stamp, "phase": phase, "first": first, **progress})

        # Minibatches of a few hundred dot products gain nothing from intra-op threads and
        # lose a lot to them on a busy machine.
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            if state is None or state["phase"] == "first":
                weights, best_epoch = self._train(data, order[n_valid:], order[:n_valid], self.epochs,
                                                  saver("first", {}), state)
                first = {"best_epoch": best_epoch, "history": self.history}
                state = None
            else:  # the checkpoint is of the refit: the first phase had ended
                first = state["first"]
                best_epoch, self.history = int(first["best_epoch"]), list(first["history"])
            if n_valid and self.refit:
                weights, _ = self._train(data, order, order[:0], best_epoch + 1, saver("refit", first), state)
        finally:
            torch.set_num_threads(threads)
        self._set_factors(data, *weights[:4], global_mean=weights[4])
        return self

    def _train(
        self, data: Interactions, train: np.ndarray, valid: np.ndarray, epochs: int,
        save: Callable[[dict[str, Any]], None] | None = None, resume: dict[str, Any] | None = None,
    ) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float], int]:
        import torch

        gen = torch.Generator().manual_seed(self.seed)
        dev = torch.device(self.device)
        users = torch.from_numpy(data.users.astype(np.int64)).to(dev)
        items = torch.from_numpy(data.items.astype(np.int64)).to(dev)
        values = torch.tensor(np.asarray(data.values), device=dev)
        mean = float(np.mean(data.values[train]))

        from ..nn import Embedding  # the project's layer: torch.nn.Embedding with checked arguments

        init = torch.Generator().manual_seed(self.seed + 1)
        tables = {
            "p": Embedding(data.n_users, self.vector_size), "q": Embedding(data.n_items, self.vector_size),
            "bu": Embedding(data.n_users, 1), "bi": Embedding(data.n_items, 1),
        }
        with torch.no_grad():
            tables["p"].weight.copy_(torch.randn(data.n_users, self.vector_size, generator=init) * 0.01)
            tables["q"].weight.copy_(torch.randn(data.n_items, self.vector_size, generator=init) * 0.01)
            tables["bu"].weight.zero_()
            tables["bi"].weight.zero_()
        p, q, bu, bi = (tables[name].to(dev) for name in ("p", "q", "bu", "bi"))
        params = [p.weight, q.weight, bu.weight, bi.weight]
        opt: torch.optim.Optimizer = (
            torch.optim.Adam(params, lr=self.learning_rate) if self.optimizer == "adam"
            else torch.optim.SGD(params, lr=self.learning_rate, momentum=0.9)
        )

        def predict(u: torch.Tensor, i: torch.Tensor) -> torch.Tensor:
            scores: torch.Tensor = mean + bu(u)[:, 0] + bi(i)[:, 0] + (p(u) * q(i)).sum(1)
            return scores

        train_t = torch.from_numpy(train).to(dev)
        valid_t = torch.from_numpy(valid).to(dev)
        lo, hi = data.rating_scale or (-np.inf, np.inf)
        best = (float("inf"), -1, [t.detach().clone() for t in params])
        history: list[dict[str, float]] = []
        done, stopped = 0, False
        if resume is not None:  # the epochs already trained, restored as they ended
            with torch.no_grad():
                for tensor, saved in zip(params, resume["params"], strict=True):
                    tensor.copy_(saved)
            opt.load_state_dict(resume["optimiser"])
            gen.set_state(resume["shuffle"])
            history = list(resume["history"])
            best = (float(resume["best_score"]), int(resume["best_epoch"]),
                    [t.to(dev) for t in resume["best_params"]])
            done, stopped = int(resume["epoch"]), bool(resume["stopped"])
        from ..distributed import all_reduce_sum, average_gradients, batch_share, context

        ranks = context()  # under torchrun: each rank takes its share of every minibatch
        with progress_bar(epochs, "matrix factorisation", self.progress and ranks.is_main,
                          unit="epochs") as bar:
            bar.advance(done)
            for epoch in range(epochs if stopped else done, epochs):
                perm = train_t[torch.randperm(len(train_t), generator=gen).to(dev)]
                total = 0.0
                for start in range(0, len(perm), self.batch_size):
                    batch, share = batch_share(perm[start:start + self.batch_size], ranks)
                    u, i = users[batch], items[batch]
                    pu, qi, bu_u, bi_i = p(u), q(i), bu(u)[:, 0], bi(i)[:, 0]
                    err = ((mean + bu_u + bi_i + (pu * qi).sum(1) - values[batch]) ** 2).sum()
                    penalty = self.weight_decay * ((pu ** 2).sum() + (qi ** 2).sum())
                    penalty = penalty + self.bias_decay * ((bu_u ** 2).sum() + (bi_i ** 2).sum())
                    opt.zero_grad()
                    ((err + penalty) / max(len(batch), 1) * share).backward()
                    average_gradients(params)  # DDP's all-reduce, for these four tables
                    opt.step()
                    total += float(err.detach())
                total = float(all_reduce_sum(torch.tensor(total, dtype=torch.float64)))
                record = {"epoch": epoch + 1, "train_rmse": (total / max(len(train), 1)) ** 0.5}
                if len(valid):
                    with torch.no_grad():
                        pv = predict(users[valid_t], items[valid_t]).clamp(lo, hi)
                        record["valid_rmse"] = float(((pv - values[valid_t]) ** 2).mean().sqrt())
                history.append(record)
                bar.advance(1, info=f"valid rmse {record.get('valid_rmse', float('nan')):.4f}")
                score = record.get("valid_rmse", -epoch)
                if score < best[0]:
                    best = (score, epoch, [t.detach().clone() for t in params])
                elif self.early_stopping and len(valid) and epoch - best[1] >= self.early_stopping:
                    stopped = True
                if save is not None:
                    save({"epoch": epoch + 1, "stopped": stopped, "history": history,
                          "params": [t.detach().cpu() for t in params], "optimiser": opt.state_dict(),
                          "shuffle": gen.get_state(), "best_score": best[0], "best_epoch": best[1],
                          "best_params": [t.cpu() for t in best[2]]})
                if stopped:
                    break
        if len(valid) or not self.history:
            self.history = history
        kept = best[2] if len(valid) else [t.detach() for t in params]
        pu, qi, bu_, bi_ = (t.cpu().numpy() for t in kept)
        return (pu, qi, bu_[:, 0], bi_[:, 0], mean), (best[1] if len(valid) else epochs - 1)
