"""A small fit loop: mini-batches, Adam, a progress bar per epoch, early stopping.

It knows nothing about texts or labels; :class:`~embedlab.nn.TextClassifier` hands it
integer inputs, integer targets and two functions (the loss and the predicted class).
"""

from __future__ import annotations

import contextlib
import html
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .._progress import progress_bar, say
from ..distributed import (
    all_reduce_sum,
    batch_share,
    context,
    fingerprint,
    resume_from,
    save_checkpoint,
    wrap,
)

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
PredictFn = Callable[[torch.Tensor], torch.Tensor]


@dataclass
class History:
    """Per-epoch figures of a fit: ``history["loss"]``, ``["accuracy"]``, ``["val_loss"]`` ...

    ``best_epoch`` is the epoch (counted from 1) whose weights were kept when early stopping
    restored the best ones, else 0; ``stopped_epoch`` the epoch after which early stopping
    ended the fit, else 0. In a notebook a History shows as a table; ``plot()`` draws it.
    """

    history: dict[str, list[float]] = field(default_factory=dict)
    best_epoch: int = 0
    stopped_epoch: int = 0

    def add(self, **figures: float) -> None:
        """Append one epoch's figures, each to its own list.

        Args:
            **figures: The epoch's figures by name (``loss=0.41, accuracy=0.83`` ...).
        """
        for name, value in figures.items():
            self.history.setdefault(name, []).append(value)

    @property
    def epochs(self) -> int:
        """How many epochs ran (fewer than asked when early stopping ended the fit)."""
        return len(self.history.get("loss", []))

    def __getitem__(self, name: str) -> list[float]:
        return self.history[name]

    def last(self) -> dict[str, float]:
        """The figures of the last epoch.

        Returns:
            Each figure's name mapped to its last value.
        """
        return {name: values[-1] for name, values in self.history.items() if values}

    def best(self) -> dict[str, float]:
        """The figures of the epoch whose weights the model kept (the last one if no early stop).

        Returns:
            Each figure's name mapped to its value at that epoch.
        """
        if not self.best_epoch:
            return self.last()
        return {name: values[self.best_epoch - 1] for name, values in self.history.items()}

    @property
    def early_stopping_note(self) -> str:
        """What early stopping did, in words ("" when it did nothing)."""
        if self.stopped_epoch:
            return (f"stopped after epoch {self.stopped_epoch}; "
                    f"restored the weights of epoch {self.best_epoch}")
        if self.best_epoch and self.best_epoch != self.epochs:
            return (f"ran all {self.epochs} epochs; "
                    f"restored the weights of epoch {self.best_epoch}")
        return ""

    def _repr_html_(self) -> str:
        names = list(self.history)
        head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
        rows = []
        for i in range(self.epochs):
            kept = ' style="font-weight:bold"' if i + 1 == self.best_epoch else ""
            cells = "".join(f"<td>{self.history[n][i]:.4f}</td>" for n in names
                            if i < len(self.history[n]))
            rows.append(f"<tr{kept}><td>{i + 1}</td>{cells}</tr>")
        note = self.early_stopping_note
        caption = f"<caption>History: {self.epochs} epochs" + (f"; {note}" if note else "")
        return (f'<table class="embedlab-history">{caption}</caption>'
                f"<tr><th>epoch</th>{head}</tr>{''.join(rows)}</table>")

    def plot(self, ax: Any = None, figsize: tuple[float, float] = (6.4, 3.6)) -> Any:
        """Loss (and accuracy, on a second panel) per epoch, training against validation.

        Returns a ``matplotlib.figure.Figure`` built without pyplot, so nothing stays open and
        no backend is chosen; a notebook shows it when it is the cell's value. With ``ax=`` the
        losses are drawn onto that axes (in your own figure) and its figure is returned.

        Args:
            ax: A matplotlib axes to draw the losses onto, or None for a new figure.
            figsize: Size in inches of the new figure (when ``ax`` is None).

        Returns:
            The ``matplotlib.figure.Figure`` drawn on.
        """
        from matplotlib.ticker import MaxNLocator

        accuracy = "accuracy" in self.history
        if ax is None:
            fig = _shown_figure(figsize=figsize, layout="constrained")
            axes = fig.subplots(1, 2 if accuracy else 1, squeeze=False)[0]
        else:
            fig, axes = ax.figure, [ax]
        epochs = range(1, self.epochs + 1)
        for panel, figure in zip(axes, ("loss", "accuracy"), strict=False):
            for name, style in ((figure, "-o"), (f"val_{figure}", "--s")):
                if name in self.history:
                    panel.plot(epochs, self.history[name], style, label=name, markersize=4)
            if self.best_epoch:
                panel.axvline(self.best_epoch, color="grey", linewidth=0.8, linestyle=":")
            panel.xaxis.set_major_locator(MaxNLocator(integer=True))  # no epoch 2.5
            panel.set_xlabel("epoch")
            panel.set_ylabel(figure)
            panel.legend()
        return fig


