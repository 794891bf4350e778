"""fastText models (``.bin``, quantised ``.ftz``): read, and written so that fastText opens them.

Layout (little-endian, as fastText writes it on every common machine):

* magic ``793712314`` and version ``12`` (int32 each) — absent in the oldest format;
* args: dim, ws, epoch, minCount, neg, wordNgrams, loss, model, bucket, minn, maxn,
  lrUpdateRate (int32 each) and t (float64);
* dictionary: size, nwords, nlabels (int32), ntokens (int64), pruneidx_size (int64, new format
  only), then per entry the word, a NUL, its count (int64) and type (int8: 0 word, 1 label), then
  ``pruneidx_size`` pairs of int32;
* quant flag (new format only) and the input matrix: rows, cols (int64) and float32 values, or a
  product-quantised matrix; then the same for the output matrix.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import IO, Any

import numpy as np

from .._io import PathLike, atomic_write, open_binary
from ..errors import FormatError
from ..subwords import FastTextSubwords
from ..vectors import Vectors

MAGIC = 793712314
VERSION = 12
ARG_NAMES = ("dim", "ws", "epoch", "min_count", "neg", "word_ngrams", "loss", "model",
             "bucket", "minn", "maxn", "lr_update_rate")
LOSS_NS, MODEL_SKIPGRAM = 2, 2


def is_fasttext_bin(head: bytes) -> bool:
    """True for the current format's magic number (the old format has none to recognise)."""
    return len(head) >= 8 and struct.unpack("<2i", head[:8]) == (MAGIC, VERSION) or (
        len(head) >= 4 and struct.unpack("<i", head[:4])[0] == MAGIC
    )


class _Reader:
    """Reads fields and names the byte offset when the file ends too soon."""

    def __init__(self, handle: IO[bytes], path: PathLike) -> None:
        self.handle, self.path, self.offset = handle, path, 0

    def take(self, size: int, what: str) -> bytes:
        data = self.handle.read(size)
        if len(data) != size:
            raise FormatError(
                f"the file ends at byte {self.offset + len(data)} while reading {what} "
                f"({size} bytes expected at byte {self.offset}; is the file truncated?)",
                self.path,
            )
        self.offset += size
        return data

    def unpack(self, fmt: str, what: str) -> tuple[Any, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))

    def word(self, limit: int = 1 << 16) -> bytes:
        chunk = bytearray()
        while True:
            byte = self.handle.read(1)
            if not byte:
                raise FormatError(
                    f"the file ends at byte {self.offset} inside a dictionary word (is it truncated?)",
                    self.path,
                )
            self.offset += 1
            if byte == b"\x00":
                return bytes(chunk)
            chunk += byte
            if len(chunk) > limit:
                raise FormatError(
                    f"a dictionary word longer than {limit} bytes at byte {self.offset}: not a fastText model",
                    self.path,
                )


@dataclass
class FastTextModel:
    """Everything a fastText ``.bin`` holds."""

    args: dict[str, Any]
    words: list[str]
    word_counts: list[int]
    labels: list[str]
    label_counts: list[int]
    ntokens: int
    pruneidx: dict[int, int] | None
    input_matrix: np.ndarray
    output_matrix: np.ndarray | None


