"""``StaticModel``: a sentence embedding that is an embedding layer and an average.

A text is cut into tokens by a real tokenizer (the teacher's WordPiece, WordLlama's BPE), each
token looks up its row in a :class:`~embedlab.vectors.Vectors` table, the rows are averaged
(optionally weighted per token) and the average is scaled to unit length. That is the whole
model: no attention, no context, which is why it encodes tens of thousands of sentences a
second on one core.

The table's keys are the tokenizer's tokens. A token without a row (a teacher token left out of
a small distillation, the unknown token) is skipped, as Model2Vec skips the unknown token.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np

from .._io import PathLike, atomic_folder, may_replace, read_folder
from .._params import Boolean, ConstraintSpec, Interval, Options, validate_arguments
from .._progress import progress_bar
from ..errors import DataError, FormatError, check_param, require, writing
from ..vectors import Vectors
from ..vocab import Vocab
from ._tokens import plain, token_ids, tokenizer_from_str, unknown_id
from .interop import Parts, read_model2vec, read_wordllama, to_sentence_transformers

Pooling = Literal["mean", "weighted"]

FORMAT_NAME = "embedlab-static-model"
FORMAT_VERSION = 1


class TruncationWarning(UserWarning):
    """Some texts were longer than the model's ``max_tokens`` and were cut."""


