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

from .._io import PathLike, atomic_write
from ..errors import DataError, FormatError, check_param
from ..subwords import FastTextSubwords
from ..vectors import Vectors
from ._fasttext_fields import FieldReader
from ._source import Input, as_input

MAGIC = 793712314
VERSION = 12
ARG_NAMES = ("dim", "ws", "epoch", "min_count", "neg", "word_ngrams", "loss", "model",
             "bucket", "minn", "maxn", "lr_update_rate")
LOSS_HS, LOSS_NS, LOSS_SOFTMAX, LOSS_OVA = 1, 2, 3, 4
MODEL_CBOW, MODEL_SKIPGRAM, MODEL_SUPERVISED = 1, 2, 3
_KSUB = 256  # centroids per sub-quantiser, fixed in fastText
# What write_fasttext_bin puts in the arguments a Vectors does not know (fastText's defaults
# for skipgram); a model read from a file keeps its own.
_DEFAULT_ARGS: dict[str, Any] = {
    "dim": 100, "ws": 5, "epoch": 5, "min_count": 5, "neg": 5, "word_ngrams": 1,
    "loss": LOSS_NS, "model": MODEL_SKIPGRAM, "bucket": 0, "minn": 0, "maxn": 0,
    "lr_update_rate": 100, "t": 1e-4,
}


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
        return _read_quantised(reader, what)
    rows, cols = reader.unpack("qq", f"the shape of {what}")
    if rows < 0 or cols < 0 or rows * cols > 1 << 40:
        raise reader.fail(f"expected the shape of {what}, found an impossible {rows} x {cols}", at=reader.offset - 16)
    return reader.floats(rows * cols, what).reshape(rows, cols)


def _read_pq(reader: FieldReader, what: str, dim: int) -> tuple[int, int, int, np.ndarray]:
    """A product quantiser: (nsubq, dsub, lastdsub, centroids)."""
    at = reader.offset
    pq_dim, nsubq, dsub, lastdsub = reader.unpack("4i", f"the product quantiser of {what}")
    consistent = (
        pq_dim == dim and dsub > 0 and 0 < lastdsub <= dsub and nsubq > 0
        and (nsubq - 1) * dsub + lastdsub == dim
    )
    if not consistent:
        raise reader.fail(
            f"expected a product quantiser for {dim} dimensions, found dim {pq_dim}, "
            f"{nsubq} sub-quantisers of {dsub} (last {lastdsub})",
            at=at,
        )
    centroids = reader.floats(dim * _KSUB, f"the centroids of {what}")
    return nsubq, dsub, lastdsub, centroids


def decode_pq(codes: np.ndarray, nsubq: int, dsub: int, lastdsub: int, centroids: np.ndarray) -> np.ndarray:
    """Rows rebuilt from product-quantisation codes (``codes``: rows x nsubq uint8).

    Sub-quantiser ``m`` keeps its 256 centroids one after another from ``m * 256 * dsub``
    (the last one is ``lastdsub`` wide), as fastText's ``ProductQuantizer`` lays them out.

    Args:
        codes: The codes, one row per vector and one uint8 per sub-quantiser.
        nsubq: The number of sub-quantisers.
        dsub: The width of each sub-quantiser but the last.
        lastdsub: The width of the last sub-quantiser.
        centroids: The centroids of all sub-quantisers, one after another.

    Returns:
        The decoded rows, float32, ``rows x ((nsubq - 1) * dsub + lastdsub)``.
    """
    rows = codes.shape[0]
    dim = (nsubq - 1) * dsub + lastdsub
    out = np.empty((rows, dim), dtype=np.float32)
    for m in range(nsubq):
        width = lastdsub if m == nsubq - 1 else dsub
        table = centroids[m * _KSUB * dsub : m * _KSUB * dsub + _KSUB * width].reshape(_KSUB, width)
        out[:, m * dsub : m * dsub + width] = table[codes[:, m]]
    return out


