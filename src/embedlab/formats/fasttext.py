"""fastText models (``.bin``, quantised ``.ftz``): read, and written so that fastText opens them.

Layout (little-endian, as fastText writes it on every common machine):

* magic ``793712314`` and version ``12`` (int32 each) — absent in the oldest format, which
  starts straight with the arguments;
* args: dim, ws, epoch, minCount, neg, wordNgrams, loss, model, bucket, minn, maxn,
  lrUpdateRate (int32 each) and t (float64);
* dictionary: size, nwords, nlabels (int32), ntokens (int64), pruneidx_size (int64, not in the
  oldest format), then per entry the word, a NUL, its count (int64) and type (int8: 0 word,
  1 label), then ``pruneidx_size`` pairs of int32 (bucket, kept row);
* a quantised-input flag (not in the oldest format) and the input matrix: rows, cols (int64)
  and float32 values, or a product-quantised matrix (norm flag, rows, cols, code size, codes,
  quantiser, and the norms' codes and quantiser when the flag is set);
* a quantised-output flag (the output is quantised only when the input is too) and the
  output matrix in the same way.
"""

from __future__ import annotations

import codecs
import struct
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._io import PathLike
from ..errors import DataError, FormatError, check_param
from ..subwords import FastTextSubwords
from ..vectors import Vectors
from ._fasttext_fields import (
    ARG_NAMES,
    LOSS_HS,
    LOSS_NS,
    LOSS_OVA,
    LOSS_SOFTMAX,
    MAGIC,
    MODEL_CBOW,
    MODEL_SKIPGRAM,
    MODEL_SUPERVISED,
    VERSION,
    FieldReader,
)
from ._fasttext_pq import decode_pq, read_quantised
from ._fasttext_writer import write_fasttext_bin
from ._source import Input, as_input

# The reader lives here; the layout's constants, the product quantiser and the writer live in
# modules of their own and are public from this one.
__all__ = [
    "ARG_NAMES", "LOSS_HS", "LOSS_NS", "LOSS_OVA", "LOSS_SOFTMAX", "MAGIC", "MODEL_CBOW",
    "MODEL_SKIPGRAM", "MODEL_SUPERVISED", "VERSION", "FastTextModel", "decode_pq",
    "is_fasttext_bin", "read_fasttext_bin", "read_fasttext_model", "write_fasttext_bin",
]


def is_fasttext_bin(head: bytes) -> bool:
    """True when ``head`` starts with fastText's magic number (any version, so that an unknown
    version gets a clear error from the reader). The oldest format has no magic to see.

    Args:
        head: The first bytes of a file (8 are enough).

    Returns:
        Whether the file is a fastText model.
    """
    return len(head) >= 8 and struct.unpack("<i", head[:4])[0] == MAGIC


@dataclass
class FastTextModel:
    """Everything a fastText ``.bin``/``.ftz`` holds (quantised matrices decoded)."""

    args: dict[str, Any]
    version: int | None
    words: list[str]
    raw_words: list[bytes]
    word_counts: list[int]
    labels: list[str]
    label_counts: list[int]
    raw_labels: list[bytes]
    ntokens: int
    pruneidx: dict[int, int] | None
    input_matrix: np.ndarray
    output_matrix: np.ndarray
    quantised: bool
    # True when each word's text is not simply its UTF-8 bytes decoded (another encoding,
    # escaped or replaced bytes): the bytes are then kept for hashing and writing back.
    keeps_bytes: bool = False

    @property
    def supervised(self) -> bool:
        return bool(self.args["model"] == MODEL_SUPERVISED)

    @property
    def maxn(self) -> int:
        """The longest n-gram used: fastText ignores ``maxn`` in supervised models of the
        versions before 12 (they had no character n-grams)."""
        old = self.version is None or self.version == 11
        return 0 if old and self.supervised else int(self.args["maxn"])

    def subwords(self) -> FastTextSubwords:
        """The model's subword model, for the vectors of known and unknown words.

        Returns:
            A :class:`FastTextSubwords` holding the matrices, labels and arguments.
        """
        a = self.args
        return FastTextSubwords(
            self.input_matrix, self.words, a["minn"], self.maxn, a["bucket"],
            pruneidx=self.pruneidx, labels=self.labels, label_counts=self.label_counts,
            output_matrix=self.output_matrix, args=a, ntokens=self.ntokens,
            raw_words=self.raw_words if self.keeps_bytes else None,
            raw_labels=self.raw_labels if self.keeps_bytes else None, version=self.version,
        )


