"""A linear-chain CRF over the tagger's scores: learned tag-to-tag transitions, the sentence's
log-likelihood by the forward algorithm, and the best tag sequence by Viterbi.

Every step works on the whole batch at once: the only Python loop runs over the time steps
(the longest sentence's length), and a mask keeps each sentence's figures as they were once
the sentence has ended."""

from __future__ import annotations

import torch
from torch import nn


class CRF(nn.Module):
    """Scores a whole tag sequence: ``start[y0] + sum emissions[t, y_t] + sum
    transitions[y_t-1, y_t] + end[y_last]``; training maximises its probability among all
    sequences (normalised over every path by the forward algorithm)."""

    def __init__(self, tags: int) -> None:
        super().__init__()
        self.transitions = nn.Parameter(torch.zeros(tags, tags))
        self.start = nn.Parameter(torch.zeros(tags))
        self.end = nn.Parameter(torch.zeros(tags))

    def path_score(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The score of each sentence's given tag sequence, ``(batch,)``.

        Args:
            emissions: Tag scores ``(batch, steps, tags)``.
            tags: Tag ids ``(batch, steps)``; any id past a sentence's end.
            mask: ``(batch, steps)``, True on each sentence's words (every sentence has one).
        """
        weights = mask.to(emissions.dtype)
        emitted = emissions.gather(2, tags.unsqueeze(2)).squeeze(2)
        moved = self.transitions[tags[:, :-1], tags[:, 1:]]  # step t-1 -> t, for t >= 1
        last = tags.gather(1, (mask.sum(1).long() - 1).unsqueeze(1)).squeeze(1)
        score: torch.Tensor = (self.start[tags[:, 0]] + (emitted * weights).sum(1)
                               + (moved * weights[:, 1:]).sum(1) + self.end[last])
        return score

    def log_partition(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``log`` of the summed ``exp(score)`` of every tag sequence of each sentence, ``(batch,)``
        (the forward algorithm).

        Args:
            emissions: Tag scores ``(batch, steps, tags)``.
            mask: ``(batch, steps)``, True on each sentence's words.
        """
        # Summing out the previous tag is a matrix product in exp space: exp(alpha) @ exp(T).
        # Each factor is scaled to at most 1 first (alpha by its row's largest value, T by its
        # column's), which keeps exp() finite; one (batch x tags) @ (tags x tags) product per
        # step costs far less than a logsumexp over (batch, tags, tags) with Brown's 400+ tags.
        # The sums run in float64: a sum whose terms all underflow float32 stays exact.
        top = self.transitions.detach().max(dim=0).values  # (tags,): each column's largest
        moves = (self.transitions - top).double().exp()
        alpha = self.start + emissions[:, 0]  # (batch, tags): log-sum of the paths ending in each tag
        for t in range(1, emissions.shape[1]):
            peak = alpha.max(dim=1, keepdim=True).values.detach()
            summed = ((alpha - peak).double().exp() @ moves).clamp_min(1e-300).log()
            step = summed.to(alpha.dtype) + peak + top + emissions[:, t]
            alpha = torch.where(mask[:, t].unsqueeze(1), step, alpha)
        result: torch.Tensor = torch.logsumexp(alpha + self.end, dim=1)
        return result

    def loss(self, emissions: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Negative log-likelihood per token; ``targets`` hold -100 past each sentence's end."""
        mask = targets >= 0
        tags = targets.clamp(min=0)
        nll = self.log_partition(emissions, mask) - self.path_score(emissions, tags, mask)
        return nll.sum() / mask.sum()

    @torch.no_grad()
    def decode(self, emissions: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The highest-scoring tag sequence of each sentence (Viterbi), ``(batch, steps)``, with
        0 past each sentence's end.

        Args:
            emissions: Tag scores ``(batch, steps, tags)``.
            lengths: Each sentence's length (at least 1).
        """
        batch, steps, _ = emissions.shape
        lengths = lengths.to(emissions.device)
        positions = torch.arange(steps, device=emissions.device)
        mask = positions.unsqueeze(0) < lengths.unsqueeze(1)
        best = self.start + emissions[:, 0]  # (batch, tags): the best path ending in each tag
        pointers = []  # pointers[t - 1][b, y]: the tag before y at step t on that best path
        for t in range(1, steps):
            values, previous = (best.unsqueeze(2) + self.transitions).max(dim=1)
            pointers.append(previous)
            best = torch.where(mask[:, t].unsqueeze(1), values + emissions[:, t], best)
        final = (best + self.end).argmax(1)  # each sentence's tag at its last word
        paths = torch.zeros((batch, steps), dtype=torch.long, device=emissions.device)
        tag = final
        for t in range(steps - 1, -1, -1):
            # A sentence's walk back starts at its last word; before that, ``tag`` is unused.
            tag = torch.where(positions[t] == lengths - 1, final, tag)
            paths[:, t] = tag
            if t:
                tag = pointers[t - 1].gather(1, tag.unsqueeze(1)).squeeze(1)
        return paths.masked_fill(~mask, 0)
