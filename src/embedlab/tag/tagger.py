"""``SequenceTagger``: one tag per word (part of speech, BIO name spans), trained with torch."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from torch.nn import functional

from .._params import (
    Boolean,
    ConstraintSpec,
    Device,
    InstanceOf,
    Interval,
    SequenceOf,
    validate_params,
)
from .._progress import progress_bar
from ..distributed import all_reduce_sum, barrier, context, wrap
from ..errors import DataError, FormatError, InvalidParameterError, check_param
from ..nn.embedding import Embedding
from ..nn.saving import read_model_dir, write_model_dir
from ..nn.training import EarlyStopping, History, torch_threads
from ..vectors import Vectors
from ..vocab import Vocab
from ._lookup import pretrained_rows, subword_vectors, words_beyond
from ._network import TaggerNet, WordVectors
from .spans import span_scores

_FORMAT = "embedlab.SequenceTagger/1"
_MAX_CHARS = 20  # longer words keep their first 20 characters for the character CNN
Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]


def _check_sentences(sentences: object, what: str) -> list[list[str]]:
    if isinstance(sentences, str) or not isinstance(sentences, Sequence):
        raise DataError(f"{what} must be a list of sentences, each a list of words")
    checked: list[list[str]] = []
    for i, sentence in enumerate(sentences):
        if isinstance(sentence, str) or not isinstance(sentence, Sequence):
            raise DataError(f"{what}[{i}] is {type(sentence).__name__}, not a list of words "
                            "(split the sentence into words first)")
        if not sentence:
            raise DataError(f"{what}[{i}] is empty: every sentence needs at least one word")
        for j, word in enumerate(sentence):
            if not isinstance(word, str) or not word:
                raise DataError(f"{what}[{i}][{j}] is {word!r}, not a non-empty string")
        checked.append(list(sentence))
    return checked


def _check_pairs(sentences: object, tags: object, what: str) -> tuple[list[list[str]], list[list[str]]]:
    words = _check_sentences(sentences, f"{what} sentences")
    labels = _check_sentences(tags, f"{what} tags")
    if len(words) != len(labels):
        raise DataError(f"{len(words)} {what} sentences but {len(labels)} tag lists")
    for i, (w, t) in enumerate(zip(words, labels, strict=True)):
        if len(w) != len(t):
            raise DataError(f"{what} sentence {i} has {len(w)} words but {len(t)} tags")
    return words, labels


class SequenceTagger:
    """Tags each word of a sentence: word vector + character CNN -> BiLSTM -> softmax.

    ``fit`` builds the word vocabulary from the training sentences (words seen at least
    ``min_count`` times, lower-cased when ``lowercase``; the rest share ``<unk>``), the
    character table and the tag set. The character CNN sees every word as written, so words
    never seen in training still get features.

    With ``pretrained`` vectors, every word they know keeps its pretrained vector, frozen, in
    the tagger (saved with it): a word's input is that vector plus a learned row (its own for
    a training word, ``<unk>``'s for the rest), so a word never seen in training but known to
    the pretrained vectors is tagged from its pretrained vector. ``freeze`` also keeps the
    learned rows fixed. A subword model (fastText vectors) builds vectors for new words as
    they come, while the tagger holds those vectors (pass them to :meth:`load` again).
    Several sets of vectors (``pretrained=[glove, fasttext]``) are used side by side: a
    word's pretrained vector is their vectors of it joined (zeros for a set that lacks it).

    Args:
        embedding_dim: Word vector size; None takes ``pretrained``'s dimension (the sum of
            the dimensions of several sets; else 100).
        char_dim: Character vector size.
        char_filters: Filters of the character CNN (its output size per word).
        hidden: LSTM units per direction.
        dropout: Dropout before and after the BiLSTM while training.
        pretrained: Vectors to start the word table from, or a list of several.
        freeze: Keep the word table fixed while training.
        min_count: Training occurrences a word needs to get its own row.
        lowercase: Look words up lower-cased (the character CNN still sees the case).
        learning_rate: Adam's learning rate.
        crf: Choose the whole tag sequence with a CRF (learned tag-to-tag transitions,
            Viterbi decoding) instead of each tag on its own by softmax.
        word_dropout: While training, the chance that a word's learned row is swapped for
            ``<unk>``'s (its pretrained vector and spelling stay), which teaches the network
            to tag words it has no row for.

    Example:
        >>> tagger = SequenceTagger(embedding_dim=8, char_filters=8, hidden=8)
        >>> history = tagger.fit([["a", "dog"]], [["DET", "NOUN"]], epochs=1, progress=False)
        >>> len(tagger.predict([["a", "cat"]])[0])
        2
    """

    _parameter_constraints: ClassVar[dict[str, list[ConstraintSpec]]] = {
        "embedding_dim": [None, Interval(int, 1, None)],
        "char_dim": [Interval(int, 1, None)],
        "char_filters": [Interval(int, 1, None)],
        "hidden": [Interval(int, 1, None)],
        "dropout": [Interval(float, 0, 1, closed="left")],
        "pretrained": [None, InstanceOf(Vectors, "an embedlab.Vectors"),
                       SequenceOf(InstanceOf(Vectors, "an embedlab.Vectors"))],
        "freeze": [Boolean()],
        "min_count": [Interval(int, 1, None)],
        "lowercase": [Boolean()],
        "learning_rate": [Interval(float, 0, None, closed="right")],
        "crf": [Boolean()],
        "word_dropout": [Interval(float, 0, 1, closed="left")],
    }

    def __init__(
        self,
        embedding_dim: int | None = None,
        char_dim: int = 25,
        char_filters: int = 50,
        hidden: int = 100,
        dropout: float = 0.5,
        pretrained: Vectors | Sequence[Vectors] | None = None,
        freeze: bool = False,
        min_count: int = 2,
        lowercase: bool = True,
        learning_rate: float = 2e-3,
        crf: bool = False,
        word_dropout: float = 0.0,
    ) -> None:
        self.embedding_dim = embedding_dim
        self.char_dim = char_dim
        self.char_filters = char_filters
        self.hidden = hidden
        self.dropout = dropout
        self.pretrained = pretrained
        self.freeze = freeze
        self.min_count = min_count
        self.lowercase = lowercase
        self.learning_rate = learning_rate
        self.crf = crf
        self.word_dropout = word_dropout
        self.vocab: Vocab | None = None
        #: Ids below this have a learned row; the rest only a pretrained vector.
        self.trainable_rows = 0
        self.chars: dict[str, int] = {}
        self.tags: list[str] = []
        self.history: History | None = None
        self.device = torch.device("cpu")
        self._net: TaggerNet | None = None

    def __repr__(self) -> str:
        state = f"{len(self.tags)} tags" if self.tags else "not trained"
        return f"SequenceTagger(hidden={self.hidden}, char_filters={self.char_filters}, {state})"

    # ------------------------------------------------------------------ structure
    @property
    def dim(self) -> int:
        if self.embedding_dim is not None:
            return self.embedding_dim
        return sum(v.dim for v in self._sources) if self.pretrained is not None else 100

    @property
    def _sources(self) -> list[Vectors]:
        """The pretrained vectors as a list (empty without any)."""
        if self.pretrained is None:
            return []
        return [self.pretrained] if isinstance(self.pretrained, Vectors) else list(self.pretrained)

    def _key(self, word: str) -> str:
        return word.lower() if self.lowercase else word

    def _vocabulary(self, words: list[list[str]]) -> tuple[torch.Tensor, torch.Tensor] | None:
        """Set the word ids: training words first, then (with ``pretrained``) every other
        word the pretrained vectors know. Returns the frozen pretrained rows and which of the
        training words have one, or None without pretrained vectors."""
        trained = Vocab.build([[self._key(w) for w in s] for s in words], min_count=self.min_count)
        self.trainable_rows = len(trained)
        if self.pretrained is None:
            self.vocab = trained
            return None
        specials = {t for t in (trained.pad_token, trained.unk_token) if t is not None}
        rows, found = pretrained_rows(self._sources, trained.tokens, self._key, specials)
        extra, extra_rows = words_beyond(self._sources, trained.tokens, self._key)
        self.vocab = Vocab(trained.tokens + extra, trained.counts + [0] * len(extra),
                           pad_token=trained.pad_token, unk_token=trained.unk_token)
        return torch.from_numpy(np.concatenate([rows, extra_rows])), torch.from_numpy(found)

    def _build(self, seed: int, pretrained: tuple[torch.Tensor, torch.Tensor] | None) -> TaggerNet:
        """The network. With pretrained rows, a training word's learned row starts at zero
        when it has a pretrained vector (the sum starts as that vector), else random at the
        pretrained vectors' scale; ``<unk>``'s starts at zero."""
        assert self.vocab is not None and self.vocab.unk_id is not None
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            learned = Embedding(self.trainable_rows, self.dim, padding_idx=0)
            table = None
            if pretrained is not None:
                table, found = pretrained
                with torch.no_grad():
                    known = table[: self.trainable_rows][found]
                    learned.weight.mul_(float(known.std()) if len(known) > 1 else 1.0)
                    learned.weight[found] = 0.0
                    learned.weight[self.vocab.unk_id] = 0.0
            learned.weight.requires_grad_(not self.freeze)
            words = WordVectors(learned, table, self.vocab.unk_id, self.word_dropout)
            return TaggerNet(words, len(self.chars) + 2, self.char_dim, self.char_filters,
                             self.hidden, len(self.tags), self.dropout, crf=self.crf)

    def _learn_new_words(self, sentences: list[list[str]]) -> None:
        """Give words outside the ids their subword vectors (fastText), when there is a
        subword model: new ids with a frozen pretrained row each."""
        sources, vocab = self._sources, self.vocab
        if not any(v.subwords is not None for v in sources) or vocab is None or self._net is None:
            return
        new = [self._key(w) for s in sentences for w in s if self._key(w) not in vocab]
        words, rows = subword_vectors(sources, new)
        if not words:
            return
        self.vocab = Vocab(vocab.tokens + words, vocab.counts + [0] * len(words),
                           pad_token=vocab.pad_token, unk_token=vocab.unk_token)
        self._net.words.extend(torch.from_numpy(rows))

    @property
    def net(self) -> TaggerNet:
        if self._net is None:
            raise DataError("this SequenceTagger is not trained yet: call fit() or load() first")
        return self._net

    # ------------------------------------------------------------------ encoding
    def _encode(self, sentence: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        assert self.vocab is not None
        unk = self.vocab.unk_id
        index = self.vocab.token_to_id
        ids = [index(self._key(w)) if self._key(w) in self.vocab else unk for w in sentence]
        width = min(_MAX_CHARS, max(len(w) for w in sentence))
        chars = torch.zeros((len(sentence), width), dtype=torch.long)
        for i, word in enumerate(sentence):
            chars[i, : min(len(word), width)] = torch.tensor(
                [self.chars.get(c, 1) for c in word[:width]], dtype=torch.long)
        return torch.tensor(ids, dtype=torch.long), chars

    def _targets(self, tags: list[str], where: str) -> torch.Tensor:
        index = {t: i for i, t in enumerate(self.tags)}
        for j, tag in enumerate(tags):
            if tag not in index:
                raise DataError(
                    f"{where}: tag {tag!r} (word {j}) is not one the tagger was trained on; "
                    f"it knows {len(self.tags)}: {', '.join(self.tags[:20])}"
                    f"{' ...' if len(self.tags) > 20 else ''}")
        return torch.tensor([index[t] for t in tags], dtype=torch.long)

    @staticmethod
    def _collate(items: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]) -> Batch:
        longest = max(len(w) for w, _, _ in items)
        width = max(c.shape[1] for _, c, _ in items)
        words = torch.zeros((len(items), longest), dtype=torch.long)
        chars = torch.zeros((len(items), longest, width), dtype=torch.long)
        targets = torch.full((len(items), longest), -100, dtype=torch.long)
        for i, (w, c, t) in enumerate(items):
            words[i, : len(w)] = w
            chars[i, : len(w), : c.shape[1]] = c
            targets[i, : len(t)] = t
        lengths = torch.tensor([len(w) for w, _, _ in items], dtype=torch.long)
        return words, chars, lengths, targets

    @staticmethod
    def _batches(data: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]],
                 batch_size: int, generator: torch.Generator) -> list[list[int]]:
        """Sentence indices of each batch: sentences of similar length together (less
        padding), the batches shuffled with ``generator``."""
        order = torch.randperm(len(data), generator=generator).tolist()
        window = batch_size * 50
        groups: list[list[int]] = []
        for start in range(0, len(order), window):
            chunk = sorted(order[start : start + window], key=lambda i: len(data[i][0]))
            groups += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
        return [groups[i] for i in torch.randperm(len(groups), generator=generator).tolist()]

    # ------------------------------------------------------------------ training
    def fit(
        self,
        sentences: Sequence[Sequence[str]],
        tags: Sequence[Sequence[str]],
        validation: tuple[Sequence[Sequence[str]], Sequence[Sequence[str]]] | None = None,
        epochs: int = 10,
        batch_size: int = 32,
        early_stopping: int | None = None,
        seed: int = 0,
        progress: bool = True,
        device: str = "cpu",
        threads: int | None = 1,
    ) -> History:
        """Train from scratch; returns the per-epoch :class:`~embedlab.nn.History`.

        ``validation=(sentences, tags)`` adds ``val_loss`` and ``val_accuracy`` each epoch;
        ``early_stopping=n`` ends the fit after ``n`` epochs without a lower validation loss
        and keeps the best epoch's weights. A tag that only validation sentences use joins the
        tag set (always a wrong answer there). The same ``seed`` gives the same model.

        Raises:
            InvalidParameterError: a parameter out of range.
            DataError: sentences and tags of different lengths, or an empty sentence.
        """
        validate_params(self, "SequenceTagger")
        owner = "SequenceTagger.fit"
        check_param(isinstance(epochs, int) and epochs >= 1, "epochs", owner, "an int >= 1", epochs)
        check_param(isinstance(batch_size, int) and batch_size >= 1, "batch_size", owner,
                    "an int >= 1", batch_size)
        check_param(early_stopping is None or (isinstance(early_stopping, int) and early_stopping >= 1),
                    "early_stopping", owner, "None or an int >= 1 (patience in epochs)", early_stopping)
        check_param(early_stopping is None or validation is not None, "early_stopping", owner,
                    "None when no validation data is given", early_stopping)
        check_param(Device().is_satisfied_by(device), "device", owner, "'cpu', 'cuda' or 'cuda:N'", device)
        pretrained_dim = sum(v.dim for v in self._sources)
        if self.pretrained is not None and self.embedding_dim not in (None, pretrained_dim):
            raise InvalidParameterError(
                f"The 'embedding_dim' parameter of SequenceTagger must match the pretrained "
                f"vectors ({pretrained_dim}). Got {self.embedding_dim} instead.")
        target_device = _device(device, owner)
        words, labels = _check_pairs(sentences, tags, "training")
        val_words, val_labels = _check_pairs(*validation, "validation") if validation else ([], [])
        # Tags only the validation sentences use get an output too (never the answer in training).
        self.tags = sorted({t for s in labels + val_labels for t in s})
        train_targets = [self._targets(t, f"training sentence {i}") for i, t in enumerate(labels)]
        val_targets = [self._targets(t, f"validation sentence {i}") for i, t in enumerate(val_labels)]
        counts = Counter(c for s in words for w in s for c in w)
        self.chars = {c: i + 2 for i, (c, _) in enumerate(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))}
        pretrained_table = self._vocabulary(words)
        self._net = self._build(seed, pretrained_table)
        # Training and validation words that only a subword model (fastText) knows get ids.
        self._learn_new_words(words + val_words)
        train = [(*self._encode(s), t) for s, t in zip(words, train_targets, strict=True)]
        val = ([(*self._encode(s), t) for s, t in zip(val_words, val_targets, strict=True)]
               if validation is not None else None)
        self.device = target_device
        self._net.to(target_device)
        with torch_threads(threads), torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.history = self._loop(train, val, epochs, batch_size, early_stopping, seed, progress)
        return self.history

    def _loop(self, train: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]],
              val: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]] | None, epochs: int,
              batch_size: int, early_stopping: int | None, seed: int, progress: bool) -> History:
        """The epochs. Under torchrun every rank builds the same global batches and trains on
        its share of each (every ``world_size``-th sentence) under DistributedDataParallel,
        its per-token loss weighted by its share of the batch's tokens: the same steps as one
        process, up to float rounding (dropout draws differ from rank to rank)."""
        net = self.net
        optimiser = torch.optim.Adam([p for p in net.parameters() if p.requires_grad],
                                     lr=self.learning_rate)
        generator = torch.Generator().manual_seed(seed)
        history = History()
        ranks = context()
        trained = wrap(net)  # DDP when there are several ranks: gradients averaged in backward
        progress = progress and ranks.is_main
        stopping = EarlyStopping(early_stopping if val is not None else None)
        for epoch in range(1, epochs + 1):
            batches = self._batches(train, batch_size, generator)
            net.train()
            tokens, loss_sum, correct, started = 0, 0.0, 0, time.perf_counter()
            with progress_bar(len(batches), f"epoch {epoch}/{epochs}", progress) as bar:
                for group in batches:
                    share = group[ranks.rank :: ranks.world_size] if ranks.distributed else group
                    # A rank with no sentence in a small last batch still joins the gradient
                    # exchange: it runs one sentence with weight zero.
                    words, chars, lengths, targets = self._collate([train[i] for i in share or group[:1]])
                    words, chars, targets = (t.to(self.device) for t in (words, chars, targets))
                    scores = trained(words, chars, lengths)
                    loss = self._loss(scores, targets)
                    n = int(lengths.sum()) if share else 0
                    weight = ranks.world_size * n / sum(len(train[i][0]) for i in group)
                    optimiser.zero_grad()
                    torch.autograd.backward(loss * weight)
                    torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
                    optimiser.step()
                    if n:
                        tokens += n
                        loss_sum += loss.item() * n
                        correct += int(((scores.argmax(2) == targets) & (targets >= 0)).sum())
                    bar.advance(1, info=f"loss {loss_sum / max(tokens, 1):.4f} · "
                                        f"accuracy {correct / max(tokens, 1):.4f}")
                seconds = time.perf_counter() - started
                if ranks.distributed:  # the epoch's figures over every rank's share
                    totals = all_reduce_sum(torch.tensor([tokens, loss_sum, correct], dtype=torch.float64))
                    tokens, loss_sum, correct = int(totals[0]), float(totals[1]), int(totals[2])
                figures = {"loss": loss_sum / tokens, "accuracy": correct / tokens,
                           "tokens_per_s": tokens / seconds}
                if val is not None:
                    val_loss, val_accuracy, _ = self._score(val, batch_size)
                    figures |= {"val_loss": val_loss, "val_accuracy": val_accuracy}
                    bar.advance(0, info=" · ".join(f"{k} {v:.4f}" for k, v in figures.items()))
            history.add(**figures)
            if val is not None and stopping.update(epoch, figures["val_loss"], net, history):
                break
        stopping.restore(net)
        net.eval()
        return history

    def _loss(self, scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Mean loss per token: the CRF's negative log-likelihood, or cross-entropy."""
        crf = self.net.crf
        if crf is not None:
            return crf.loss(scores, targets.to(scores.device))
        return functional.cross_entropy(scores.flatten(0, 1), targets.to(scores.device).flatten(),
                                        ignore_index=-100)

    def _decode(self, scores: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Tag ids ``(batch, longest)``: Viterbi's best paths with a CRF, else each argmax."""
        crf = self.net.crf
        return scores.argmax(2) if crf is None else crf.decode(scores, lengths)

    @torch.no_grad()
    def _score(self, data: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]],
               batch_size: int = 128) -> tuple[float, float, list[list[int]]]:
        """Mean loss, token accuracy and the predicted tag ids, in the data's order."""
        net = self.net
        net.eval()
        # Sentences of similar length share a batch (less padding); answers keep the input order.
        order = sorted(range(len(data)), key=lambda i: len(data[i][0]))
        predicted: list[list[int]] = [[] for _ in data]
        loss_sum, correct, tokens = 0.0, 0, 0
        with torch_threads(1 if self.device.type == "cpu" else None):
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size]
                words, chars, lengths, targets = self._collate([data[i] for i in rows])
                scores = net(words.to(self.device), chars.to(self.device), lengths)
                best = self._decode(scores, lengths).cpu()
                for i, n, row in zip(range(len(rows)), lengths.tolist(), rows, strict=True):
                    predicted[row] = best[i, :n].tolist()
                if (targets >= 0).any():
                    n = int((targets >= 0).sum())
                    loss_sum += float(self._loss(scores, targets)) * n
                    correct += int(((best == targets) & (targets >= 0)).sum())
                    tokens += n
        return (loss_sum / tokens if tokens else 0.0, correct / tokens if tokens else 0.0, predicted)

    # ------------------------------------------------------------------ use
    def predict(self, sentences: Sequence[Sequence[str]], batch_size: int = 128) -> list[list[str]]:
        """The most probable tag of each word of each sentence."""
        self.net  # noqa: B018 - raises if not trained
        words = _check_sentences(sentences, "sentences")
        self._learn_new_words(words)
        data = [(*self._encode(s), torch.empty(0, dtype=torch.long)) for s in words]
        _, _, predicted = self._score(data, batch_size)
        return [[self.tags[i] for i in row] for row in predicted]

    def evaluate(self, sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]]) -> dict[str, float]:
        """Token ``accuracy`` and ``loss``; for BIO tags also span ``precision``, ``recall``
        and ``f1`` as CoNLL counts them.

        Raises:
            DataError: as ``fit``; a gold tag the tagger was not trained on.
        """
        self.net  # noqa: B018
        words, labels = _check_pairs(sentences, tags, "evaluation")
        self._learn_new_words(words)
        data = [(*self._encode(s), self._targets(t, f"evaluation sentence {i}"))
                for i, (s, t) in enumerate(zip(words, labels, strict=True))]
        loss, accuracy, predicted = self._score(data)
        figures = {"accuracy": accuracy, "loss": loss}
        if any(t.startswith(("B-", "I-")) for t in self.tags):
            spans = span_scores(labels, [[self.tags[i] for i in row] for row in predicted])
            figures |= {"precision": spans.precision, "recall": spans.recall, "f1": spans.f1}
        return figures

    # ------------------------------------------------------------------ files
    def save(self, directory: str | Path) -> Path:
        """Write the weights, vocabulary and settings into ``directory`` (atomically: an
        interrupted save leaves the previous model or nothing). Under torchrun rank 0 writes
        and every rank returns once the folder is there."""
        net = self.net
        assert self.vocab is not None
        config: dict[str, Any] = {
            "format": _FORMAT, "embedding_dim": self.dim, "char_dim": self.char_dim,
            "char_filters": self.char_filters, "hidden": self.hidden, "dropout": self.dropout,
            "freeze": self.freeze, "min_count": self.min_count, "lowercase": self.lowercase,
            "learning_rate": self.learning_rate, "crf": self.crf, "chars": self.chars, "tags": self.tags,
            "word_dropout": self.word_dropout, "trainable_rows": self.trainable_rows,
            "pretrained_rows": net.words.pretrained is not None,
        }
        ranks = context()
        if ranks.distributed and not ranks.is_main:  # under torchrun rank 0 writes
            barrier()
            return Path(directory)
        path = write_model_dir(directory, config, net.state_dict(), self.vocab)
        barrier()
        return path

    @classmethod
    def load(cls, directory: str | Path, device: str = "cpu",
             pretrained: Vectors | Sequence[Vectors] | None = None) -> SequenceTagger:
        """A tagger saved by :meth:`save`; it predicts exactly as the saved one did.

        The pretrained vectors of every word they knew are saved with the tagger. Pass the
        same subword (fastText) vectors as ``pretrained`` to build vectors for new words as
        the trained tagger did; without them, words outside the saved ids use ``<unk>``.

        Raises:
            FormatError: the folder's files do not fit together.
        """
        config, weights, vocab = read_model_dir(directory, _FORMAT)
        if "words.weight" in weights:  # saved before the pretrained rows had a table of their own
            weights["words.learned.weight"] = weights.pop("words.weight")
        try:
            tagger = cls(
                embedding_dim=config["embedding_dim"], char_dim=config["char_dim"],
                char_filters=config["char_filters"], hidden=config["hidden"],
                dropout=config["dropout"], freeze=config["freeze"], min_count=config["min_count"],
                lowercase=config["lowercase"], learning_rate=config["learning_rate"],
                crf=bool(config.get("crf", False)), pretrained=pretrained,
                word_dropout=float(config.get("word_dropout", 0.0)),
            )
            tagger.vocab = vocab
            tagger.trainable_rows = int(config.get("trainable_rows", len(vocab)))
            tagger.chars = {str(k): int(v) for k, v in config["chars"].items()}
            tagger.tags = [str(t) for t in config["tags"]]
            table = None
            if config.get("pretrained_rows", False):
                rows = weights["words.pretrained.weight"]
                table = (torch.zeros_like(rows), torch.zeros(tagger.trainable_rows, dtype=torch.bool))
            tagger._net = tagger._build(0, table)
            tagger._net.load_state_dict(weights)
        except (KeyError, TypeError, AttributeError, RuntimeError) as exc:
            raise FormatError(f"the saved files do not fit together ({exc})", directory) from None
        tagger.device = _device(device, "SequenceTagger.load")
        tagger._net.to(tagger.device)
        tagger._net.eval()
        return tagger


def _device(device: str | torch.device, owner: str) -> torch.device:
    chosen = torch.device(device)
    if chosen.type == "cuda" and not torch.cuda.is_available():
        raise InvalidParameterError(
            f"The 'device' parameter of {owner} is {device!r} but no CUDA GPU is available "
            "here; use device='cpu'")
    return chosen