def read_fasttext_model(
    path: PathLike | Input, encoding: str = "utf-8", unicode_errors: str = "strict"
) -> FastTextModel:
    """Read a whole fastText model: arguments, dictionary, input and output matrices.

    Args:
        path: The ``.bin``/``.ftz`` file, or an already opened :class:`Input`.
        encoding: The encoding of the words.
        unicode_errors: What to do with undecodable words, as ``bytes.decode``'s ``errors``.

    Returns:
        The model, its quantised matrices decoded.

    Raises:
        FormatError: The file cannot be read, or is not a fastText model it supports.
    """
    source = as_input(path)
    try:
        with source.stream() as handle:
            reader = FieldReader(handle, source.path, source.size)
            model = _read(reader, encoding, unicode_errors)
            if not reader.at_end():  # fastText reads what it needs and ignores the rest
                warnings.warn(
                    f"{source.path}: byte {reader.offset}: more bytes follow the output matrix; "
                    "they are ignored, as fastText ignores them",
                    stacklevel=3,
                )
    except OSError as exc:  # unreadable files (corrupt compressed streams are FormatErrors)
        raise FormatError(f"cannot be read: {exc}", source.path) from None
    return model


def _read(reader: FieldReader, encoding: str, unicode_errors: str) -> FastTextModel:
    first = reader.unpack("ii", "the magic number and version")
    new_format = first[0] == MAGIC
    version = first[1] if new_format else None
    if version is not None and version > VERSION:  # fastText opens every version up to its own
        raise reader.fail(
            f"fastText file version {version} is not supported (expected 12 or lower)", at=4
        )
    if new_format:
        values = list(reader.unpack("12i", "the model arguments"))
    else:  # the oldest format starts straight with dim and ws
        values = [*first, *reader.unpack("10i", "the model arguments")]
    (t,) = reader.unpack("d", "the sampling threshold")
    args: dict[str, Any] = dict(zip(ARG_NAMES, values, strict=True)) | {"t": t}
    _check_args(reader, args, new_format)

    dict_at = reader.offset
    size, nwords, nlabels = reader.unpack("3i", "the dictionary sizes")
    (ntokens,) = reader.unpack("q", "the token count")
    if min(size, nwords, nlabels) < 0 or nwords + nlabels != size:
        raise reader.fail(
            f"expected dictionary sizes with size = nwords + nlabels, found size {size}, "
            f"nwords {nwords}, nlabels {nlabels}",
            at=dict_at,
        )
    pruneidx_size = reader.unpack("q", "the pruned-bucket count")[0] if new_format else -1
    if pruneidx_size < -1 or pruneidx_size > max(args["bucket"], 0):
        raise reader.fail(
            f"expected a pruned-bucket count between -1 and bucket ({args['bucket']}), "
            f"found {pruneidx_size}",
            at=reader.offset - 8,
        )
    entries_at = reader.offset
    raws, counts, kinds = reader.entries(size)
    texts, escaped = _decode_words(reader, raws, encoding, unicode_errors, entries_at)
    exact = codecs.lookup(encoding).name == "utf-8" and unicode_errors == "strict" and not escaped
    first_label = next((i for i, kind in enumerate(kinds) if kind != 0), size)
    if any(kind != 1 for kind in kinds[first_label:]):
        bad = next(i for i in range(first_label, size) if kinds[i] != 1)
        raise reader.fail(
            f"expected the entry type 0 (word) before the labels and 1 (label) after, found "
            f"{kinds[bad]}",
            at=entries_at + sum(len(r) + 10 for r in raws[: bad + 1]) - 1,
        )
    words, raw_words, word_counts = texts[:first_label], raws[:first_label], counts[:first_label]
    labels, label_counts, raw_labels = texts[first_label:], counts[first_label:], raws[first_label:]
    if len(words) != nwords:
        raise reader.fail(
            f"expected {nwords} words and {nlabels} labels in the dictionary, found "
            f"{len(words)} words and {len(labels)} labels",
            at=dict_at,
        )
    pruneidx: dict[int, int] | None = None
    if pruneidx_size >= 0:
        pairs = np.frombuffer(reader.take(8 * pruneidx_size, "the pruned-bucket index"), "<i4")
        keys, rows = pairs[0::2].astype(np.int64), pairs[1::2].astype(np.int64)
        if len(keys) and (keys.min() < 0 or keys.max() >= args["bucket"] or rows.min() < 0
                          or rows.max() >= pruneidx_size or len(np.unique(keys)) != len(keys)):
            raise reader.fail("expected pruned buckets in [0, bucket) mapped to distinct kept rows")
        pruneidx = dict(zip(keys.tolist(), rows.tolist(), strict=True))

    dim = args["dim"]
    quantised = bool(reader.unpack("?", "the quantised-input flag")[0]) if new_format else False
    input_at = reader.offset
    input_matrix = _read_matrix(reader, quantised, "the input matrix")
    nbuckets = len(pruneidx) if pruneidx is not None else args["bucket"]
    if input_matrix.shape != (nwords + nbuckets, dim):
        raise reader.fail(
            f"expected an input matrix of {nwords + nbuckets} x {dim} (words + buckets x dim), "
            f"found {input_matrix.shape[0]} x {input_matrix.shape[1]}",
            at=input_at,
        )
    qout = bool(reader.unpack("?", "the quantised-output flag")[0]) if new_format else False
    output_at = reader.offset
    output_matrix = _read_matrix(reader, quantised and qout, "the output matrix")
    targets = nlabels if args["model"] == MODEL_SUPERVISED else nwords
    if output_matrix.shape[1] != dim or output_matrix.shape[0] not in (targets, 0):
        raise reader.fail(
            f"expected an output matrix of {targets} x {dim}, found "
            f"{output_matrix.shape[0]} x {output_matrix.shape[1]}",
            at=output_at,
        )
    return FastTextModel(args, version, words, raw_words, word_counts, labels, label_counts,
                         raw_labels, ntokens, pruneidx, input_matrix, output_matrix, quantised,
                         keeps_bytes=not exact)


