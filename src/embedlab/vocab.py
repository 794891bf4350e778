"""``Vocab``: tokens to integer ids and back.

Ids are assigned special tokens first (``<pad>`` = 0 and ``<unk>`` = 1 by default), then
every other token by descending count; tokens with equal counts keep the order in which they
were first seen, so the same data always gives the same ids.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np

from ._io import PathLike, atomic_write
from .errors import DataError, FormatError, InvalidParameterError, UnknownKeyError, check_param
from .text import Corpus, Tokenizer, tokenize

Side = Literal["pre", "post"]
Unknown = Literal["unk", "skip", "error"]
_FORMAT = "embedlab.vocab/1"


class Vocab:
    """A bijection between tokens and ids ``0 .. len(vocab) - 1``, with counts.

    Build one with :meth:`build` (from token lists) or :meth:`from_corpus` (from a file);
    the constructor takes an explicit token list in id order.

    Args:
        tokens: Every token, in id order; no duplicates.
        counts: How often each token was seen (zeros when None).
        pad_token: The padding token (one of ``tokens``), or None for none.
        unk_token: The token unknown words become (one of ``tokens``), or None for none.

    Raises:
        DataError: A token that is not a string, a duplicate token, or a number of counts
            other than the number of tokens.
        InvalidParameterError: A ``pad_token`` or ``unk_token`` that is not one of the tokens.

    Example:
        >>> vocab = Vocab.build([["the", "cat", "sat"], ["the", "dog", "sat"]])
        >>> vocab.tokens
        ['<pad>', '<unk>', 'the', 'sat', 'cat', 'dog']
        >>> vocab.encode(["the", "cat", "purred"])
        [2, 4, 1]
    """

    def __init__(
        self,
        tokens: Sequence[str],
        counts: Sequence[int] | None = None,
        pad_token: str | None = "<pad>",
        unk_token: str | None = "<unk>",
    ) -> None:
        self._tokens = list(tokens)
        self._index: dict[str, int] = {}
        for i, tok in enumerate(self._tokens):
            if not isinstance(tok, str):
                raise DataError(f"tokens must be strings; id {i} is {tok!r}")
            if self._index.setdefault(tok, i) != i:
                raise DataError(f"duplicate token {tok!r} at ids {self._index[tok]} and {i}")
        self.counts = [0] * len(self._tokens) if counts is None else [int(c) for c in counts]
        if len(self.counts) != len(self._tokens):
            raise DataError(f"{len(self.counts)} counts for {len(self._tokens)} tokens")
        for name, special in (("pad_token", pad_token), ("unk_token", unk_token)):
            if special is not None and special not in self._index:
                raise InvalidParameterError(
                    f"The {name!r} parameter of Vocab must be one of the tokens or None. "
                    f"Got {special!r} instead."
                )
        self.pad_token = pad_token
        self.unk_token = unk_token

    @classmethod
    def build(
        cls,
        token_lists: Iterable[Iterable[str]],
        min_count: int = 1,
        max_size: int | None = None,
        specials: Sequence[str] = ("<pad>", "<unk>"),
        pad_token: str | None = "<pad>",
        unk_token: str | None = "<unk>",
    ) -> Vocab:
        """Count tokens and keep those seen at least ``min_count`` times.

        ``max_size`` caps the whole vocabulary, specials included, so that it can be passed
        straight to ``Embedding(num_embeddings=...)``. ``specials`` come first, in order; pass
        ``specials=(), pad_token=None, unk_token=None`` for a vocabulary without them.

        Args:
            token_lists: An iterable of token lists (one per sentence or document).
            min_count: Keep tokens seen at least this many times.
            max_size: The most tokens to keep, specials included (``None``: no cap).
            specials: Tokens given the first ids, in order.
            pad_token: The padding token (one of ``specials``), or None for none.
            unk_token: The unknown-word token (one of ``specials``), or None for none.

        Returns:
            The new vocabulary: specials first, then tokens by descending count.

        Raises:
            InvalidParameterError: ``min_count`` is not an int >= 1, ``max_size`` is smaller
                than the number of specials, ``token_lists`` is not iterable, or ``pad_token``
                or ``unk_token`` is not one of the tokens.
            DataError: ``token_lists`` is a string or yields strings instead of token lists.
        """
        check_param(isinstance(min_count, int) and min_count >= 1, "min_count", "Vocab.build", "an int >= 1", min_count)
        check_param(
            max_size is None or (isinstance(max_size, int) and max_size >= len(specials)),
            "max_size", "Vocab.build", f"None or an int >= the number of specials ({len(specials)})", max_size,
        )
        if isinstance(token_lists, str):
            raise DataError("Vocab.build takes an iterable of token lists, not one string")
        check_param(isinstance(token_lists, Iterable), "token_lists", "Vocab.build",
                    "an iterable of token lists", token_lists)
        counter: Counter[str] = Counter()
        for tokens in token_lists:
            if isinstance(tokens, str):
                raise DataError(
                    "Vocab.build takes token lists, not strings: tokenize first "
                    "(e.g. [embedlab.text.tokenize(t) for t in texts])"
                )
            counter.update(tokens)
        special_set = set(specials)
        # Counter keeps first-seen order and sorted() is stable: ties keep that order.
        ranked = [
            (tok, n) for tok, n in sorted(counter.items(), key=lambda kv: -kv[1])
            if n >= min_count and tok not in special_set
        ]
        if max_size is not None:
            ranked = ranked[: max_size - len(specials)]
        tokens = list(specials) + [tok for tok, _ in ranked]
        counts = [counter.get(s, 0) for s in specials] + [n for _, n in ranked]
        return cls(tokens, counts, pad_token=pad_token, unk_token=unk_token)

    @classmethod
    def from_corpus(
        cls, path: PathLike, tokenizer: Tokenizer = tokenize, encoding: str = "utf-8", **options: object
    ) -> Vocab:
        """Build from a corpus file or directory (see :class:`embedlab.text.Corpus`).

        Args:
            path: A corpus file or directory.
            tokenizer: Splits each line into tokens.
            encoding: The text encoding of the files.
            **options: Passed to :meth:`build` (``min_count``, ``max_size`` ...).

        Returns:
            The vocabulary of the corpus.

        Raises:
            InvalidParameterError: A parameter of :class:`~embedlab.text.Corpus` or
                :meth:`build` is invalid.
            DataError: The corpus path does not exist or holds no files.
            FormatError: A corpus file cannot be read or decoded.
        """
        return cls.build(Corpus(path, tokenizer=tokenizer, encoding=encoding), **options)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ lookups
    def __len__(self) -> int:
        return len(self._tokens)

    def __contains__(self, token: object) -> bool:
        return token in self._index

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._tokens)

    def __repr__(self) -> str:
        return f"Vocab({len(self)} tokens, pad={self.pad_token!r}, unk={self.unk_token!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Vocab)
            and self._tokens == other._tokens
            and self.counts == other.counts
            and (self.pad_token, self.unk_token) == (other.pad_token, other.unk_token)
        )

    @property
    def tokens(self) -> list[str]:
        """Tokens in id order (a copy)."""
        return list(self._tokens)

    @property
    def pad_id(self) -> int | None:
        """The id of the padding token, or ``None`` when there is none."""
        return None if self.pad_token is None else self._index[self.pad_token]

    @property
    def unk_id(self) -> int | None:
        """The id of the unknown-word token, or ``None`` when there is none."""
        return None if self.unk_token is None else self._index[self.unk_token]

    def token_to_id(self, token: str) -> int:
        """The id of ``token``; raises :class:`UnknownKeyError` if it has none.

        Args:
            token: The token to look up.

        Returns:
            The id of ``token``.

        Raises:
            UnknownKeyError: ``token`` is not in the vocabulary (close tokens are suggested).
        """
        try:
            return self._index[token]
        except KeyError:
            import difflib

            raise UnknownKeyError(
                token, difflib.get_close_matches(token, self._tokens[:50_000], n=3), what="token"
            ) from None

    def id_to_token(self, index: int) -> str:
        """The token of id ``index``.

        Args:
            index: An id, ``0 .. len(vocab) - 1``.

        Returns:
            The token with that id.

        Raises:
            DataError: ``index`` is outside the vocabulary.
        """
        if not 0 <= index < len(self._tokens):
            raise DataError(f"id {index} is outside the vocabulary (0 .. {len(self) - 1})")
        return self._tokens[index]

    # ------------------------------------------------------------------ encoding
    def encode(self, tokens: Iterable[str], unknown: Unknown = "unk") -> list[int]:
        """Ids of ``tokens``. Unknown tokens become ``<unk>``, are skipped, or raise.

        Args:
            tokens: The tokens to encode (a list, not a string).
            unknown: What an unknown token does: ``"unk"`` (becomes ``<unk>``), ``"skip"`` or
                ``"error"``.

        Returns:
            The ids, in order.

        Raises:
            DataError: ``tokens`` is a string.
            InvalidParameterError: ``unknown`` is not one of its values, or is ``"unk"`` for a
                vocabulary without ``unk_token``.
            UnknownKeyError: ``unknown="error"`` and a token is not in the vocabulary.
        """
        if isinstance(tokens, str):
            raise DataError("encode takes a list of tokens, not a string; use encode_text for text")
        if unknown == "unk" and self.unk_token is None:
            raise InvalidParameterError(
                "this vocabulary has no unk_token, so unknown='unk' cannot be used; "
                "pass unknown='skip' or 'error'"
            )
        check_param(unknown in ("unk", "skip", "error"), "unknown", "Vocab.encode", "'unk', 'skip' or 'error'", unknown)
        unk = self.unk_id
        ids: list[int] = []
        for tok in tokens:
            i = self._index.get(tok)
            if i is None:
                if unknown == "skip":
                    continue
                if unknown == "error":
                    self.token_to_id(tok)
                i = unk
            ids.append(i)  # type: ignore[arg-type]
        return ids

    def encode_text(self, text: str, tokenizer: Tokenizer = tokenize, unknown: Unknown = "unk") -> list[int]:
        """Tokenize ``text`` and encode it.

        Args:
            text: The text to encode.
            tokenizer: Splits ``text`` into tokens.
            unknown: What an unknown token does (see :meth:`encode`).

        Returns:
            The ids of the tokens of ``text``.

        Raises:
            InvalidParameterError: ``unknown`` is invalid (see :meth:`encode`).
            UnknownKeyError: ``unknown="error"`` and a token is not in the vocabulary.
        """
        return self.encode(tokenizer(text), unknown=unknown)

    def decode(self, ids: Iterable[int], skip_specials: bool = False) -> list[str]:
        """Tokens of ``ids``; with ``skip_specials`` padding and other specials are dropped.

        Args:
            ids: The ids to decode.
            skip_specials: Drop the padding and unknown-word tokens.

        Returns:
            The tokens, in order.

        Raises:
            DataError: An id is outside the vocabulary.
        """
        specials = {self.pad_token, self.unk_token} if skip_specials else set()
        out = [self.id_to_token(int(i)) for i in ids]
        return [t for t in out if t not in specials]

    def pad(self, ids: Sequence[int], length: int, side: Side = "post", truncate: Side = "post") -> list[int]:
        """Make ``ids`` exactly ``length`` long: cut from ``truncate``, pad with ``<pad>`` on ``side``.

        Args:
            ids: The ids to cut or pad.
            length: The length wanted (>= 1).
            side: Where padding goes: ``"pre"`` or ``"post"``.
            truncate: Where ids are cut from: ``"pre"`` or ``"post"``.

        Returns:
            ``length`` ids.

        Raises:
            InvalidParameterError: The vocabulary has no ``pad_token``, or ``length``,
                ``side`` or ``truncate`` is invalid.
        """
        if self.pad_id is None:
            raise InvalidParameterError("this vocabulary has no pad_token, so it cannot pad")
        return pad(ids, length, self.pad_id, side=side, truncate=truncate)

    def encode_batch(
        self,
        texts: Sequence[str | Sequence[str]],
        length: int,
        tokenizer: Tokenizer = tokenize,
        side: Side = "post",
        truncate: Side = "post",
        unknown: Unknown = "unk",
    ) -> np.ndarray:
        """A ``len(texts) x length`` int64 array: each text tokenized, encoded, cut and padded.

        Args:
            texts: Texts, or lists of tokens (used as given).
            length: The length of every row.
            tokenizer: Splits each text into tokens.
            side: Where padding goes: ``"pre"`` or ``"post"``.
            truncate: Where ids are cut from: ``"pre"`` or ``"post"``.
            unknown: What an unknown token does (see :meth:`encode`).

        Returns:
            A ``len(texts) x length`` int64 array of ids.

        Raises:
            InvalidParameterError: The vocabulary has no ``pad_token``, or a parameter is
                invalid (see :meth:`encode` and :meth:`pad`).
            UnknownKeyError: ``unknown="error"`` and a token is not in the vocabulary.
        """
        rows = [
            self.pad(
                self.encode(tokenizer(t) if isinstance(t, str) else t, unknown=unknown),
                length, side=side, truncate=truncate,
            )
            for t in texts
        ]
        return np.asarray(rows, dtype=np.int64).reshape(len(rows), length)

    # ------------------------------------------------------------------ files
    def to_dict(self) -> dict[str, object]:
        """The vocabulary as a JSON-serialisable dict (what :meth:`save` writes).

        Returns:
            A dict with ``format``, ``tokens``, ``counts``, ``pad_token`` and ``unk_token``.
        """
        return {
            "format": _FORMAT,
            "tokens": self._tokens,
            "counts": self.counts,
            "pad_token": self.pad_token,
            "unk_token": self.unk_token,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object], source: object = "<dict>") -> Vocab:
        """The vocabulary held in a dict made by :meth:`to_dict`.

        Args:
            data: The dict.
            source: Where the dict came from (named in errors).

        Returns:
            The vocabulary.

        Raises:
            FormatError: ``data`` is not an embedlab vocabulary, or holds an invalid one.
        """
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise FormatError(f"not an embedlab vocabulary (expected format {_FORMAT!r})", source)
        try:
            return cls(
                data["tokens"],  # type: ignore[arg-type]
                data.get("counts"),  # type: ignore[arg-type]
                pad_token=data.get("pad_token"),  # type: ignore[arg-type]
                unk_token=data.get("unk_token"),  # type: ignore[arg-type]
            )
        except (DataError, InvalidParameterError, TypeError) as exc:
            raise FormatError(f"invalid vocabulary: {exc}", source) from None

    def save(self, path: PathLike) -> None:
        """Write as JSON, atomically (an interrupted save keeps the old file).

        Args:
            path: The file to write.

        Raises:
            WriteError: The file could not be written.
        """
        with atomic_write(path, "w") as handle:
            json.dump(self.to_dict(), handle, ensure_ascii=False)

    @classmethod
    def load(cls, path: PathLike) -> Vocab:
        """Read a vocabulary written by :meth:`save`.

        Args:
            path: The JSON file to read.

        Returns:
            The vocabulary.

        Raises:
            FormatError: The file cannot be read, is not valid JSON, or holds no valid
                embedlab vocabulary.
        """
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except json.JSONDecodeError as exc:
            raise FormatError(f"not valid JSON ({exc.msg})", path, exc.lineno) from None
        except OSError as exc:
            raise FormatError(f"cannot be read: {exc.strerror}", path) from None
        return cls.from_dict(data, path)

    # ------------------------------------------------------------------ keras
    @classmethod
    def from_keras(cls, text_vectorization: object) -> Vocab:
        """The vocabulary of a keras ``TextVectorization`` (or ``StringLookup``) layer, ids kept.

        Keras marks padding with ``''`` and unknown words with ``'[UNK]'``; they become
        ``<pad>`` and ``<unk>`` here (at the same ids), so vectors line up with the model's
        ids. A plain list (``layer.get_vocabulary()``, saved earlier) is taken as well.
        Keras itself is not imported.

        Args:
            text_vectorization: A keras ``TextVectorization`` or ``StringLookup`` layer, or
                its ``get_vocabulary()`` list.

        Returns:
            The vocabulary, with the layer's ids.

        Raises:
            DataError: ``text_vectorization`` is neither such a layer nor a list of tokens, or
                holds a duplicate or non-string token.
        """
        layer = text_vectorization
        tokens = layer.get_vocabulary() if hasattr(layer, "get_vocabulary") else layer
        if isinstance(tokens, str) or not isinstance(tokens, Sequence):
            raise DataError(
                "Vocab.from_keras takes a keras TextVectorization or StringLookup layer (or its "
                f"get_vocabulary() list); got {type(layer).__name__}"
            )
        mask, oov = getattr(layer, "mask_token", ""), getattr(layer, "oov_token", "[UNK]")
        renamed = {mask: "<pad>", oov: "<unk>"}
        tokens = [renamed.get(t, t) for t in tokens]
        return cls(
            tokens,
            pad_token="<pad>" if "<pad>" in tokens else None,
            unk_token="<unk>" if "<unk>" in tokens else None,
        )

    def to_keras(self, output_sequence_length: int | None = None, **options: object) -> Any:
        """A keras ``TextVectorization`` layer giving the same ids as this vocabulary.

        Keras puts its padding at id 0 and its unknown-word token at id 1, so the vocabulary
        must too (the default ``<pad>``, ``<unk>`` do). ``options`` go to the layer
        (``standardize``, ``split`` ...): note that Keras splits text its own way, not with
        :func:`embedlab.tokenize`. Keras needs TensorFlow for this layer, whatever its backend.

        Args:
            output_sequence_length: Pad or cut every output to this length (``None``: no).
            **options: Passed to ``keras.layers.TextVectorization``.

        Returns:
            The keras ``TextVectorization`` layer.

        Raises:
            DataError: The padding and unknown-word tokens are not at ids 0 and 1.
            MissingExtraError: Keras, or the TensorFlow its layer needs, is not installed.
        """
        from .errors import MissingExtraError, require

        if (self.pad_id, self.unk_id) != (0, 1):
            raise DataError(
                "a keras TextVectorization has its padding at id 0 and its unknown token at "
                f"id 1; this vocabulary has them at {self.pad_id} and {self.unk_id} "
                "(build it with the default specials, '<pad>' and '<unk>')"
            )
        keras = require("keras", "keras")
        try:
            return keras.layers.TextVectorization(
                vocabulary=self._tokens[2:], output_sequence_length=output_sequence_length,
                **options,
            )
        except ImportError as exc:
            error = MissingExtraError("tensorflow", "keras")
            # The extra is not what is missing (Keras's preprocessing layers run on TensorFlow),
            # so the sentence is replaced; ImportError keeps it in .msg as well as .args.
            ImportError.__init__(
                error,
                "keras.layers.TextVectorization needs TensorFlow whatever the Keras backend: "
                "pip install tensorflow-cpu, or feed the model vocab.encode_batch(texts, length)",
            )
            raise error from exc


def pad(ids: Sequence[int], length: int, pad_id: int, side: Side = "post", truncate: Side = "post") -> list[int]:
    """Cut or pad ``ids`` to ``length``; ``side``/``truncate`` say at which end ("pre"/"post").

    Args:
        ids: The ids to cut or pad.
        length: The length wanted (>= 1).
        pad_id: The id that fills.
        side: Where padding goes: ``"pre"`` or ``"post"``.
        truncate: Where ids are cut from: ``"pre"`` or ``"post"``.

    Returns:
        ``length`` ids.

    Raises:
        InvalidParameterError: ``length`` is not an int >= 1, or ``side`` or ``truncate`` is
            not ``"pre"`` or ``"post"``.
    """
    check_param(isinstance(length, int) and length >= 1, "length", "pad", "an int >= 1", length)
    check_param(side in ("pre", "post"), "side", "pad", "'pre' or 'post'", side)
    check_param(truncate in ("pre", "post"), "truncate", "pad", "'pre' or 'post'", truncate)
    ids = list(ids)
    if len(ids) > length:
        ids = ids[:length] if truncate == "post" else ids[len(ids) - length :]
    filler = [pad_id] * (length - len(ids))
    return ids + filler if side == "post" else filler + ids