def _read_quantised(reader: FieldReader, what: str) -> np.ndarray:
    at = reader.offset
    qnorm, rows, cols, codesize = reader.unpack("?qqi", f"the header of quantised {what}")
    if rows < 0 or cols <= 0 or codesize < 0:
        raise reader.fail(f"expected the shape of quantised {what}, found {rows} x {cols}, {codesize} codes", at=at)
    codes = np.frombuffer(reader.take(codesize, f"the codes of {what}"), dtype=np.uint8)
    nsubq, dsub, lastdsub, centroids = _read_pq(reader, what, cols)
    if codesize != rows * nsubq:
        raise reader.fail(
            f"expected {rows} x {nsubq} codes in quantised {what}, found {codesize}", at=at + 17
        )
    # fastText adds ``norm * centroid`` to a word's sum; decoding to that product keeps its bits.
    matrix = decode_pq(codes.reshape(rows, nsubq), nsubq, dsub, lastdsub, centroids)
    if qnorm:
        norm_codes = np.frombuffer(reader.take(rows, f"the norm codes of {what}"), dtype=np.uint8)
        norms = decode_pq(norm_codes.reshape(rows, 1), *_read_pq(reader, f"the norms of {what}", 1))
        with np.errstate(all="ignore"):  # damaged files may hold inf/NaN; Vectors rejects them
            matrix *= norms
    return matrix


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


def write_fasttext_bin(vectors: Vectors, path: PathLike) -> None:
    """Write a fastText ``.bin`` (version 12) that the official library opens.

    * ``vectors.subwords`` is a :class:`FastTextSubwords` (read from a ``.bin``, or trained):
      the whole model is written — arguments, labels, bucket rows, output matrix — so unknown
      words keep their vectors. Each key's row is chosen so that fastText's average gives
      ``vectors[key]``: the original row when the vector is unchanged, otherwise one solved
      for (``n * vector - sum of n-gram rows``), so ``v.with_matrix(...)`` and ``v.top(n)``
      are written faithfully (keys left out become unknown words with n-gram vectors).
    * Otherwise (plain vectors, or a pruned ``.ftz`` whose buckets fastText only accepts
      quantised) the file holds the words alone: ``bucket=0``, ``minn=maxn=0``. fastText then
      returns the same vectors for the keys and zeros for unknown words.

    Args:
        vectors: The vectors to write.
        path: The file to write.

    Raises:
        DataError: A key holds a NUL byte.
    """
    keys = vectors.keys
    for key in keys:
        if "\x00" in key:
            raise DataError(f"the key {key!r} holds a NUL byte, which a fastText file cannot store")
    source = vectors.subwords if isinstance(vectors.subwords, FastTextSubwords) else None
    if source is not None and source.dim != vectors.dim:
        source = None  # a subword model of another dimension says nothing about these vectors
    whole = source is not None and not (source.pruneidx is not None and source.uses_ngrams)
    if source is not None and not whole:
        warnings.warn(
            "a pruned quantised fastText model cannot be written as a dense .bin; writing the "
            "word vectors alone (unknown words will get no vector)",
            stacklevel=2,
        )
    counts = _counts_for(vectors)
    args = dict(_DEFAULT_ARGS) | (dict(source.args) if source is not None else {})
    args["dim"] = vectors.dim
    labels = source.labels if source is not None else []
    label_counts = source.label_counts if source is not None else []
    supervised = args["model"] == MODEL_SUPERVISED
    output = source.output_matrix if source is not None else None
    ntokens = int(sum(counts))
    version = VERSION
    if source is not None and whole:
        args.update(bucket=source.bucket, minn=source.minn, maxn=source.maxn)
        if source.version is not None:  # written back as read: the same version, and the
            version = source.version  # maxn that version 11 ignores in supervised models
            args["maxn"] = source.args.get("maxn", source.maxn)
        input_parts = [_word_rows(vectors, source), source.input_matrix[source.nwords :]]
        same_vocab = source.words == keys
        if not supervised and not same_vocab:
            output = None  # the output layer belongs to the old vocabulary
        if source.ntokens is not None and same_vocab:
            ntokens = source.ntokens
        if same_vocab and vectors.counts is not None:
            counts = [int(c) for c in vectors.counts]  # as read, even a count of 0
    else:
        # fastText hashes word n-grams modulo bucket: none without buckets.
        args.update(bucket=0, minn=0, maxn=0, word_ngrams=1)
        input_parts = [np.asarray(vectors.matrix, dtype=np.float32)]
    if output is None:  # fastText wants an output layer to load; zeros are harmless for lookups
        rows = len(labels) if supervised else len(keys)
        output = np.zeros((rows, vectors.dim), dtype=np.float32)
    with atomic_write(path) as out:
        out.write(struct.pack("<2i", MAGIC, version))
        out.write(struct.pack("<12i", *(int(args[name]) for name in ARG_NAMES)))
        out.write(struct.pack("<d", float(args["t"])))
        out.write(struct.pack("<3iqq", len(keys) + len(labels), len(keys), len(labels), ntokens, -1))
        raw_words = source.raw_words if source is not None else {}
        raw_labels = source.raw_labels if source is not None else {}
        entries = [_entry(k, raw_words, c, 0) for k, c in zip(keys, counts, strict=True)]
        entries += [_entry(lab, raw_labels, int(c), 1)
                    for lab, c in zip(labels, label_counts, strict=True)]
        out.write(b"".join(entries))
        # Written part by part: the bucket rows (often most of the model) are never copied.
        for parts in (input_parts, [np.asarray(output, dtype=np.float32)]):
            out.write(struct.pack("<?qq", False, sum(len(p) for p in parts), vectors.dim))
            for part in parts:
                np.ascontiguousarray(part, dtype="<f4").tofile(out)