def _decode_words(reader: FieldReader, raws: list[bytes], encoding: str, errors: str,
                  entries_at: int) -> tuple[list[str], bool]:
    """The dictionary's words as text. fastText stores bytes and opens a file whatever they
    are, so with ``errors="strict"`` the words that do not decode are kept with ``\\x``
    escapes (``b"caf\\xe9"`` -> ``"caf\\\\xe9"``: distinct, printable) and one warning
    counts them; their bytes stay on the model for hashing and writing back."""
    try:
        return [raw.decode(encoding, errors) for raw in raws], False
    except LookupError:
        raise FormatError(f"unknown text encoding {encoding!r}", reader.path) from None
    except UnicodeDecodeError:
        if errors != "strict":
            raise reader.fail(f"expected {encoding} dictionary words", at=entries_at) from None
    texts = []
    bad = 0
    for raw in raws:
        try:
            texts.append(raw.decode(encoding))
        except UnicodeDecodeError:
            texts.append(raw.decode(encoding, "backslashreplace"))
            bad += 1
    example = next(t for t, r in zip(texts, raws, strict=True) if t.encode(encoding, "ignore") != r)
    warnings.warn(
        f"{reader.path}: {bad} dictionary entries are not valid {encoding}; they are kept with "
        f"\\x escapes (such as {example!r}) and hashed as the bytes in the file, as fastText "
        "does (pass unicode_errors='replace' or 'ignore' to decode them otherwise)",
        UnicodeWarning,
        stacklevel=4,
    )
    return texts, True


