"""EarlyStopping: the bookkeeping both fit loops (TextClassifier's, SequenceTagger's) share."""

from __future__ import annotations

import math

import torch
from torch import nn

from embedlab.nn.training import EarlyStopping, History


def _net(value: float) -> nn.Linear:
    net = nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        net.weight.fill_(value)
    return net


def test_keeps_the_best_epoch_and_stops_after_patience_epochs_without_a_lower_loss() -> None:
    stopping, history, net = EarlyStopping(2), History(), _net(0.0)
    ends = []
    for epoch, loss in enumerate([1.0, 0.5, 0.5 - 1e-7, 0.7], start=1):
        with torch.no_grad():
            net.weight.fill_(float(epoch))
        ends.append(stopping.update(epoch, loss, net, history))
    # 0.5 - 1e-7 is not lower by more than 1e-6: it counts as an epoch without progress.
    assert ends == [False, False, False, True]
    assert (history.best_epoch, history.stopped_epoch) == (2, 4)
    assert (stopping.best_loss, stopping.waited) == (0.5, 2)
    stopping.restore(net)
    assert float(net.weight) == 2.0


def test_a_lower_loss_resets_the_wait() -> None:
    stopping, history, net = EarlyStopping(2), History(), _net(0.0)
    ends = [stopping.update(e, loss, net, history) for e, loss in enumerate([1.0, 1.1, 0.9, 1.0], 1)]
    assert ends == [False] * 4
    assert (history.best_epoch, history.stopped_epoch, stopping.waited) == (3, 0, 1)


def test_without_patience_it_never_stops_nor_restores() -> None:
    stopping, history, net = EarlyStopping(None), History(), _net(3.0)
    assert not any(stopping.update(e, 1.0 / e, net, history) for e in range(1, 5))
    stopping.restore(net)
    assert float(net.weight) == 3.0
    assert (history.best_epoch, stopping.best_loss) == (0, math.inf)


def test_state_round_trips_under_the_checkpoint_keys() -> None:
    stopping, history, net = EarlyStopping(3), History(), _net(5.0)
    stopping.update(1, 0.25, net, history)
    stopping.update(2, 0.5, net, history)
    state = stopping.state()
    assert set(state) == {"best_loss", "best_state", "waited"}
    again = EarlyStopping.from_state(3, state)
    assert (again.best_loss, again.waited) == (0.25, 1)
    with torch.no_grad():
        net.weight.fill_(0.0)
    again.restore(net)
    assert float(net.weight) == 5.0