def read_fasttext_model(
    path: PathLike, encoding: str = "utf-8", unicode_errors: str = "strict"
) -> FastTextModel:
    with open_binary(path) as handle:
        reader = _Reader(handle, path)
        first = reader.unpack("ii", "the magic number and version")
        new_format = first[0] == MAGIC
        if new_format and not 1 <= first[1] <= VERSION:
            raise FormatError(
                f"fastText file version {first[1]} at byte 4 is not supported (expected 11 or 12)", path
            )
        if new_format:
            values = list(reader.unpack("12i", "the model arguments"))
        else:  # the oldest format starts straight with dim and ws
            values = [first[0], first[1], *reader.unpack("10i", "the model arguments")]
        (t,) = reader.unpack("d", "the sampling threshold")
        args: dict[str, Any] = dict(zip(ARG_NAMES, values, strict=True)) | {"t": t}
        dim = args["dim"]
        if not 0 < dim < 1 << 16 or args["bucket"] < 0 or not 0 <= args["minn"] <= 64 or not 0 <= args["maxn"] <= 64:
            raise FormatError(
                f"implausible model arguments (dim {dim}, bucket {args['bucket']}, minn {args['minn']}, "
                f"maxn {args['maxn']}): not a fastText model, or a damaged one",
                path,
            )
        size, nwords, nlabels = reader.unpack("3i", "the dictionary sizes")
        (ntokens,) = reader.unpack("q", "the token count")
        if size < 0 or nwords < 0 or nlabels < 0 or nwords + nlabels != size:
            raise FormatError(
                f"the dictionary says {size} entries = {nwords} words + {nlabels} labels, which does not add up",
                path,
            )
        pruneidx_size = reader.unpack("q", "the pruned-bucket count")[0] if new_format else -1
        words: list[str] = []
        labels: list[str] = []
        word_counts: list[int] = []
        label_counts: list[int] = []
        for _ in range(size):
            start = reader.offset
            raw = reader.word()
            count, kind = reader.unpack("qb", "a dictionary count and type")
            try:
                text = raw.decode(encoding, unicode_errors)
            except UnicodeDecodeError as exc:
                raise FormatError(
                    f"the dictionary word at byte {start} is not valid {encoding} ({exc.reason}); "
                    "pass unicode_errors='replace' to load it anyway",
                    path,
                ) from None
            if kind == 0:
                words.append(text)
                word_counts.append(count)
            elif kind == 1:
                labels.append(text)
                label_counts.append(count)
            else:
                raise FormatError(f"unknown dictionary entry type {kind} at byte {reader.offset - 1}", path)
        if len(words) != nwords:
            raise FormatError(f"the dictionary holds {len(words)} words, not {nwords} as declared", path)
        pruneidx = None
        if pruneidx_size > 0:
            pairs = reader.unpack(f"{2 * pruneidx_size}i", "the pruned-bucket index")
            pruneidx = dict(zip(pairs[0::2], pairs[1::2], strict=True))
        elif pruneidx_size == 0:
            pruneidx = {}
        input_matrix = _read_matrix(reader, new_format, "the input matrix")
        output_matrix = _read_matrix(reader, new_format, "the output matrix")
        if handle.read(1):
            raise FormatError(f"unexpected bytes after the output matrix, at byte {reader.offset}", path)
    expected_rows = nwords + (len(pruneidx) if pruneidx is not None else args["bucket"])
    if input_matrix.shape != (expected_rows, dim):
        raise FormatError(
            f"the input matrix is {input_matrix.shape[0]} x {input_matrix.shape[1]}, expected "
            f"{expected_rows} x {dim} (words + buckets)",
            path,
        )
    return FastTextModel(args, words, word_counts, labels, label_counts, ntokens, pruneidx,
                         input_matrix, output_matrix)


def _read_matrix(reader: _Reader, new_format: bool, what: str) -> np.ndarray:
    quantised = bool(reader.unpack("?", f"the quantisation flag of {what}")[0]) if new_format else False
    if quantised:
        return _read_quantised(reader, what)
    rows, cols = reader.unpack("qq", f"the shape of {what}")
    if rows < 0 or cols < 0 or rows * cols > 1 << 34:
        raise FormatError(f"{what} claims an impossible shape {rows} x {cols}", reader.path)
    data = reader.take(4 * rows * cols, what)
    return np.frombuffer(data, dtype="<f4").reshape(rows, cols).astype(np.float32)


def _read_pq(reader: _Reader, what: str) -> tuple[int, int, int, int, np.ndarray]:
    dim, nsubq, dsub, lastdsub = reader.unpack("4i", f"the product quantiser of {what}")
    if not (0 < dim < 1 << 16 and 0 < nsubq <= dim and dsub > 0 and lastdsub > 0):
        raise FormatError(f"implausible product quantiser in {what}", reader.path)
    centroids = np.frombuffer(reader.take(4 * dim * 256, f"the centroids of {what}"), dtype="<f4")
    return dim, nsubq, dsub, lastdsub, centroids


def _decode_pq(codes: np.ndarray, pq: tuple[int, int, int, int, np.ndarray], rows: int) -> np.ndarray:
    dim, nsubq, dsub, lastdsub, centroids = pq
    out = np.zeros((rows, dim), dtype=np.float32)
    codes = codes.reshape(rows, nsubq)
    for m in range(nsubq):
        width = lastdsub if m == nsubq - 1 else dsub
        # fastText stores sub-quantiser m's 256 centroids one after another.
        table = centroids[m * 256 * dsub : m * 256 * dsub + 256 * width].reshape(256, width)
        out[:, m * dsub : m * dsub + width] = table[codes[:, m]]
    return out