def _check_args(reader: FieldReader, args: dict[str, Any], new_format: bool) -> None:
    # A file with the magic number is held to what fastText itself needs (it opens any such
    # file); the sizes are bounded later by the file's size. Without the magic number, only
    # arguments in a plausible range tell an old model from arbitrary bytes.
    checks = (
        ("dim", 0 < args["dim"] <= (1 << 31 if new_format else 1 << 16),
         "at least 1" if new_format else "between 1 and 65536"),
        ("bucket", 0 <= args["bucket"] <= (1 << 31 if new_format else 1 << 30),
         "at least 0" if new_format else "between 0 and 2^30"),
        ("minn", 0 <= args["minn"] <= (1 << 31 if new_format else 1024),
         "at least 0" if new_format else "between 0 and 1024"),
        ("maxn", 0 <= args["maxn"] <= (1 << 31 if new_format else 1024),
         "at least 0" if new_format else "between 0 and 1024"),
        ("model", args["model"] in (1, 2, 3), "1 (cbow), 2 (skipgram) or 3 (supervised)"),
        ("loss", args["loss"] in (1, 2, 3, 4), "1 (hs), 2 (ns), 3 (softmax) or 4 (ova)"),
    )
    for name, ok, expected in checks:
        if not ok:
            hint = "" if new_format else " (no magic number: read as the oldest fastText format)"
            raise reader.fail(
                f"expected the model argument {name!r} {expected}, found {args[name]}{hint}"
            )


def _read_matrix(reader: FieldReader, quantised: bool, what: str) -> np.ndarray:
    if quantised:
        return read_quantised(reader, what)
    rows, cols = reader.unpack("qq", f"the shape of {what}")
    if rows < 0 or cols < 0 or rows * cols > 1 << 40:
        raise reader.fail(f"expected the shape of {what}, found an impossible {rows} x {cols}", at=reader.offset - 16)
    return reader.floats(rows * cols, what).reshape(rows, cols)


def read_fasttext_bin(
    path: PathLike | Input,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    *,
    allow_nonfinite: bool = False,
) -> Vectors:
    """The word vectors of a fastText model, with its subword model for unknown words.

    Each word's vector is what fastText's ``get_word_vector`` gives (its row and its n-gram
    rows averaged); ``vectors["unseen"]`` builds one from n-grams. Labels of supervised
    models, the output matrix and the arguments stay on ``vectors.subwords`` (``.labels``,
    ``.label_counts``, ``.output_matrix``, ``.args``). ``limit`` keeps the first ``limit``
    words in the table; the others still get their full fastText vector through the subword
    model.

    Args:
        path: The ``.bin``/``.ftz`` file, or an already opened :class:`Input`.
        limit: How many words to keep in the table; None keeps them all.
        encoding: The encoding of the words.
        unicode_errors: What to do with undecodable words, as ``bytes.decode``'s ``errors``.
        allow_nonfinite: Accept NaN and infinite values.

    Returns:
        The word vectors, with the subword model on ``vectors.subwords``.

    Raises:
        InvalidParameterError: ``limit`` is not None or an int >= 0.
        FormatError: The file cannot be read, is not a supported fastText model, or holds
            vectors that are not valid (NaN without ``allow_nonfinite``, ...).
    """
    check_param(limit is None or (isinstance(limit, int) and limit >= 0), "limit",
                "read_fasttext_bin", "None or an int >= 0", limit)
    source = as_input(path)
    model = read_fasttext_model(source, encoding, unicode_errors)
    subwords = model.subwords()
    keep = len(model.words) if limit is None else min(limit, len(model.words))
    matrix = subwords.word_vectors(model.words[:keep], raw=model.raw_words[:keep])
    try:
        return Vectors(model.words[:keep], matrix, counts=model.word_counts[:keep],
                       subwords=subwords, allow_nonfinite=allow_nonfinite)
    except DataError as exc:
        raise FormatError(str(exc), source.path) from None
