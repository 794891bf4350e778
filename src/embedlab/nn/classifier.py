"""``TextClassifier``: the article's model, Embedding -> average pooling -> Dense -> Dense.

Two classes end in one sigmoid unit trained with binary cross-entropy; more classes end in a
softmax trained with categorical cross-entropy. Both use Adam, as in the article.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from .._params import (
    Boolean,
    ConstraintSpec,
    InstanceOf,
    Interval,
    IsCallable,
    Options,
    validate_params,
)
from .._progress import say
from ..distributed import context
from ..errors import DataError, FormatError, InvalidParameterError, check_param
from ..text import Tokenizer, tokenize, whitespace_tokenize
from ..vectors import Vectors
from ..vocab import Vocab
from .embedding import OOV, Embedding
from .saving import read_model_dir, write_model_dir
from .summary import LayerRow, Layout, format_summary
from .training import History, fit_loop, outputs, score, torch_threads

_FORMAT = "embedlab.text-classifier/1"
# Tokenizers a saved model can name and get back on load; any other needs load(tokenizer=...).
_KNOWN_TOKENIZERS: dict[str, Tokenizer] = {
    "embedlab.text.tokenize": tokenize,
    "embedlab.text.whitespace_tokenize": whitespace_tokenize,
}


class _Net(nn.Module):
    def __init__(self, embedding: Embedding, hidden: int, outputs: int,
                 bigram_buckets: int = 0, input_length: int = 0) -> None:
        super().__init__()
        self.embedding = embedding
        self.hidden = nn.Linear(embedding.embedding_dim, hidden)
        self.output = nn.Linear(hidden, outputs)
        # fastText's bigrams: hashed rows averaged with the words'; they start at zero, so
        # the net starts as the words-only one. Row 0 is the padding of the bigram ids.
        self.words = input_length
        self.bigrams: nn.Embedding | None = None
        if bigram_buckets:
            self.bigrams = nn.Embedding(bigram_buckets + 1, embedding.embedding_dim, padding_idx=0)
            nn.init.zeros_(self.bigrams.weight)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        pairs = None
        if self.bigrams is not None:  # the ids are the words' then their bigrams' (_bigram_ids)
            ids, pairs = ids[:, : self.words], ids[:, self.words :]
        vectors = self.embedding(ids)
        pad = self.embedding.padding_idx
        if pad is None and pairs is None:
            pooled = vectors.mean(dim=1)
        else:
            # Average over the real tokens only: padding must not dilute short texts.
            real = torch.ones_like(ids, dtype=torch.bool) if pad is None else ids != pad
            mask = real.unsqueeze(-1).to(vectors.dtype)
            total, count = (vectors * mask).sum(dim=1), mask.sum(dim=1)
            if pairs is not None and self.bigrams is not None:
                total = total + self.bigrams(pairs).sum(dim=1)  # padding rows stay zero
                count = count + (pairs != 0).sum(dim=1, keepdim=True).to(vectors.dtype)
            pooled = total / count.clamp(min=1.0)
        logits: torch.Tensor = self.output(torch.relu(self.hidden(pooled)))
        return logits


def _bigram_ids(ids: np.ndarray, buckets: int, pad: int | None) -> np.ndarray:
    """Each pair of neighbouring word ids hashed into 1 .. ``buckets`` (0 where either is
    padding), one column per pair: ``(first * 1000003 + second) % buckets + 1``."""
    first, second = ids[:, :-1].astype(np.int64), ids[:, 1:].astype(np.int64)
    hashed = (first * 1000003 + second) % buckets + 1
    if pad is not None:
        hashed[(first == pad) | (second == pad)] = 0
    return hashed


class TextClassifier:
    """Texts in, labels out, through a trainable embedding layer (the article's model).

    ``TextClassifier(vocab_size=10000, embedding_dim=128, input_length=100).summary()``
    prints the article's table. ``fit`` builds the vocabulary from the training texts (the
    ``vocab_size - 2`` most frequent words plus ``<pad>`` and ``<unk>``) unless ``vocab`` is
    given; texts are tokenized with ``tokenizer``, cut or padded to ``input_length`` ids.
    ``pretrained`` vectors initialise the embedding (``freeze`` keeps it fixed); how many
    vocabulary words they covered is in ``model.coverage`` after ``fit``. Labels may be any
    hashable values (``"fresh"``/``"rotten"``, 0/1 ...); ``model.classes`` keeps them sorted.

    Args:
        vocab_size: Rows of the embedding, ``<pad>`` and ``<unk>`` included.
        embedding_dim: Size of each word vector; None takes the dimension of ``pretrained``.
        input_length: Ids per text: longer texts are cut, shorter ones padded.
        hidden: Units of the hidden Dense(relu) layer.
        num_classes: Classes the output layer starts with (``fit`` sets it from the labels).
        pretrained: Vectors to start the embedding from once the vocabulary is known.
        freeze: Keep the pretrained embedding fixed while training.
        vocab: A vocabulary to use instead of building one from the training texts.
        tokenizer: Text to tokens; the default is :func:`embedlab.tokenize`.
        learning_rate: Adam's learning rate.
        oov: How vocabulary words missing from ``pretrained`` start: ``"random"``,
            ``"zero"`` or ``"mean"`` (see :meth:`Embedding.from_vectors`).
        bigram_buckets: Rows of hashed word-bigram vectors averaged with the words' (as
            fastText's ``wordNgrams=2``; they start at zero and learn from the labels); 0
            averages the words alone.

    Raises:
        InvalidParameterError: A parameter of the wrong type or out of range.
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
        oov: OOV = "random",
        bigram_buckets: int = 0,
    ) -> None:
        # Constructors only store (fit and the first use of the network check, see _validate);
        # the two defaults that follow from other arguments are filled in here.
        if embedding_dim is None:
            embedding_dim = pretrained.dim if isinstance(pretrained, Vectors) else 128
        self.vocab_size = len(vocab) if isinstance(vocab, Vocab) else vocab_size
        self.embedding_dim = embedding_dim
        self.input_length = input_length
        self.hidden = hidden
        self.num_classes = num_classes
        self.pretrained = pretrained
        self.freeze = freeze
        self.vocab = vocab
        self.tokenizer = tokenizer
        self.learning_rate = learning_rate
        self.oov = oov
        self.bigram_buckets = bigram_buckets
        self.classes: list[Hashable] = []
        self.device = torch.device("cpu")
        self.history: History | None = None
        self._net: _Net | None = None

    # Every parameter, declared once; fit() and the first use of the network check them.
    _parameter_constraints: ClassVar[dict[str, list[ConstraintSpec]]] = {
        "vocab_size": [Interval(int, 3, None)],
        "embedding_dim": [Interval(int, 1, None)],
        "input_length": [Interval(int, 1, None)],
        "hidden": [Interval(int, 1, None)],
        "num_classes": [Interval(int, 2, None)],
        "pretrained": [None, InstanceOf(Vectors, "an embedlab.Vectors")],
        "freeze": [Boolean()],
        "vocab": [None, InstanceOf(Vocab, "an embedlab.Vocab")],
        "tokenizer": [IsCallable()],
        "learning_rate": [Interval(float, 0, None, closed="right")],
        "oov": [Options(("random", "zero", "mean"))],
        "bigram_buckets": [Interval(int, 0, None)],
    }

    @classmethod
    def from_static(cls, model: Any, *, freeze: bool = False, input_length: int = 100,
                    hidden: int = 64, learning_rate: float = 1e-3,
                    bigram_buckets: int = 0) -> TextClassifier:
        """A classifier whose text representation is a static sentence model
        (:class:`embedlab.sentences.StaticModel`): its tokenizer cuts the texts, its table
        (weights multiplied in) is the embedding layer, kept as it is with ``freeze=True`` or
        trained with the rest. A saved one needs ``load(..., tokenizer=model.tokenize)``.

        Args:
            model: The static model (anything with ``embedding_layer_parts()``).
            freeze: Keep the table fixed while training.
            input_length: Tokens per text: longer texts are cut, shorter ones padded.
            hidden: Units of the hidden Dense(relu) layer.
            learning_rate: Adam's learning rate.
            bigram_buckets: Rows of hashed token-bigram vectors beside the table (0: none).

        Returns:
            An untrained classifier over the model's vocabulary.

        Raises:
            InvalidParameterError: ``model`` is not a static model.
        """
        parts = getattr(model, "embedding_layer_parts", None)
        check_param(callable(parts), "model", "TextClassifier.from_static",
                    "an embedlab.sentences.StaticModel", type(model).__name__)
        vocab, table, tokenizer = parts()  # type: ignore[misc]
        return cls(vocab=vocab, pretrained=table, freeze=freeze, tokenizer=tokenizer,
                   input_length=input_length, hidden=hidden, learning_rate=learning_rate,
                   oov="zero", bigram_buckets=bigram_buckets)

    def _validate(self) -> None:
        if isinstance(self.vocab, Vocab) and self.vocab.pad_id is None:
            raise InvalidParameterError(
                "the vocabulary of a TextClassifier needs a pad_token (build it with the "
                "default specials, '<pad>' and '<unk>')"
            )
        validate_params(self, "TextClassifier")
        if self.pretrained is not None and self.pretrained.dim != self.embedding_dim:
            raise InvalidParameterError(
                f"The 'embedding_dim' parameter of TextClassifier must match the pretrained "
                f"vectors ({self.pretrained.dim}). Got {self.embedding_dim} instead."
            )

    @property
    def net(self) -> _Net:
        """The torch network (built, after checking the parameters, on first use)."""
        if self._net is None:
            self._validate()
            self._net = self._build(seed=0)
        return self._net

    @net.setter
    def net(self, value: _Net) -> None:
        self._net = value

    def __repr__(self) -> str:
        state = f"classes={self.classes!r}" if self.classes else "not trained"
        return (
            f"TextClassifier(vocab_size={self.vocab_size}, embedding_dim={self.embedding_dim}, "
            f"input_length={self.input_length}, hidden={self.hidden}, {state})"
        )

    # ------------------------------------------------------------------ structure
    def _build(self, seed: int) -> _Net:
        # A forked RNG: the initial weights depend on the seed only, and the caller's global
        # torch random state is left as it was.
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            if self.pretrained is not None and self.vocab is not None:
                embedding = Embedding.from_vectors(
                    self.pretrained, self.vocab, freeze=self.freeze, oov=self.oov,
                    seed=seed,
                )
            else:
                rows = self.vocab_size if self.vocab is None else len(self.vocab)
                pad = 0 if self.vocab is None else self.vocab.pad_id
                embedding = Embedding(rows, self.embedding_dim, padding_idx=pad)
                embedding.weight.requires_grad_(not self.freeze)
            outputs = 1 if self.num_classes == 2 else self.num_classes
            return _Net(embedding, self.hidden, outputs, self.bigram_buckets, self.input_length)

    @property
    def coverage(self) -> Any:
        """How many vocabulary words the pretrained vectors covered (after ``fit``), else None."""
        return self.net.embedding.coverage

    def count_params(self, trainable_only: bool = False) -> int:
        """Number of weights (only those that training changes with ``trainable_only``).

        Args:
            trainable_only: Count only the weights that training changes.

        Returns:
            The number of weights.

        Raises:
            InvalidParameterError: A setting of the classifier is out of range (the network
                is built on first use).
        """
        return sum(
            p.numel() for p in self.net.parameters() if p.requires_grad or not trainable_only
        )

    def summary(
        self, print_fn: Callable[[str], Any] | None = print, layout: Layout = "keras2",
        line_length: int | None = None,
    ) -> str:
        """The Keras-style table; printed with ``print_fn`` (None: only returned).

        ``layout="keras3"`` draws Keras 3's box table (see :func:`format_summary`).

        Args:
            print_fn: Called with the table; None to only return it.
            layout: ``"keras2"`` or ``"keras3"``.
            line_length: Width of the table in characters, or None for the layout's own.

        Returns:
            The table.

        Raises:
            InvalidParameterError: ``layout`` is unknown, ``line_length`` is below 40, or a
                setting of the classifier is out of range (the network is built on first use).
        """
        emb = self.net.embedding
        dense_in, dense_out = self.net.hidden, self.net.output
        rows = [
            LayerRow("embedding", "Embedding", (None, self.input_length, emb.embedding_dim),
                     emb.weight.numel(), emb.weight.requires_grad),
            *([LayerRow("bigram_embedding", "Embedding",
                        (None, max(self.input_length - 1, 1), emb.embedding_dim),
                        self.net.bigrams.weight.numel())] if self.net.bigrams is not None else []),
            LayerRow("global_average_pooling1d", "GlobalAveragePooling1D", (None, emb.embedding_dim), 0),
            LayerRow("dense", "Dense", (None, dense_in.out_features),
                     sum(p.numel() for p in dense_in.parameters())),
            LayerRow("dense_1", "Dense", (None, dense_out.out_features),
                     sum(p.numel() for p in dense_out.parameters())),
        ]
        text = format_summary("TextClassifier", rows, layout=layout, line_length=line_length)
        if print_fn is not None:
            print_fn(text)
        return text

    # ------------------------------------------------------------------ data
    @staticmethod
    def _check_texts(texts: Sequence[str], what: str = "texts") -> list[str]:
        if isinstance(texts, str):
            raise DataError(f"{what} must be a list of strings, not one string (wrap it: [text])")
        try:
            texts = list(texts)
        except TypeError:
            raise DataError(f"{what} must be a list of strings, not {type(texts).__name__}") from None
        if len(texts) == 0:
            raise DataError(f"{what} is empty: give at least one text")
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise DataError(f"{what}[{i}] is {type(text).__name__}, not a string")
        return texts

    @staticmethod
    def _plain_labels(labels: Sequence[Hashable], what: str) -> list[Hashable]:
        if isinstance(labels, str):
            raise DataError(f"{what} must be a list of labels, not one string")
        try:
            plain = [y.item() if isinstance(y, np.generic) else y for y in labels]
        except TypeError:
            raise DataError(f"{what} must be a list of labels, not {type(labels).__name__}") from None
        for i, y in enumerate(plain):
            try:
                hash(y)
            except TypeError:
                raise DataError(
                    f"{what}[{i}] is {y!r}, which cannot be a class (labels must be hashable: "
                    "str, int, ...)"
                ) from None
        return plain

    def _pair(
        self, texts: Sequence[str], labels: Sequence[Hashable], what: str
    ) -> tuple[list[str], list[Hashable]]:
        checked = self._check_texts(texts, f"{what} texts")
        plain = self._plain_labels(labels, f"{what} labels")
        if len(checked) != len(plain):
            raise DataError(
                f"{what}: there are {len(checked)} texts but {len(plain)} labels; give one label per text"
            )
        return checked, plain

    def _encode(self, texts: Sequence[str]) -> torch.Tensor:
        vocab = self._fitted_vocab()
        ids = vocab.encode_batch([self.tokenizer(t) for t in texts], self.input_length)
        if self.bigram_buckets:
            ids = np.concatenate([ids, _bigram_ids(ids, self.bigram_buckets, vocab.pad_id)], axis=1)
        return torch.from_numpy(ids)

    def _targets(self, labels: Sequence[Hashable], what: str = "labels") -> torch.Tensor:
        index = {c: i for i, c in enumerate(self.classes)}
        unknown = [(i, y) for i, y in enumerate(labels) if y not in index]
        if unknown:
            i, y = unknown[0]
            raise DataError(
                f"{what}[{i}] is {y!r}, which is not one of the classes the model was trained "
                f"on ({', '.join(map(repr, self.classes))}); {len(unknown)} such label(s): "
                "drop those texts or train on data that has them"
            )
        return torch.tensor([index[y] for y in labels], dtype=torch.long)

    @staticmethod
    def _loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
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
        threads: int | None = 1,
        checkpoint: str | Path | None = None,
    ) -> History:
        """Train from scratch; returns the per-epoch :class:`History` of loss and accuracy.

        ``validation`` is a fraction of the training data held out (seeded) or a
        ``(texts, labels)`` pair. ``early_stopping=n`` stops after ``n`` epochs without a lower
        validation loss and restores the best weights. The same ``seed`` gives the same model.
        ``threads`` caps torch's CPU threads during the fit (one is fastest for a model this
        small; None keeps torch's own setting). ``checkpoint=path`` saves the training state
        there after every epoch (rank 0, atomically) and resumes from it when the file holds an
        earlier run of the same fit: after a crash or a ``torchrun --max-restarts`` restart the
        result equals an uninterrupted fit's.

        Args:
            texts: The training texts.
            labels: One label per text (hashable: str, int ...); at least two classes.
            validation: A held-out fraction in (0, 1), a ``(texts, labels)`` pair, or None.
            epochs: Most passes over the training data; an int >= 1.
            batch_size: Texts per minibatch; an int >= 1.
            early_stopping: Patience in epochs (needs ``validation``), or None.
            seed: Seed of the weights, the validation split and the shuffles.
            progress: Draw a progress bar per epoch.
            device: ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
            threads: Torch's CPU threads during the fit, or None to keep torch's setting.
            checkpoint: The file that holds the training state after each epoch, or None.

        Returns:
            The per-epoch :class:`History` (also kept as ``self.history``).

        Raises:
            InvalidParameterError: A parameter is out of range, ``early_stopping`` is given
                without ``validation``, ``device`` is CUDA where no GPU is available, or
                ``checkpoint`` was written by a fit on other data or settings.
            DataError: The texts or labels are malformed or differ in number, there are fewer
                than two classes, or ``validation`` leaves no validation or no training data.
            FormatError: ``checkpoint`` is damaged.
        """
        self._validate()
        owner = "TextClassifier.fit"
        check_param(isinstance(epochs, int) and epochs >= 1, "epochs", owner, "an int >= 1", epochs)
        check_param(isinstance(batch_size, int) and batch_size >= 1, "batch_size", owner, "an int >= 1", batch_size)
        check_param(
            early_stopping is None or (isinstance(early_stopping, int) and early_stopping >= 1),
            "early_stopping", owner, "None or an int >= 1 (patience in epochs)", early_stopping,
        )
        check_param(threads is None or (isinstance(threads, int) and threads >= 1), "threads",
                    owner, "None or an int >= 1", threads)
        target_device = _device(device, owner)
        texts, labels = self._pair(texts, labels, "training")
        rng = np.random.default_rng(seed)
        val_texts: list[str] = []
        val_labels: list[Hashable] = []
        if isinstance(validation, numbers.Real) and not isinstance(validation, bool):
            check_param(0 < validation < 1, "validation", owner,
                        "a fraction in (0, 1) or a (texts, labels) pair", validation)
            order = rng.permutation(len(texts))
            cut = int(round(len(texts) * float(validation)))
            if cut < 1 or cut >= len(texts):
                raise DataError(
                    f"validation={validation} of {len(texts)} texts leaves no validation or no "
                    "training data; give more texts or another fraction"
                )
            held, kept = order[:cut], order[cut:]
            val_texts, val_labels = [texts[i] for i in held], [labels[i] for i in held]
            texts, labels = [texts[i] for i in kept], [labels[i] for i in kept]
        elif isinstance(validation, tuple) and len(validation) == 2:
            val_texts, val_labels = self._pair(validation[0], validation[1], "validation")
        elif validation is not None:
            check_param(False, "validation", owner,
                        "None, a fraction in (0, 1) or a (texts, labels) pair", validation)
        if early_stopping is not None and validation is None:
            raise InvalidParameterError(
                "early_stopping needs validation data: pass validation=0.1 or validation=(texts, labels)"
            )

        found = list(dict.fromkeys(labels))
        if len(found) < 2:
            raise DataError(
                f"training needs at least two classes; every label is {found[0]!r}"
            )
        try:
            self.classes = sorted(found)  # type: ignore[type-var]
        except TypeError:  # mixed label types: keep first-seen order
            self.classes = found
        self.num_classes = len(self.classes)
        if self.vocab is None or self._built_vocab:
            self.vocab = Vocab.build((self.tokenizer(t) for t in texts), max_size=self.vocab_size)
            self._built_vocab = True
        self.net = self._build(seed)
        if self.coverage is not None:
            say(f"pretrained vectors cover {self.coverage}", progress and context().is_main)
        self.device = target_device
        self.net.to(target_device)
        x, y = self._encode(texts), self._targets(labels, "training labels")
        val = None
        if validation is not None:
            val = (self._encode(val_texts), self._targets(val_labels, "validation labels"))
        with torch_threads(threads):
            self.history = fit_loop(
                self.net, x, y, self._loss, self._predicted,
                learning_rate=self.learning_rate, epochs=epochs, batch_size=batch_size,
                validation=val, early_stopping=early_stopping, seed=seed, device=target_device,
                progress=progress, checkpoint=checkpoint,
            )
        return self.history

    _built_vocab = False  # True once fit built the vocabulary itself (a refit rebuilds it)

    def _fitted_vocab(self) -> Vocab:
        if self.vocab is None or not self.classes:
            raise DataError("the classifier is not trained yet: call fit() or TextClassifier.load()")
        return self.vocab

    def evaluate(self, texts: Sequence[str], labels: Sequence[Hashable]) -> dict[str, float]:
        """Loss and accuracy on labelled texts: ``{"loss": ..., "accuracy": ...}``.

        Args:
            texts: The texts.
            labels: One label per text, each a class the model was trained on.

        Returns:
            ``{"loss": ..., "accuracy": ...}``.

        Raises:
            DataError: The classifier is not trained yet, the texts or labels are malformed or
                differ in number, or a label is not one of ``self.classes``.
        """
        self._fitted_vocab()
        texts, labels = self._pair(texts, labels, "evaluation")
        y = self._targets(labels)
        loss, accuracy = score(self.net, self._encode(texts), y, self._loss, self._predicted, self.device)
        return {"loss": loss, "accuracy": accuracy}

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """``len(texts) x n_classes`` probabilities, columns in the order of ``self.classes``.

        Args:
            texts: The texts to classify.

        Returns:
            The probabilities; each row sums to 1.

        Raises:
            DataError: The classifier is not trained yet, or ``texts`` is not a non-empty list
                of strings.
        """
        self._fitted_vocab()
        logits = outputs(self.net, self._encode(self._check_texts(texts)), self.device)
        if logits.shape[1] == 1:
            p = torch.sigmoid(logits[:, 0])
            return torch.stack([1 - p, p], dim=1).numpy()
        return torch.softmax(logits, dim=1).numpy()

    def predict(self, texts: Sequence[str]) -> list[Hashable]:
        """The most probable class of each text.

        Args:
            texts: The texts to classify.

        Returns:
            One class (an element of ``self.classes``) per text.

        Raises:
            DataError: The classifier is not trained yet, or ``texts`` is not a non-empty list
                of strings.
        """
        self._fitted_vocab()
        logits = outputs(self.net, self._encode(self._check_texts(texts)), self.device)
        return [self.classes[int(i)] for i in self._predicted(logits)]

    # ------------------------------------------------------------------ files
    def save(self, directory: str | Path) -> Path:
        """Write ``model.safetensors``, ``config.json`` and ``vocab.json`` into ``directory``.

        The folder is written whole and renamed into place: an interrupted save leaves the
        previous model (or nothing). A folder that is not a saved model is never replaced.

        Args:
            directory: The folder to write.

        Returns:
            The folder written.

        Raises:
            DataError: The classifier is not trained yet, ``directory`` exists and is not a
                saved model, or the classes cannot be written to JSON.
        """
        vocab = self._fitted_vocab()
        tokenizer_name = next((n for n, f in _KNOWN_TOKENIZERS.items() if f is self.tokenizer), None)
        config = {
            "format": _FORMAT, "embedding_dim": self.embedding_dim,
            "input_length": self.input_length, "hidden": self.hidden, "freeze": self.freeze,
            "classes": self.classes, "learning_rate": self.learning_rate,
            "bigram_buckets": self.bigram_buckets, "tokenizer": tokenizer_name
            or f"{getattr(self.tokenizer, '__module__', '?')}.{getattr(self.tokenizer, '__qualname__', '?')}",
        }
        return write_model_dir(directory, config, self.net.state_dict(), vocab)

    @classmethod
    def load(
        cls, directory: str | Path, tokenizer: Tokenizer | None = None, device: str = "cpu"
    ) -> TextClassifier:
        """A classifier saved by :meth:`save`; it predicts exactly as the saved one did.

        A model trained with a tokenizer of your own needs it again: ``tokenizer=``.

        Args:
            directory: The folder that :meth:`save` wrote.
            tokenizer: The tokenizer the model was trained with, when it is not embedlab's.
            device: ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.

        Returns:
            The loaded classifier.

        Raises:
            FormatError: The folder is missing, corrupt, holds another kind of model, or its
                files do not fit together.
            InvalidParameterError: The model needs its own ``tokenizer`` again, or ``device``
                is not available.
        """
        config, weights, vocab = read_model_dir(directory, _FORMAT)
        if tokenizer is None:
            name = config.get("tokenizer", "embedlab.text.tokenize")
            if name not in _KNOWN_TOKENIZERS:
                raise InvalidParameterError(
                    f"{directory} was trained with the tokenizer {name}; pass it again: "
                    "TextClassifier.load(directory, tokenizer=...)"
                )
            tokenizer = _KNOWN_TOKENIZERS[name]
        try:
            model = cls(
                vocab_size=len(vocab), embedding_dim=config["embedding_dim"],
                input_length=config["input_length"], hidden=config["hidden"],
                num_classes=max(2, len(config["classes"])), freeze=config["freeze"], vocab=vocab,
                learning_rate=config["learning_rate"], tokenizer=tokenizer,
                bigram_buckets=config.get("bigram_buckets", 0),
            )
            model.classes = list(config["classes"])
            model.net.load_state_dict(weights)
        except (KeyError, TypeError, RuntimeError, InvalidParameterError) as exc:
            raise FormatError(f"the saved files do not fit together ({exc})", directory) from None
        model.device = _device(device, "TextClassifier.load")
        model.net.to(model.device)
        return model


def _device(device: str | torch.device, owner: str) -> torch.device:
    try:
        chosen = torch.device(device)
    except (RuntimeError, TypeError):
        check_param(False, "device", owner, "'cpu', 'cuda' or 'cuda:N'", device)
        raise  # unreachable: check_param raised
    if chosen.type == "cuda" and not torch.cuda.is_available():
        raise InvalidParameterError(
            f"The 'device' parameter of {owner} is {device!r} but no CUDA GPU is available "
            "here; use device='cpu'"
        )
    return chosen
