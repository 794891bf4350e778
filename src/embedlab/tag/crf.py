"""A linear-chain CRF over the tagger's scores: learned tag-to-tag transitions, the sentence's
log-likelihood by the forward algorithm, and the best tag sequence by Viterbi."""

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

    def _path_score(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch = torch.arange(emissions.shape[0], device=emissions.device)
        score = self.start[tags[:, 0]] + emissions[batch, 0, tags[:, 0]]
        for t in range(1, emissions.shape[1]):
            step = self.transitions[tags[:, t - 1], tags[:, t]] + emissions[batch, t, tags[:, t]]
            score = score + torch.where(mask[:, t], step, torch.zeros_like(step))
        last = tags[batch, mask.sum(1).long() - 1]
        result: torch.Tensor = score + self.end[last]
        return result

    def _log_partition(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        alpha = self.start + emissions[:, 0]
        for t in range(1, emissions.shape[1]):
            step = torch.logsumexp(alpha.unsqueeze(2) + self.transitions + emissions[:, t].unsqueeze(1), dim=1)
            alpha = torch.where(mask[:, t].unsqueeze(1), step, alpha)
        result: torch.Tensor = torch.logsumexp(alpha + self.end, dim=1)
        return result

    def loss(self, emissions: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Negative log-likelihood per token; ``targets`` hold -100 past each sentence's end."""
        mask = targets >= 0
        tags = targets.clamp(min=0)
        nll = self._log_partition(emissions, mask) - self._path_score(emissions, tags, mask)
        return nll.sum() / mask.sum()

    @torch.no_grad()
    def decode(self, emissions: torch.Tensor, lengths: torch.Tensor) -> list[list[int]]:
        """The highest-scoring tag sequence of each sentence (Viterbi)."""
        steps = emissions.shape[1]
        mask = torch.arange(steps, device=emissions.device).unsqueeze(0) < lengths.to(emissions.device).unsqueeze(1)
        best = self.start + emissions[:, 0]
        pointers = []
        for t in range(1, steps):
            candidates = best.unsqueeze(2) + self.transitions  # [batch, from, to]
            values, previous = candidates.max(dim=1)
            pointers.append(previous)
            best = torch.where(mask[:, t].unsqueeze(1), values + emissions[:, t], best)
        best = best + self.end
        paths: list[list[int]] = []
        for b, length in enumerate(lengths.tolist()):
            tag = int(best[b].argmax())
            path = [tag]
            for t in range(length - 1, 0, -1):
                tag = int(pointers[t - 1][b, tag])
                path.append(tag)
            paths.append(path[::-1])
        return paths