class EarlyStopping:
    """Keras's ``EarlyStopping(restore_best_weights=True)`` for our fit loops.

    After each epoch :meth:`update` is given the validation loss: a loss lower than the best
    by more than 1e-6 keeps a copy of the weights and marks that epoch as ``history``'s best;
    ``patience`` epochs in a row without one mark the epoch as the stop. :meth:`restore` puts
    the best weights back. ``state()`` and ``from_state`` carry the bookkeeping through a
    checkpoint under the keys ``best_loss``, ``best_state`` and ``waited``.

    Args:
        patience: Epochs without a lower validation loss before the fit ends; None never
            stops and never restores.
    """

    def __init__(self, patience: int | None) -> None:
        self.patience = patience
        self.best_loss = math.inf
        self.best_state: dict[str, torch.Tensor] | None = None
        self.waited = 0

    def update(self, epoch: int, val_loss: float, net: nn.Module, history: History) -> bool:
        """Record epoch ``epoch``'s validation loss; True when the fit should end now.

        Args:
            epoch: The epoch just finished, counted from 1.
            val_loss: Its validation loss.
            net: The model (its weights are copied when the loss is the best so far).
            history: The fit's History: its ``best_epoch`` and ``stopped_epoch`` are set here.

        Returns:
            Whether ``patience`` epochs in a row have passed without a lower loss.
        """
        if self.patience is None:
            return False
        if val_loss < self.best_loss - 1e-6:
            self.best_loss, self.waited, history.best_epoch = val_loss, 0, epoch
            self.best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
            return False
        self.waited += 1
        if self.waited >= self.patience:
            history.stopped_epoch = epoch
            return True
        return False

    def restore(self, net: nn.Module) -> None:
        """Put the best epoch's weights back into ``net`` (nothing if none was kept).

        Args:
            net: The model trained in place.
        """
        if self.best_state is not None:
            net.load_state_dict(self.best_state)

    def state(self) -> dict[str, Any]:
        """The bookkeeping, for a checkpoint.

        Returns:
            ``best_loss``, ``best_state`` and ``waited``.
        """
        return {"best_loss": self.best_loss, "best_state": self.best_state, "waited": self.waited}

    @classmethod
    def from_state(cls, patience: int | None, state: dict[str, Any]) -> EarlyStopping:
        """Early stopping as a checkpoint left it.

        Args:
            patience: As for the constructor.
            state: A checkpoint holding what :meth:`state` returned.

        Returns:
            The bookkeeping restored.
        """
        stopping = cls(patience)
        stopping.best_loss = state["best_loss"]
        stopping.best_state = state["best_state"]
        stopping.waited = state["waited"]
        return stopping


def _shown_figure(**options: Any) -> Any:
    """A ``matplotlib.figure.Figure`` that a notebook shows as PNG even in a fresh kernel.

    A Figure made without pyplot displays only once pyplot has set up the inline backend;
    ``_repr_png_`` lets IPython draw it regardless (where pyplot's formatter is set up, that
    one is used instead: one image either way).
    """
    import io

    from matplotlib.figure import Figure

    class ShownFigure(Figure):
        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png")
            return buffer.getvalue()

    return ShownFigure(**options)


