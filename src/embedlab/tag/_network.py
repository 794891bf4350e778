"""The tagger's torch network: word vectors + a character CNN -> BiLSTM -> tag scores."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ..nn.embedding import Embedding
from .crf import CRF


class CharCNN(nn.Module):
    """Each word's characters -> one vector: embed, convolve (width 3), max over positions.

    Spelling (suffixes, capitals, digits, hyphens) gives features to words the word table
    has never seen."""

    def __init__(self, chars: int, dim: int, filters: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(chars, dim, padding_idx=0)
        self.conv = nn.Conv1d(dim, filters, kernel_size=3, padding=1)

    def forward(self, chars: torch.Tensor) -> torch.Tensor:
        batch, length, width = chars.shape
        flat = self.embedding(chars.view(batch * length, width)).transpose(1, 2)
        features = self.conv(flat)
        # Padding positions must not win the max: push them far below any real feature.
        mask = (chars.view(batch * length, 1, width) == 0)
        features = features.masked_fill(mask, -1e4).max(dim=2).values
        features = features.masked_fill(features <= -1e4, 0.0)
        words: torch.Tensor = features.view(batch, length, -1)
        return words


class TaggerNet(nn.Module):
    def __init__(self, words: Embedding, chars: int, char_dim: int, char_filters: int,
                 hidden: int, tags: int, dropout: float, crf: bool = False) -> None:
        super().__init__()
        self.words = words
        self.chars = CharCNN(chars, char_dim, char_filters)
        self.dropout = nn.Dropout(dropout)
        self.lstm = nn.LSTM(words.embedding_dim + char_filters, hidden, batch_first=True,
                            bidirectional=True)
        self.output = nn.Linear(2 * hidden, tags)
        self.crf = CRF(tags) if crf else None

    def forward(self, words: torch.Tensor, chars: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Scores ``(batch, longest, tags)``; rows past a sentence's length are padding."""
        features = torch.cat([self.words(words), self.chars(chars)], dim=2)
        packed = pack_padded_sequence(self.dropout(features), lengths.cpu(), batch_first=True,
                                      enforce_sorted=False)
        states, _ = self.lstm(packed)
        unpacked, _ = pad_packed_sequence(states, batch_first=True, total_length=words.shape[1])
        scores: torch.Tensor = self.output(self.dropout(unpacked))
        return scores
