"""The tagger's torch network: word vectors (learned + frozen pretrained) + a character CNN
-> BiLSTM -> tag scores."""

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


class WordVectors(nn.Module):
    """Each word id -> its vector: a learned row, plus a frozen pretrained row when the tagger
    has pretrained vectors.

    Ids below ``trainable_rows`` are training words with a learned row of their own; ids past
    it are words only the pretrained vectors know, which share the learned ``<unk>`` row and
    keep their pretrained vector. While training, ``word_dropout`` sends a learned row to
    ``<unk>`` now and then, so the network learns to tag from the pretrained vector (and the
    spelling) alone, as it must for a word it never saw."""

    def __init__(self, learned: Embedding, pretrained: torch.Tensor | None, unk: int,
                 word_dropout: float = 0.0) -> None:
        super().__init__()
        self.learned = learned
        self.trainable_rows = learned.num_embeddings
        self.unk = unk
        self.word_dropout = word_dropout
        self.pretrained: nn.Embedding | None = None
        if pretrained is not None:
            self.pretrained = nn.Embedding(len(pretrained), pretrained.shape[1], padding_idx=0,
                                           _weight=pretrained, _freeze=True)

    @property
    def embedding_dim(self) -> int:
        return self.learned.embedding_dim

    def extend(self, rows: torch.Tensor) -> None:
        """Append frozen pretrained rows for new word ids (built by a subword model)."""
        if self.pretrained is None or not len(rows):
            return
        weight = self.pretrained.weight
        grown = torch.cat([weight.detach(), rows.to(weight.device, weight.dtype)])
        self.pretrained.weight = nn.Parameter(grown, requires_grad=False)
        self.pretrained.num_embeddings = len(grown)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        learned_ids = ids.masked_fill(ids >= self.trainable_rows, self.unk)
        if self.training and self.word_dropout > 0:
            dropped = (torch.rand(ids.shape, device=ids.device) < self.word_dropout) & (ids > 0)
            learned_ids = learned_ids.masked_fill(dropped, self.unk)
        vectors: torch.Tensor = self.learned(learned_ids)
        if self.pretrained is not None:
            vectors = vectors + self.pretrained(ids)
        return vectors


class TaggerNet(nn.Module):
    def __init__(self, words: WordVectors, chars: int, char_dim: int, char_filters: int,
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