def _entry(text: str, raw: dict[str, bytes], count: int, kind: int) -> bytes:
    """A dictionary entry: the word's bytes as read (invalid UTF-8 kept), NUL, count, type."""
    data = raw[text] if text in raw else text.encode("utf-8", "surrogateescape")
    return data + b"\x00" + struct.pack("<qb", count, kind)


def _counts_for(vectors: Vectors) -> list[int]:
    # fastText builds its negative-sampling table from the counts: keep them positive.
    if vectors.counts is not None:
        return [max(int(c), 1) for c in vectors.counts]
    return [1] * len(vectors)


def _word_rows(vectors: Vectors, sub: FastTextSubwords) -> np.ndarray:
    """A row per key of ``vectors`` such that, with ``sub``'s bucket rows below them,
    fastText's average gives back each key's vector.

    Where the key's original row already gives its vector, that row is kept bit for bit;
    elsewhere (changed vectors, new keys) the row is solved for. The bucket rows do not move
    (only their offset ``nwords`` changes), so everything is computed on ``sub``'s matrix.
    """
    from .._subword_kernels import mean_word_rows

    keys = vectors.keys
    target = np.asarray(vectors.matrix, dtype=np.float32)
    own = np.fromiter((sub.index.get(k, -1) for k in keys), np.int64, len(keys))
    known = own >= 0
    rows = np.zeros((len(keys), sub.dim), dtype=np.float32)
    rows[known] = sub.input_matrix[own[known]]
    gram_rows, offsets = sub.ngram_ids_batch(keys)
    computed = mean_word_rows(sub.input_matrix, own, gram_rows, offsets)
    redo = np.nonzero(~known | np.any(computed != target, axis=1))[0]
    if len(redo):
        counts = np.diff(offsets)[redo]
        picked = np.concatenate([gram_rows[offsets[i] : offsets[i + 1]] for i in redo])
        owner = np.repeat(np.arange(len(redo)), counts)
        sums = np.zeros((len(redo), sub.dim), dtype=np.float64)
        np.add.at(sums, owner, sub.input_matrix[picked].astype(np.float64))
        n = counts[:, None] + 1.0
        solved = (target[redo] * n - sums).astype(np.float32)
        # fastText sums in float32: nudge the solved rows towards the ones its own arithmetic
        # turns into the vector bit for bit, keeping each row's best try (an exact row is
        # not always reachable: the sum's rounding step can exceed the vector's).
        grams = [gram_rows[offsets[i] : offsets[i + 1]] for i in redo]
        want = target[redo].astype(np.float64)
        best, best_error = solved.copy(), np.full(len(redo), np.inf)
        for _ in range(4):
            got = _float32_average(solved, grams, sub.input_matrix).astype(np.float64)
            error = np.abs(got - want).sum(axis=1)
            better = error < best_error
            best[better], best_error[better] = solved[better], error[better]
            if not best_error.any():
                break
            solved = (solved.astype(np.float64) + (want - got) * n).astype(np.float32)
        solved = best
        rows[redo] = solved
    return rows


def _float32_average(own: np.ndarray, grams: list[np.ndarray], matrix: np.ndarray) -> np.ndarray:
    """fastText's average of each word's own row and its n-gram rows, added in order in
    float32 (as ``mean_word_rows`` does), for rows that are not in ``matrix`` yet."""
    total = own.copy()
    lengths = np.array([len(g) for g in grams], np.int64)
    for k in range(int(lengths.max(initial=0))):
        has = np.flatnonzero(lengths > k)
        total[has] += matrix[[int(grams[i][k]) for i in has]]
    scale = (1.0 / (lengths + 1.0)).astype(np.float32)
    averaged: np.ndarray = total * scale[:, None]
    return averaged
