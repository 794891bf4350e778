"""``TextClassifier``: the article's model, Embedding -> average pooling -> Dense -> Dense.

Two classes end in one sigmoid unit trained with binary cross-entropy; more classes end in a
softmax trained with categorical cross-entropy. Both use Adam, as in the article.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from .._io import atomic_write
from .._progress import progress_bar
from ..errors import DataError, FormatError, InvalidParameterError, check_param
from ..text import Tokenizer, tokenize
from ..vectors import Vectors
from ..vocab import Vocab
from .embedding import Embedding
from .summary import LayerRow, format_summary

_FORMAT = "embedlab.text-classifier/1"


@dataclass
class History:
    """Per-epoch figures of :meth:`TextClassifier.fit` (``history["val_accuracy"]`` ...)."""

    history: dict[str, list[float]] = field(default_factory=dict)
    best_epoch: int = 0

    def add(self, **figures: float) -> None:
        for name, value in figures.items():
            self.history.setdefault(name, []).append(value)

    @property
    def epochs(self) -> int:
        return len(self.history.get("loss", []))


class _Net(nn.Module):
    def __init__(self, embedding: Embedding, hidden: int, outputs: int) -> None:
        super().__init__()
        self.embedding = embedding
        self.hidden = nn.Linear(embedding.embedding_dim, hidden)
        self.output = nn.Linear(hidden, outputs)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        vectors = self.embedding(ids)
        pad = self.embedding.padding_idx
        if pad is None:
            pooled = vectors.mean(dim=1)
        else:
            # Average over the real tokens only: padding must not dilute short texts.
            mask = (ids != pad).unsqueeze(-1).to(vectors.dtype)
            pooled = (vectors * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        return self.output(torch.relu(self.hidden(pooled)))


class TextClassifier:
    """Texts in, labels out, through a trainable embedding layer.

    ``TextClassifier(vocab_size=10000, embedding_dim=128, input_length=100).summary()``
    prints the article's table. ``fit`` builds the vocabulary from the training texts (the
    ``vocab_size - 2`` most frequent words plus ``<pad>`` and ``<unk>``) unless ``vocab`` is
    given; ``pretrained`` vectors initialise the embedding (``freeze`` keeps them fixed).
    """

    def __init__(
        self,
        vocab_size: int = 10000,
        embedding_dim: int | None = None,
        input_length: int = 100,
        hidden: int = 64,
        num_classes: int = 2,
        pretrained: Vectors | None = None,
        freeze: bool = False,
        vocab: Vocab | None = None,
        tokenizer: Tokenizer = tokenize,
        learning_rate: float = 1e-3,
    ) -> None:
        owner = "TextClassifier"
        if embedding_dim is None:
            embedding_dim = pretrained.dim if pretrained is not None else 128
        for name, value in (
            ("vocab_size", vocab_size), ("embedding_dim", embedding_dim),
            ("input_length", input_length), ("hidden", hidden),
        ):
            check_param(isinstance(value, int) and value >= 1, name, owner, "an int >= 1", value)
        check_param(isinstance(num_classes, int) and num_classes >= 2, "num_classes", owner, "an int >= 2", num_classes)
        check_param(learning_rate > 0, "learning_rate", owner, "a float > 0", learning_rate)
        if pretrained is not None and pretrained.dim != embedding_dim:
            raise InvalidParameterError(
                f"The 'embedding_dim' parameter of TextClassifier must match the pretrained "
                f"vectors ({pretrained.dim}). Got {embedding_dim} instead."
            )
        if vocab is not None and vocab.pad_id is None:
            raise InvalidParameterError("the vocabulary of a TextClassifier needs a pad_token")
        self.vocab_size = vocab_size if vocab is None else len(vocab)
        self.embedding_dim = embedding_dim
        self.input_length = input_length
        self.hidden = hidden
        self.num_classes = num_classes
        self.pretrained = pretrained
        self.freeze = freeze
        self.vocab = vocab
        self.tokenizer = tokenizer
        self.learning_rate = learning_rate
        self.classes: list[Hashable] = []
        self.device = "cpu"
        self.net = self._build(self.vocab_size, padding_idx=0 if vocab is None else vocab.pad_id)

    # ------------------------------------------------------------------ structure
    def _build(self, rows: int, padding_idx: int | None) -> _Net:
        if self.pretrained is not None and self.vocab is not None:
            embedding = Embedding.from_vectors(self.pretrained, self.vocab, freeze=self.freeze)
        else:
            embedding = Embedding(rows, self.embedding_dim, padding_idx=padding_idx)
            embedding.weight.requires_grad_(not self.freeze)
        outputs = 1 if self.num_classes == 2 else self.num_classes
        return _Net(embedding, self.hidden, outputs)

    @property
    def coverage(self) -> Any:
        """How many vocabulary words the pretrained vectors covered (after ``fit``)."""
        return self.net.embedding.coverage

    def count_params(self, trainable_only: bool = False) -> int:
        return sum(
            p.numel() for p in self.net.parameters() if p.requires_grad or not trainable_only
        )

    def summary(self, print_fn: Callable[[str], Any] | None = print) -> str:
        """The Keras-style table; printed with ``print_fn`` (None: only returned)."""
        emb = self.net.embedding
        dense_in, dense_out = self.net.hidden, self.net.output
        rows = [
            LayerRow("embedding", "Embedding", (None, self.input_length, emb.embedding_dim),
                     emb.weight.numel(), emb.weight.requires_grad),
            LayerRow("global_average_pooling1d", "GlobalAveragePooling1D", (None, emb.embedding_dim), 0),
            LayerRow("dense", "Dense", (None, dense_in.out_features),
                     sum(p.numel() for p in dense_in.parameters())),
            LayerRow("dense_1", "Dense", (None, dense_out.out_features),
                     sum(p.numel() for p in dense_out.parameters())),
        ]
        text = format_summary("TextClassifier", rows)
        if print_fn is not None:
            print_fn(text)
        return text

    # ------------------------------------------------------------------ data
    def _check_texts(self, texts: Sequence[str], what: str = "texts") -> None:
        if isinstance(texts, str):
            raise DataError(f"{what} must be a list of strings, not one string")
        if len(texts) == 0:
            raise DataError(f"{what} is empty: give at least one text")
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise DataError(f"{what}[{i}] is {type(text).__name__}, not a string")

    def _encode(self, texts: Sequence[str]) -> torch.Tensor:
        assert self.vocab is not None
        ids = self.vocab.encode_batch([self.tokenizer(t) for t in texts], self.input_length)
        return torch.from_numpy(ids)

    def _targets(self, labels: Sequence[Hashable], what: str = "labels") -> torch.Tensor:
        index = {c: i for i, c in enumerate(self.classes)}
        unknown = [(i, y) for i, y in enumerate(labels) if y not in index]
        if unknown:
            i, y = unknown[0]
            raise DataError(
                f"{what}[{i}] is {y!r}, which is not one of the classes the model was trained "
                f"on ({', '.join(map(repr, self.classes))}); {len(unknown)} such label(s)"
            )
        return torch.tensor([index[y] for y in labels], dtype=torch.long)

    def _pair(self, texts: Sequence[str], labels: Sequence[Hashable], what: str) -> None:
        self._check_texts(texts, f"{what} texts")
        if len(texts) != len(labels):
            raise DataError(
                f"{what}: there are {len(texts)} texts but {len(labels)} labels; give one label per text"
            )

    def _loss(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if logits.shape[1] == 1:
            return nn.functional.binary_cross_entropy_with_logits(logits[:, 0], target.float())
        return nn.functional.cross_entropy(logits, target)

    @staticmethod
    def _predicted(logits: torch.Tensor) -> torch.Tensor:
        return (logits[:, 0] > 0).long() if logits.shape[1] == 1 else logits.argmax(dim=1)

    # ------------------------------------------------------------------ training
    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[Hashable],
        validation: float | tuple[Sequence[str], Sequence[Hashable]] | None = None,
        epochs: int = 10,
        batch_size: int = 32,
        early_stopping: int | None = None,
        seed: int = 0,
        progress: bool = True,
        device: str = "cpu",
    ) -> History:
        """Train; returns the per-epoch :class:`History` of loss and accuracy.

        ``validation`` is a fraction of the training data held out (seeded) or a
        ``(texts, labels)`` pair. ``early_stopping=n`` stops after ``n`` epochs without a lower
        validation loss and restores the best weights.
        """
        owner = "TextClassifier.fit"
        check_param(isinstance(epochs, int) and epochs >= 1, "epochs", owner, "an int >= 1", epochs)
        check_param(isinstance(batch_size, int) and batch_size >= 1, "batch_size", owner, "an int >= 1", batch_size)
        check_param(
            early_stopping is None or (isinstance(early_stopping, int) and early_stopping >= 1),
            "early_stopping", owner, "None or an int >= 1 (patience in epochs)", early_stopping,
        )
        self._pair(texts, labels, "training")
        texts, labels = list(texts), list(labels)
        rng = np.random.default_rng(seed)
        if isinstance(validation, float):
            check_param(0 < validation < 1, "validation", owner, "a fraction in (0, 1) or a (texts, labels) pair", validation)
            order = rng.permutation(len(texts))
            cut = int(round(len(texts) * validation))
            held, kept = order[:cut], order[cut:]
            val_texts, val_labels = [texts[i] for i in held], [labels[i] for i in held]
            texts, labels = [texts[i] for i in kept], [labels[i] for i in kept]
        elif validation is not None:
            val_texts, val_labels = list(validation[0]), list(validation[1])
            self._pair(val_texts, val_labels, "validation")
        if early_stopping is not None and validation is None:
            raise InvalidParameterError("early_stopping needs validation data: pass validation=")

        found = list(dict.fromkeys(labels))
        if len(found) < 2:
            raise DataError(f"training needs at least two classes; the labels are all {found[0]!r}")
        try:
            self.classes = sorted(found)  # type: ignore[type-var]
        except TypeError:
            self.classes = found
        self.num_classes = len(self.classes)
        if self.vocab is None:
            self.vocab = Vocab.build((self.tokenizer(t) for t in texts), max_size=self.vocab_size)
        torch.manual_seed(seed)
        self.net = self._build(len(self.vocab), self.vocab.pad_id)
        self.device = device
        self.net.to(device)
        x, y = self._encode(texts), self._targets(labels)
        val = None
        if validation is not None:
            val = (self._encode(val_texts), self._targets(val_labels, "validation labels"))
        params = [p for p in self.net.parameters() if p.requires_grad]
        optimiser = torch.optim.Adam(params, lr=self.learning_rate)
        generator = torch.Generator().manual_seed(seed)
        history = History()
        best_loss, best_state, waited = math.inf, None, 0
        steps = math.ceil(len(x) / batch_size)
        for epoch in range(1, epochs + 1):
            self.net.train()
            shuffled = torch.randperm(len(x), generator=generator)
            seen, loss_sum, correct = 0, 0.0, 0
            with progress_bar(steps, f"epoch {epoch}/{epochs}", progress) as bar:
                for start in range(0, len(x), batch_size):
                    rows = shuffled[start : start + batch_size]
                    xb, yb = x[rows].to(device), y[rows].to(device)
                    logits = self.net(xb)
                    loss = self._loss(logits, yb)
                    optimiser.zero_grad()
                    loss.backward()
                    optimiser.step()
                    seen += len(rows)
                    loss_sum += loss.item() * len(rows)
                    correct += int((self._predicted(logits) == yb).sum())
                    bar.advance(1, info=f"loss {loss_sum / seen:.4f} · accuracy {correct / seen:.4f}")
            figures = {"loss": loss_sum / seen, "accuracy": correct / seen}
            if val is not None:
                val_loss, val_accuracy = self._score(*val)
                figures |= {"val_loss": val_loss, "val_accuracy": val_accuracy}
            history.add(**figures)
            if val is not None and early_stopping is not None:
                if figures["val_loss"] < best_loss - 1e-6:
                    best_loss, waited, history.best_epoch = figures["val_loss"], 0, epoch
                    best_state = {k: v.detach().clone() for k, v in self.net.state_dict().items()}
                else:
                    waited += 1
                    if waited >= early_stopping:
                        break
        if best_state is not None:
            self.net.load_state_dict(best_state)
        self.history = history
        return history

    @torch.no_grad()
    def _logits(self, x: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
        self.net.eval()
        parts = [self.net(x[i : i + batch_size].to(self.device)).cpu() for i in range(0, len(x), batch_size)]
        return torch.cat(parts)

    def _score(self, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
        logits = self._logits(x)
        loss = float(self._loss(logits, y))
        return loss, float((self._predicted(logits) == y).float().mean())

    def _require_fitted(self) -> None:
        if self.vocab is None or not self.classes:
            raise DataError("the classifier is not trained yet: call fit() or TextClassifier.load()")

    def evaluate(self, texts: Sequence[str], labels: Sequence[Hashable]) -> dict[str, float]:
        """Loss and accuracy on labelled texts."""
        self._require_fitted()
        self._pair(texts, labels, "evaluation")
        loss, accuracy = self._score(self._encode(texts), self._targets(labels))
        return {"loss": loss, "accuracy": accuracy}

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """``len(texts) x n_classes`` probabilities, columns in the order of ``self.classes``."""
        self._require_fitted()
        self._check_texts(texts)
        logits = self._logits(self._encode(texts))
        if logits.shape[1] == 1:
            p = torch.sigmoid(logits[:, 0])
            return torch.stack([1 - p, p], dim=1).numpy()
        return torch.softmax(logits, dim=1).numpy()

    def predict(self, texts: Sequence[str]) -> list[Hashable]:
        """The most probable class of each text."""
        self._require_fitted()
        self._check_texts(texts)
        predicted = self._predicted(self._logits(self._encode(texts)))
        return [self.classes[int(i)] for i in predicted]

    # ------------------------------------------------------------------ files
    def save(self, directory: str | Path) -> None:
        """Weights as safetensors, config and vocabulary as JSON; each file written atomically."""
        from safetensors.torch import save as save_tensors

        self._require_fitted()
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().cpu().contiguous() for k, v in self.net.state_dict().items()}
        config = {
            "format": _FORMAT, "embedding_dim": self.embedding_dim,
            "input_length": self.input_length, "hidden": self.hidden, "freeze": self.freeze,
            "classes": self.classes, "learning_rate": self.learning_rate,
        }
        try:
            encoded = json.dumps(config)
        except TypeError:
            raise DataError("only JSON-serialisable labels (str, int, float, bool) can be saved") from None
        with atomic_write(out / "model.safetensors") as handle:
            handle.write(save_tensors(state))
        assert self.vocab is not None
        self.vocab.save(out / "vocab.json")
        with atomic_write(out / "config.json", "w") as handle:
            handle.write(encoded)

    @classmethod
    def load(cls, directory: str | Path) -> TextClassifier:
        """A classifier saved by :meth:`save`; it predicts exactly as the saved one did."""
        from safetensors.torch import load as load_tensors

        root = Path(directory)
        try:
            config = json.loads((root / "config.json").read_text(encoding="utf-8"))
            weights = load_tensors((root / "model.safetensors").read_bytes())
        except (OSError, json.JSONDecodeError) as exc:
            raise FormatError(f"not a saved TextClassifier ({exc})", root) from None
        except Exception as exc:  # safetensors raises its own error type on corrupt bytes
            raise FormatError(f"corrupt weights file ({exc})", root / "model.safetensors") from None
        if config.get("format") != _FORMAT:
            raise FormatError(f"not a saved TextClassifier (expected format {_FORMAT!r})", root / "config.json")
        vocab = Vocab.load(root / "vocab.json")
        model = cls(
            vocab_size=len(vocab), embedding_dim=config["embedding_dim"],
            input_length=config["input_length"], hidden=config["hidden"],
            num_classes=max(2, len(config["classes"])), freeze=config["freeze"], vocab=vocab,
            learning_rate=config["learning_rate"],
        )
        model.classes = list(config["classes"])
        model.net.load_state_dict(weights)
        return model