def _read_quantised(reader: _Reader, what: str) -> np.ndarray:
    (qnorm,) = reader.unpack("?", f"the norm flag of {what}")
    rows, cols = reader.unpack("qq", f"the shape of {what}")
    (codesize,) = reader.unpack("i", f"the code size of {what}")
    if rows < 0 or cols <= 0 or codesize < 0 or codesize > 1 << 32:
        raise FormatError(f"{what} claims an impossible quantised shape", reader.path)
    codes = np.frombuffer(reader.take(codesize, f"the codes of {what}"), dtype=np.uint8)
    pq = _read_pq(reader, what)
    if pq[0] != cols or codesize != rows * pq[1]:
        raise FormatError(f"the quantiser of {what} does not match its shape", reader.path)
    matrix = _decode_pq(codes, pq, rows)
    if qnorm:
        norm_codes = np.frombuffer(reader.take(rows, f"the norm codes of {what}"), dtype=np.uint8)
        npq = _read_pq(reader, f"the norms of {what}")
        norms = _decode_pq(norm_codes, npq, rows)[:, 0]
        matrix *= norms[:, None]
    return matrix


def read_fasttext_bin(
    path: PathLike, limit: int | None = None, encoding: str = "utf-8", unicode_errors: str = "strict"
) -> Vectors:
    """The word vectors of a fastText model, with its subword model for unknown words.

    Each word's vector is what fastText's ``get_word_vector`` gives (its row and its n-gram rows
    averaged). Labels of supervised models, the output matrix and the arguments are kept on
    ``vectors.subwords`` (``.labels``, ``.output_matrix``, ``.args``).
    """
    model = read_fasttext_model(path, encoding, unicode_errors)
    args = model.args
    subwords = FastTextSubwords(
        model.input_matrix, model.words, args["minn"], args["maxn"], args["bucket"],
        pruneidx=model.pruneidx, labels=model.labels, output_matrix=model.output_matrix, args=args,
    )
    matrix = subwords.word_vectors()
    keys, counts = model.words, model.word_counts
    if limit is not None:
        keys, counts, matrix = keys[:limit], counts[:limit], matrix[:limit]
    return Vectors(keys, matrix, counts=counts, subwords=subwords, allow_nonfinite=True)


def write_fasttext_bin(vectors: Vectors, path: PathLike) -> None:
    """Write a fastText ``.bin`` (version 12) that the official library opens.

    When ``vectors`` came from a fastText model (its ``subwords`` is a ``FastTextSubwords``), the
    whole model is written back: arguments, words, labels, n-gram buckets and output matrix, so
    unknown words keep their vectors. Otherwise the file holds the words alone (``bucket=0``,
    ``minn=maxn=0``): fastText returns the same vectors for them and zero for unknown words.
    """
    sub = vectors.subwords
    if isinstance(sub, FastTextSubwords) and sub.words == vectors.keys:
        args = dict(sub.args)
        words, labels = sub.words, sub.labels
        counts = [int(c) for c in (vectors.counts if vectors.counts is not None else [1] * len(words))]
        input_matrix = np.asarray(sub.input_matrix, dtype=np.float32)
        output = sub.output_matrix
        pruneidx = sub.pruneidx
    else:
        args = {"dim": vectors.dim, "ws": 5, "epoch": 5, "min_count": 1, "neg": 5, "word_ngrams": 1,
                "loss": LOSS_NS, "model": MODEL_SKIPGRAM, "bucket": 0, "minn": 0, "maxn": 0,
                "lr_update_rate": 100, "t": 1e-4}
        words, labels = vectors.keys, []
        counts = [max(int(c), 1) for c in vectors.counts] if vectors.counts is not None else [1] * len(words)
        input_matrix = np.asarray(vectors.matrix, dtype=np.float32)
        output = None
        pruneidx = None
    if output is None:  # fastText wants an output matrix; zeros are harmless for lookups
        output = np.zeros((len(labels) or len(words), vectors.dim), dtype=np.float32)
    label_counts = [1] * len(labels)
    with atomic_write(path) as out:
        out.write(struct.pack("<2i", MAGIC, VERSION))
        out.write(struct.pack("<12i", *(int(args[name]) for name in ARG_NAMES)))
        out.write(struct.pack("<d", float(args["t"])))
        out.write(struct.pack("<3i", len(words) + len(labels), len(words), len(labels)))
        out.write(struct.pack("<q", int(sum(counts))))
        out.write(struct.pack("<q", -1 if pruneidx is None else len(pruneidx)))
        for word, count in zip(words, counts, strict=True):
            out.write(word.encode("utf-8") + b"\x00" + struct.pack("<qb", count, 0))
        for label, count in zip(labels, label_counts, strict=True):
            out.write(label.encode("utf-8") + b"\x00" + struct.pack("<qb", count, 1))
        for bucket_id, row in (pruneidx or {}).items():
            out.write(struct.pack("<2i", bucket_id, row))
        for matrix in (input_matrix, output):
            out.write(struct.pack("<?qq", False, *matrix.shape))
            out.write(np.ascontiguousarray(matrix, dtype="<f4").tobytes())