@contextlib.contextmanager
def torch_threads(threads: int | None) -> Iterator[None]:
    """Let torch use ``threads`` CPU threads inside the block (None: leave it as it is).

    Models as small as the article's gain nothing from more threads: each step is a few
    small matrix products, and on a busy machine waiting threads make a fit several times
    slower (measured: one epoch over 10,246 reviews, 2.2 s on one thread, 16.6 s on two,
    with other jobs running).

    Args:
        threads: The number of torch CPU threads inside the block, or None to leave it.

    Returns:
        A context manager; the previous number of threads is restored when the block ends.
    """
    if threads is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@torch.no_grad()
def score(
    net: nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn: LossFn, predict_fn: PredictFn,
    device: str | torch.device, batch_size: int = 1024,
) -> tuple[float, float]:
    """Mean loss and accuracy of ``net`` on ``(x, y)``, in evaluation mode.

    Args:
        net: The model.
        x: The inputs.
        y: The targets.
        loss_fn: The loss of ``(outputs, targets)``.
        predict_fn: The predicted classes of the outputs.
        device: Where ``net`` runs.
        batch_size: Rows per forward pass.

    Returns:
        ``(loss, accuracy)``.
    """
    logits = outputs(net, x, device, batch_size)
    return float(loss_fn(logits, y)), float((predict_fn(logits) == y).float().mean())


@torch.no_grad()
def outputs(
    net: nn.Module, x: torch.Tensor, device: str | torch.device, batch_size: int = 1024
) -> torch.Tensor:
    """``net(x)`` in batches, on the CPU.

    Args:
        net: The model (switched to evaluation mode).
        x: The inputs.
        device: Where ``net`` runs.
        batch_size: Rows per forward pass.

    Returns:
        The outputs of every row, concatenated, on the CPU.
    """
    net.eval()
    parts = [net(x[i : i + batch_size].to(device)).cpu() for i in range(0, len(x), batch_size)]
    return torch.cat(parts)