class StaticModel:
    """Sentence vectors from a tokenizer, a table of token vectors and an average.

    Parameters
    ----------
    tokenizer:
        A ``tokenizers.Tokenizer``. Special tokens are never added and padding is off.
    vectors:
        One row per token, keyed by the token's string (``tokenizer.id_to_token``).
    weights:
        Optional weight of each row (same order as ``vectors``): each token's vector is
        multiplied by it before pooling (Model2Vec's SIF weights live here).
    pooling:
        ``"mean"``: the sum of the (weighted) token vectors over the number of tokens;
        ``"weighted"``: over the sum of the weights instead (a true weighted mean).
    normalize:
        Scale every sentence vector to unit length (zero vectors stay zero).
    max_tokens:
        Texts longer than this many tokens keep their first ``max_tokens`` (``None``: no
        limit); :meth:`encode` says how many were cut.
    """

    last_truncated: int = 0  # how many texts the last encode cut (set by encode)

    _parameter_constraints: ClassVar[dict[str, list[ConstraintSpec]]] = {
        "pooling": [Options(["mean", "weighted"])],
        "normalize": [Boolean()],
        "max_tokens": [None, Interval(int, 1, None)],
    }

    def __init__(
        self,
        tokenizer: Any,
        vectors: Vectors,
        weights: np.ndarray | Sequence[float] | None = None,
        *,
        pooling: Pooling = "mean",
        normalize: bool = True,
        max_tokens: int | None = 512,
    ) -> None:
        validate_arguments("StaticModel", self._parameter_constraints,
                           {"pooling": pooling, "normalize": normalize, "max_tokens": max_tokens})
        check_param(isinstance(vectors, Vectors), "vectors", "StaticModel", "a Vectors table",
                    type(vectors).__name__)
        check_param(hasattr(tokenizer, "encode_batch_fast"), "tokenizer", "StaticModel",
                    "a tokenizers.Tokenizer", type(tokenizer).__name__)
        if len(vectors) == 0:
            raise DataError("a static model needs at least one token vector; the table is empty")
        self.tokenizer = plain(tokenizer)
        self.vectors = vectors
        self.weights = None if weights is None else _checked_weights(weights, len(vectors))
        self.pooling: Pooling = pooling
        self.normalize = normalize
        self.max_tokens = max_tokens
        self._rows = _rows_of_ids(self.tokenizer, vectors)

    # ------------------------------------------------------------------ facts
    @property
    def dim(self) -> int:
        """Dimensions of the sentence vectors."""
        return self.vectors.dim

    def __repr__(self) -> str:
        return (f"StaticModel({len(self.vectors):,} tokens x {self.dim}, pooling={self.pooling!r}, "
                f"normalize={self.normalize}, max_tokens={self.max_tokens})")

    def tokenize(self, text: str) -> list[str]:
        """The tokens of ``text`` that have a vector, in order (what :meth:`encode` averages)."""
        batch = token_ids(self.tokenizer, [text], self.max_tokens)
        rows = self._rows_of(batch.ids)
        return [self.vectors.keys[row] for row in rows if row >= 0]

    # ------------------------------------------------------------------ encoding
    def encode(
        self,
        texts: Sequence[str] | str,
        batch_size: int = 1024,
        *,
        progress: bool = True,
        truncate: bool = True,
        allow_empty: bool = False,
    ) -> np.ndarray:
        """One float32 row per text (a single string gives one row too).

        Texts longer than ``max_tokens`` tokens keep their first ``max_tokens`` tokens: a
        :class:`TruncationWarning` says how many were cut (``last_truncated`` keeps the count),
        or, with ``truncate=False``, a :class:`~embedlab.errors.DataError` is raised instead.
        A text with no known token (``""``, only punctuation the table lacks) is an error
        unless ``allow_empty=True``, which gives it a zero vector.
        """
        owner = "StaticModel.encode"
        check_param(isinstance(batch_size, int) and not isinstance(batch_size, bool)
                    and batch_size >= 1, "batch_size", owner, "an int >= 1", batch_size)
        items = [texts] if isinstance(texts, str) else list(texts)
        if not items:
            raise DataError("no texts to encode; give at least one text")
        for i, text in enumerate(items):
            if not isinstance(text, str):
                raise DataError(f"text {i} is a {type(text).__name__}, not a string; "
                                "give a list of strings")
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        empty: list[int] = []
        cut: list[int] = []
        with progress_bar(len(items), "encoding", enabled=progress and len(items) > batch_size) as bar:
            for start in range(0, len(items), batch_size):
                chunk = items[start : start + batch_size]
                sums, totals, was_cut = self._pool(chunk)
                out[start : start + len(chunk)] = sums
                empty.extend(start + int(i) for i in np.flatnonzero(totals == 0))
                cut.extend(start + int(i) for i in np.flatnonzero(was_cut))
                bar.advance(len(chunk))
        self._report_cut(cut, len(items), truncate)
        if empty and not allow_empty:
            more = f" (and {len(empty) - 1} more)" if len(empty) > 1 else ""
            raise DataError(
                f"text {empty[0]}{more} has no token with a vector (empty, or only unknown "
                "tokens); remove such texts or pass allow_empty=True to give them zero vectors"
            )
        if self.normalize:
            norms = np.linalg.norm(out, axis=1, keepdims=True)
            np.divide(out, norms, out=out, where=norms > 0)
        return out

    def _rows_of(self, ids: np.ndarray) -> np.ndarray:
        rows = np.full(len(ids), -1, dtype=np.int64)
        inside = ids < len(self._rows)
        rows[inside] = self._rows[ids[inside]]
        return rows

    def _pool(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pooled vectors of ``texts``, each one's divisor (0: nothing known), and who was cut."""
        batch = token_ids(self.tokenizer, texts, self.max_tokens)
        rows = self._rows_of(batch.ids)
        known = rows >= 0
        token_weights = np.where(known, 1.0, 0.0).astype(np.float32)
        if self.weights is not None:
            token_weights[known] *= self.weights[rows[known]]
        matrix = np.asarray(self.vectors.matrix)
        sums = np.zeros((len(texts), self.dim), dtype=np.float32)
        filled = batch.lengths > 0
        if filled.any():
            gathered = matrix[np.where(known, rows, 0)] * token_weights[:, None]
            sums[filled] = np.add.reduceat(gathered, batch.starts[filled], axis=0)
        # Per text: how many known tokens, and the sum of their weights.
        segment = np.repeat(np.arange(len(texts)), batch.lengths)
        counts = np.bincount(segment, weights=known, minlength=len(texts))
        divisor = counts if self.pooling == "mean" else np.bincount(
            segment, weights=token_weights, minlength=len(texts))
        divisor = np.where(counts > 0, divisor, 0.0)
        np.divide(sums, divisor[:, None], out=sums, where=divisor[:, None] > 0)
        return sums, divisor, batch.cut

    def _report_cut(self, cut: list[int], total: int, truncate: bool) -> None:
        self.last_truncated = len(cut)
        if not cut:
            return
        what = (f"{len(cut)} of {total} texts (the first is text {cut[0]}) are longer than "
                f"max_tokens={self.max_tokens} tokens")
        if not truncate:
            raise DataError(f"{what}; shorten them, raise max_tokens, or pass truncate=True to "
                            "keep each one's first max_tokens tokens")
        warnings.warn(f"{what}: each keeps its first {self.max_tokens} tokens",
                      TruncationWarning, stacklevel=3)

    # ------------------------------------------------------------------ scikit-learn
    # A StaticModel is a ready-made (pretrained) transformer: ``fit`` learns nothing, so
    # ``make_pipeline(model, LogisticRegression())`` refits only the classifier, and cloning
    # the pipeline (cross-validation) copies the table without changing it.
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's arguments (scikit-learn's estimator API).

        Args:
            deep: Ignored: a static model holds no other estimator.

        Returns:
            ``tokenizer``, ``vectors``, ``weights``, ``pooling``, ``normalize`` and
            ``max_tokens``, as this model holds them.
        """
        return {"tokenizer": self.tokenizer, "vectors": self.vectors, "weights": self.weights,
                "pooling": self.pooling, "normalize": self.normalize,
                "max_tokens": self.max_tokens}

    def set_params(self, **params: Any) -> StaticModel:
        """Change constructor arguments (scikit-learn's estimator API), checked as the
        constructor checks them.

        Args:
            **params: Any of the names :meth:`get_params` gives.

        Returns:
            This model.

        Raises:
            InvalidParameterError: An unknown name, or a value the constructor refuses.
            DataError: ``weights`` do not fit the table, or the table shares no key with the
                tokenizer.
        """
        current = self.get_params()
        unknown = sorted(set(params) - set(current))
        check_param(not unknown, unknown[0] if unknown else "params", "StaticModel.set_params",
                    f"one of {', '.join(current)}", unknown)
        self.__init__(**{**current, **params})  # type: ignore[misc]
        return self

    def fit(self, texts: Any = None, y: Any = None) -> StaticModel:
        """Nothing to learn: the table is already trained (scikit-learn's transformer API).
        The texts are only checked, so that a pipeline given numbers fails here.

        Args:
            texts: The training texts (or None).
            y: Ignored.

        Returns:
            This model, unchanged.

        Raises:
            DataError: ``texts`` is not a list of strings.
        """
        if hasattr(texts, "tocsr"):
            raise DataError("sparse input is not supported: a StaticModel transforms texts "
                            "(a list of strings)")
        if texts is not None:
            items = texts[:, 0] if getattr(texts, "ndim", 1) == 2 and texts.shape[1] == 1 else texts
            try:
                bad = next((i for i, text in enumerate(items) if not isinstance(text, str)), None)
            except TypeError:
                bad = -1
            if bad is not None:
                raise DataError(f"a StaticModel transforms texts; "
                                f"{'the input' if bad < 0 else f'item {bad}'} of "
                                f"{type(texts).__name__} is not a string")
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """``encode(texts)`` without a progress bar: one row per text.

        Args:
            texts: The texts (a list, a numpy array or a pandas Series of strings).

        Returns:
            A float32 array, one row of ``dim`` values per text.

        Raises:
            DataError: As :meth:`encode`: no texts, a text that is not a string, or a text
                with no known token.
        """
        if isinstance(texts, np.ndarray) and texts.ndim == 2 and texts.shape[1] == 1:
            texts = list(texts[:, 0])  # one column of texts, as ColumnTransformer passes it
        return self.encode(texts, progress=False)

    def fit_transform(self, texts: Sequence[str], y: Any = None) -> np.ndarray:
        """:meth:`transform` (nothing to fit).

        Args:
            texts: The texts.
            y: Ignored.

        Returns:
            One row per text.
        """
        return self.transform(texts)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``static0``, ``static1``, ... one name per output column.

        Args:
            input_features: Ignored.

        Returns:
            An object array of ``dim`` names.
        """
        return np.asarray([f"static{i}" for i in range(self.dim)], dtype=object)

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import Tags, TargetTags, TransformerTags

        tags = Tags(estimator_type=None, target_tags=TargetTags(required=False),
                    transformer_tags=TransformerTags(preserves_dtype=["float32"]))
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        tags.non_deterministic = False
        return tags

    # ------------------------------------------------------------------ as a layer
    def embedding_layer_parts(self) -> tuple[Vocab, Vectors, Callable[[str], list[str]]]:
        """What a trainable network needs to use this model as its embedding layer: a
        :class:`~embedlab.vocab.Vocab` of the table's tokens (with a padding and an unknown
        token first), the table with the weights multiplied in, and the tokenizer as a
        function from a text to its tokens (:meth:`tokenize`). Averaging a text's rows of that
        table over its tokens is this model's plain mean, before normalisation.

        Returns:
            ``(vocab, table, tokenize)``.
        """
        keys = self.vectors.keys
        taken = set(keys)
        pad, unknown = _free_name("<pad>", taken), _free_name("<unk>", taken)
        vocab = Vocab([pad, unknown, *keys], pad_token=pad, unk_token=unknown)
        table = np.array(self.vectors.matrix, dtype=np.float32)
        if self.weights is not None:
            table *= self.weights[:, None]
        return vocab, Vectors(list(keys), table), self.tokenize

    # ------------------------------------------------------------------ saving
    def save(self, path: PathLike) -> None:
        """Write the model to the folder ``path`` in one step: ``model.safetensors``
        (``embeddings``, and ``weights`` when there are any), ``tokens.json`` (the table's keys),
        ``tokenizer.json`` and ``config.json``. A folder that holds something else is refused."""
        safetensors_numpy = require("safetensors.numpy", "sentences")
        target = Path(path)
        if not may_replace(target, _is_static_folder):
            raise DataError(f"{target}: exists and is not a saved static model; "
                            "choose a new path (nothing was written)")
        tensors = {"embeddings": np.ascontiguousarray(self.vectors.matrix, dtype=np.float32)}
        if self.weights is not None:
            tensors["weights"] = np.ascontiguousarray(self.weights, dtype=np.float32)
        config = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "dim": self.dim,
                  "tokens": len(self.vectors), "pooling": self.pooling,
                  "normalize": self.normalize, "max_tokens": self.max_tokens}
        with writing(target), atomic_folder(target) as staging:
            safetensors_numpy.save_file(tensors, str(staging / "model.safetensors"))
            (staging / "tokens.json").write_text(json.dumps(self.vectors.keys, ensure_ascii=False),
                                                 encoding="utf-8")
            (staging / "tokenizer.json").write_text(self.tokenizer.to_str(), encoding="utf-8")
            (staging / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: PathLike) -> StaticModel:
        """Read a folder written by :meth:`save`, or a Model2Vec folder
        (``model.safetensors`` + ``tokenizer.json`` + ``config.json``)."""
        target = Path(path)
        config = read_folder(target, lambda folder: _json(folder.read_bytes("config.json"),
                                                          target / "config.json")
                             if folder.exists("config.json") else None)
        if isinstance(config, dict) and config.get("format") == FORMAT_NAME:
            return read_folder(target, lambda folder: _read_own(folder, target, config))
        return cls._from_parts(read_model2vec(target))

    # ------------------------------------------------------------------ interop
    def to_sentence_transformers(self) -> Any:
        """A ``sentence_transformers.SentenceTransformer`` holding this model as a
        ``StaticEmbedding`` (plus ``Normalize`` when the model normalises): same vectors for
        texts whose tokens all have a row (sentence-transformers averages unknown tokens too)."""
        if self.pooling != "mean" and self.weights is not None:
            raise DataError("sentence-transformers' StaticEmbedding takes a plain mean; a model "
                            "with pooling='weighted' cannot be exported (use pooling='mean')")
        return to_sentence_transformers(self.tokenizer, self.full_table(), self.normalize)

    @classmethod
    def from_wordllama(cls, config: str = "l2_supercat", dim: int = 256) -> StaticModel:
        """The WordLlama token table shipped inside the ``wordllama`` package."""
        return cls._from_parts(read_wordllama(config, dim))

    @classmethod
    def _from_parts(cls, parts: Parts) -> StaticModel:
        return cls(parts.tokenizer, parts.vectors, parts.weights, normalize=parts.normalize,
                   max_tokens=parts.max_tokens)

    def full_table(self) -> np.ndarray:
        """One row per tokenizer id (zeros where a token has no vector), weights multiplied in."""
        size = len(self._rows)
        table = np.zeros((size, self.dim), dtype=np.float32)
        present = self._rows >= 0
        rows = self._rows[present]
        values = np.asarray(self.vectors.matrix)[rows]
        if self.weights is not None:
            values = values * self.weights[rows][:, None]
        table[present] = values
        return table


def _free_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name`` with a number, whichever is not a token already."""
    candidate, n = name, 1
    while candidate in taken:
        candidate, n = f"{name[:-1]}{n}>", n + 1
    return candidate


def _checked_weights(weights: np.ndarray | Sequence[float], rows: int) -> np.ndarray:
    array = np.asarray(weights, dtype=np.float32)
    if array.shape != (rows,):
        raise DataError(f"weights must hold one value per token vector ({rows}); "
                        f"got shape {array.shape}")
    if not np.isfinite(array).all() or (array < 0).any():
        raise DataError("weights must be finite and >= 0")
    return array


def _rows_of_ids(tokenizer: Any, vectors: Vectors) -> np.ndarray:
    """For each tokenizer id, the row of its token in ``vectors`` (-1: none, or unknown)."""
    vocab: dict[str, int] = tokenizer.get_vocab(with_added_tokens=True)
    rows = np.full(max(vocab.values(), default=-1) + 1, -1, dtype=np.int64)
    index = vectors.key_to_index
    for token, token_id in vocab.items():
        row = index.get(token)
        if row is not None:
            rows[token_id] = row
    unknown = unknown_id(tokenizer)
    if unknown is not None and unknown < len(rows):
        rows[unknown] = -1
    if not (rows >= 0).any():
        raise DataError(f"none of the {len(vectors):,} keys of the table is a token of the "
                        "tokenizer; key the vectors by the tokenizer's tokens")
    return rows


def _json(raw: bytes, where: Path) -> Any:
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FormatError(f"not valid JSON ({exc})", where) from None


def _is_static_folder(path: Path) -> bool:
    """Whether a save may replace ``path``: an empty folder, or a static model saved before."""
    if not path.is_dir():
        return False
    config = path / "config.json"
    if not config.is_file():
        return not any(path.iterdir())
    try:
        return bool(json.loads(config.read_text(encoding="utf-8")).get("format") == FORMAT_NAME)
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        return False


def _read_own(folder: Any, path: Path, config: dict[str, Any]) -> StaticModel:
    from safetensors import SafetensorError
    from safetensors.numpy import load

    try:
        tensors = load(folder.read_bytes("model.safetensors"))
    except SafetensorError as exc:
        raise FormatError(f"not a safetensors file ({exc})", path / "model.safetensors") from None
    keys = _json(folder.read_bytes("tokens.json"), path / "tokens.json")
    tokenizer = tokenizer_from_str(folder.read_bytes("tokenizer.json").decode("utf-8"),
                                   path / "tokenizer.json")
    matrix = tensors.get("embeddings")
    if matrix is None or matrix.ndim != 2:
        raise FormatError("holds no 2-D 'embeddings' tensor", path / "model.safetensors")
    if matrix.shape != (config.get("tokens"), config.get("dim")) or len(keys) != matrix.shape[0]:
        raise FormatError(
            f"the embeddings are {matrix.shape[0]} x {matrix.shape[1]} but config.json says "
            f"{config.get('tokens')} x {config.get('dim')} and tokens.json lists {len(keys)} tokens "
            "(files from different saves?); save the model again", path)
    weights = tensors.get("weights")
    if weights is not None and weights.shape != (matrix.shape[0],):
        raise FormatError(f"'weights' has shape {weights.shape}; expected ({matrix.shape[0]},)",
                          path / "model.safetensors")
    return StaticModel(tokenizer, Vectors(keys, matrix), weights, pooling=config["pooling"],
                       normalize=config["normalize"], max_tokens=config["max_tokens"])
