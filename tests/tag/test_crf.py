"""The CRF against brute force: every tag sequence of tiny sentences enumerated and scored by
hand, for the log partition (forward algorithm), the best path (Viterbi) and the loss."""

from __future__ import annotations

import itertools
import math

import pytest
import torch

from embedlab.tag.crf import CRF

TAGS = 3


def _crf(seed: int) -> CRF:
    torch.manual_seed(seed)
    crf = CRF(TAGS)
    with torch.no_grad():
        for parameter in crf.parameters():
            parameter.normal_()
    return crf.requires_grad_(False)


def _score(crf: CRF, emissions: torch.Tensor, path: tuple[int, ...]) -> float:
    """One sentence's path score, term by term as the CRF defines it."""
    total = float(crf.start[path[0]]) + float(crf.end[path[-1]])
    total += sum(float(emissions[t, y]) for t, y in enumerate(path))
    total += sum(float(crf.transitions[a, b]) for a, b in itertools.pairwise(path))
    return total


def _batch(seed: int, lengths: list[int]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Random emissions (padding rows random too: they must not matter) and the word mask."""
    generator = torch.Generator().manual_seed(seed)
    emissions = torch.randn(len(lengths), max(lengths), TAGS, generator=generator) * 2
    length = torch.tensor(lengths)
    mask = torch.arange(max(lengths)).unsqueeze(0) < length.unsqueeze(1)
    return emissions, length, mask


CASES = [(0, [4, 2]), (1, [1]), (2, [3, 1, 4, 2]), (3, [5, 5]), (4, [2, 5, 1])]


@pytest.mark.parametrize(("seed", "lengths"), CASES)
def test_log_partition_and_best_path_equal_brute_force(seed: int, lengths: list[int]) -> None:
    crf = _crf(seed)
    emissions, length, mask = _batch(seed, lengths)
    log_z = crf.log_partition(emissions, mask)
    decoded = crf.decode(emissions, length)
    assert decoded.shape == mask.shape
    for b, n in enumerate(lengths):
        paths = list(itertools.product(range(TAGS), repeat=n))
        scores = [_score(crf, emissions[b], p) for p in paths]
        exact = math.log(sum(math.exp(s) for s in scores))
        assert float(log_z[b]) == pytest.approx(exact, abs=1e-4)
        best = paths[max(range(len(paths)), key=scores.__getitem__)]
        assert decoded[b, :n].tolist() == list(best)
        assert decoded[b, n:].tolist() == [0] * (max(lengths) - n)


@pytest.mark.parametrize(("seed", "lengths"), CASES)
def test_path_score_equals_the_sum_of_its_terms(seed: int, lengths: list[int]) -> None:
    crf = _crf(seed)
    emissions, _, mask = _batch(seed, lengths)
    generator = torch.Generator().manual_seed(seed + 100)
    tags = torch.randint(TAGS, mask.shape, generator=generator)
    scores = crf.path_score(emissions, tags, mask)
    for b, n in enumerate(lengths):
        path = tuple(tags[b, :n].tolist())
        assert float(scores[b]) == pytest.approx(_score(crf, emissions[b], path), abs=1e-4)


def test_loss_is_minus_log_probability_per_token_so_probabilities_sum_to_one() -> None:
    crf = _crf(7)
    emissions, _, _ = _batch(7, [3])
    total = 0.0
    for path in itertools.product(range(TAGS), repeat=3):
        targets = torch.tensor([path])
        total += math.exp(-float(crf.loss(emissions, targets)) * 3)
    assert total == pytest.approx(1.0, rel=1e-5)


def test_batch_figures_equal_each_sentence_alone() -> None:
    """Padding changes nothing: a sentence scored in a batch of longer ones, or on its own."""
    crf = _crf(5)
    lengths = [6, 1, 4, 3]
    emissions, length, mask = _batch(5, lengths)
    together = crf.log_partition(emissions, mask)
    paths = crf.decode(emissions, length)
    for b, n in enumerate(lengths):
        alone = emissions[b : b + 1, :n]
        solo_mask = torch.ones((1, n), dtype=torch.bool)
        assert float(together[b]) == pytest.approx(float(crf.log_partition(alone, solo_mask)[0]), abs=1e-5)
        assert paths[b, :n].tolist() == crf.decode(alone, torch.tensor([n]))[0].tolist()


def test_the_loss_has_gradients_for_every_parameter() -> None:
    crf = _crf(3).requires_grad_(True)
    emissions, _, _ = _batch(3, [4, 2])
    emissions.requires_grad_(True)
    targets = torch.tensor([[0, 1, 2, 1], [2, 2, -100, -100]])
    torch.autograd.backward(crf.loss(emissions, targets))
    assert all(p.grad is not None and bool(p.grad.abs().sum() > 0) for p in crf.parameters())
    assert emissions.grad is not None and float(emissions.grad[1, 2:].abs().sum()) == 0.0


def _brute_log_partition(crf: CRF, emissions: torch.Tensor) -> torch.Tensor:
    """log-sum-exp of every path's score of one sentence, as torch sums (for gradients)."""
    n = emissions.shape[0]
    scores = []
    for path in itertools.product(range(TAGS), repeat=n):
        total = crf.start[path[0]] + crf.end[path[-1]] + sum(emissions[t, y] for t, y in enumerate(path))
        scores.append(total + sum(crf.transitions[a, b] for a, b in itertools.pairwise(path)))
    return torch.logsumexp(torch.stack(scores), dim=0)


def test_gradients_of_the_log_partition_equal_brute_force() -> None:
    lengths = [4, 2]
    emissions, _, mask = _batch(11, lengths)
    fast, slow = _crf(11).requires_grad_(True), _crf(11).requires_grad_(True)
    fast_emissions, slow_emissions = emissions.clone().requires_grad_(True), emissions.clone().requires_grad_(True)
    torch.autograd.backward(fast.log_partition(fast_emissions, mask).sum())
    brute = [_brute_log_partition(slow, slow_emissions[b, :n]) for b, n in enumerate(lengths)]
    torch.autograd.backward(torch.stack(brute).sum())
    for (name, a), b in zip(fast.named_parameters(), slow.parameters(), strict=True):
        torch.testing.assert_close(a.grad, b.grad, atol=1e-5, rtol=1e-4, msg=name)
    torch.testing.assert_close(fast_emissions.grad, slow_emissions.grad, atol=1e-5, rtol=1e-4)


def test_large_scores_stay_finite_and_exact() -> None:
    """Transitions and emissions of hundreds: the exp-space sums are scaled, never overflow."""
    crf = _crf(13)
    with torch.no_grad():
        for parameter in crf.parameters():
            parameter.mul_(100.0)
    emissions, _, mask = _batch(13, [4])
    emissions = emissions * 100.0
    exact = float(_brute_log_partition(crf, emissions[0].double()))
    assert float(crf.log_partition(emissions, mask)[0]) == pytest.approx(exact, rel=1e-5)