def fit_loop(
    net: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    loss_fn: LossFn,
    predict_fn: PredictFn,
    *,
    learning_rate: float,
    epochs: int,
    batch_size: int,
    validation: tuple[torch.Tensor, torch.Tensor] | None,
    early_stopping: int | None,
    seed: int,
    device: str | torch.device,
    progress: bool,
    checkpoint: str | Path | None = None,
) -> History:
    """Train ``net`` in place with Adam; returns the :class:`History`.

    With ``early_stopping=n`` the fit ends after ``n`` epochs without a lower validation loss
    and the weights of the best epoch are put back (Keras's ``restore_best_weights``).

    Under torchrun (after :func:`embedlab.distributed.init`) each rank trains on its share of
    every global minibatch under DistributedDataParallel: the same weights as one process with
    the same ``batch_size`` and ``seed``, up to float rounding. Rank 0 draws the progress.

    With ``checkpoint=path`` rank 0 saves the whole training state there (atomically) after
    every epoch, and a fit that finds a checkpoint of the same data and settings goes on from
    it: after a crash, or an elastic restart under ``torchrun --max-restarts``, the result
    equals an uninterrupted fit's.

    Args:
        net: The model, trained in place.
        x: The training inputs.
        y: The training targets.
        loss_fn: The loss of ``(outputs, targets)``.
        predict_fn: The predicted classes of the outputs (for the accuracy).
        learning_rate: Adam's learning rate.
        epochs: Most passes over the data.
        batch_size: Rows per global minibatch.
        validation: ``(x, y)`` scored after each epoch, or None.
        early_stopping: Epochs without a lower validation loss before the fit ends, or None.
        seed: Seed of the shuffles.
        device: Where ``net`` runs.
        progress: Draw a progress bar per epoch.
        checkpoint: The file that holds the training state after each epoch, or None.

    Returns:
        The per-epoch figures (``loss``, ``accuracy``, and ``val_*`` with ``validation``).

    Raises:
        FormatError: ``checkpoint`` is damaged.
        InvalidParameterError: ``checkpoint`` was written by a fit on other data or settings.
    """
    optimiser = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=learning_rate)
    # A private generator: the shuffles depend on the seed only, not on global torch state.
    generator = torch.Generator().manual_seed(seed)
    history = History()
    ranks = context()
    trained = wrap(net)  # DDP when there are several ranks: gradients averaged in backward
    progress = progress and ranks.is_main
    stopping = EarlyStopping(early_stopping if validation is not None else None)
    steps = math.ceil(len(x) / batch_size)
    # Everything the result depends on: a checkpoint of another fit is refused, not continued.
    stamp = fingerprint(
        x, y, *(validation or ()), learning_rate=learning_rate, epochs=epochs,
        batch_size=batch_size, early_stopping=early_stopping, seed=seed,
        shapes=[(name, tuple(p.shape)) for name, p in net.state_dict().items()],
    )
    done = 0
    state = resume_from(checkpoint, stamp, "TextClassifier.fit")
    if state is not None:  # the epochs already trained, restored as they ended
        net.load_state_dict(state["net"])
        optimiser.load_state_dict(state["optimiser"])
        generator.set_state(state["shuffle"])
        history = History(dict(state["history"]), state["best_epoch"], state["stopped_epoch"])
        stopping = EarlyStopping.from_state(stopping.patience, state)
        done = int(state["epoch"])
        if history.stopped_epoch:  # early stopping had already ended that fit
            done = epochs
    for epoch in range(done + 1, epochs + 1):
        net.train()
        order = torch.randperm(len(x), generator=generator)
        seen, loss_sum, correct = 0, 0.0, 0
        with progress_bar(steps, f"epoch {epoch}/{epochs}", progress, unit="batches") as bar:
            for start in range(0, len(x), batch_size):
                rows, share = batch_share(order[start : start + batch_size], ranks)
                xb, yb = x[rows].to(device), y[rows].to(device)
                logits = trained(xb)
                # A rank whose share is empty still joins DDP's gradient exchange, with zeros.
                loss = loss_fn(logits, yb) if len(rows) else logits.sum() * 0.0
                optimiser.zero_grad()
                torch.autograd.backward(loss * share)
                optimiser.step()
                seen += len(rows)
                loss_sum += loss.item() * len(rows)
                correct += int((predict_fn(logits) == yb).sum())
                bar.advance(1, info=f"loss {loss_sum / max(seen, 1):.4f} · accuracy {correct / max(seen, 1):.4f}")
            if ranks.distributed:  # the epoch's figures over every rank's share
                totals = all_reduce_sum(torch.tensor([seen, loss_sum, correct], dtype=torch.float64))
                seen, loss_sum, correct = int(totals[0]), float(totals[1]), int(totals[2])
            figures = {"loss": loss_sum / seen, "accuracy": correct / seen}
            if validation is not None:
                val_loss, val_accuracy = score(net, *validation, loss_fn, predict_fn, device)
                figures |= {"val_loss": val_loss, "val_accuracy": val_accuracy}
                # Like Keras: the finished epoch's bar ends with the validation figures.
                bar.advance(0, info=" · ".join(f"{k} {v:.4f}" for k, v in figures.items()))
        history.add(**figures)
        if validation is not None:
            stopping.update(epoch, figures["val_loss"], net, history)
        if checkpoint is not None:
            save_checkpoint(checkpoint, {
                "fingerprint": stamp, "epoch": epoch, "net": net.state_dict(),
                "optimiser": optimiser.state_dict(), "shuffle": generator.get_state(),
                "history": history.history, "best_epoch": history.best_epoch,
                "stopped_epoch": history.stopped_epoch, **stopping.state(),
            })
        if history.stopped_epoch:
            break
    stopping.restore(net)
    if history.early_stopping_note:
        say(f"early stopping: {history.early_stopping_note}", progress)
    return history
