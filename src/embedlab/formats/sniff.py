"""Which format a vector file is in, judged from its bytes (never from its name).

Compressed files (gzip, bz2, xz) are looked into. The rules, in order:

1. a folder: embedlab native (``meta.json`` says so) or projector files (``tensors.tsv``);
2. fastText ``.bin``/``.ftz``: the magic number, or (old files without one) a plausible
   argument block;
3. a ``<count> <dim>`` first line: word2vec, text when numbers follow the first key, binary
   otherwise;
4. a first line of tab-separated numbers: a projector tensor file;
5. a key followed by numbers: GloVe.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

from .._io import PathLike
from ..errors import FormatError
from ._chunks import show
from ._source import Input, as_input

FASTTEXT_MAGIC = 793712314
_HEADER = re.compile(rb"\s*\d+[ \t]+\d+[ \t]*\r?")
_NUMERIC = frozenset(b"0123456789.+-eE \t\r\nnaifNAIFty")


def detect(path: PathLike | Input) -> str:
    """The format of ``path``: one of ``word2vec``, ``word2vec-binary``, ``glove``,
    ``fasttext-bin``, ``native``, ``projector``.

    Args:
        path: A file or folder, or an already opened :class:`Input` (its head is looked at).

    Returns:
        The name of the format.

    Raises:
        FormatError: The file is empty, corrupt, or in no known format; or the folder holds
            neither a native folder nor projector files.
    """
    if isinstance(path, Input):
        return detect_bytes(path.head, path.path)
    target = Path(path)
    if target.is_dir():
        from .native import is_native

        if is_native(target):
            return "native"
        if (target / "tensors.tsv").is_file():
            return "projector"
        raise FormatError(
            "expected an embedlab native folder (meta.json) or projector files (tensors.tsv), "
            "found a folder with neither",
            target,
        )
    source = as_input(target)  # a corrupt gzip/bz2/xz stream is a FormatError here
    source.close()
    return detect_bytes(source.head, target)


def detect_bytes(head: bytes, path: object = None) -> str:
    """The format of a file that starts with ``head`` (64 KiB are plenty).

    Args:
        head: The first bytes of the file.
        path: The file's name, for error messages only.

    Returns:
        The name of the format.

    Raises:
        FormatError: ``head`` is empty or in no known format.
    """
    if not head.strip():
        raise FormatError("the file is empty: expected vectors", path)
    if _is_fasttext(head):
        return "fasttext-bin"
    head = head.removeprefix(b"\xef\xbb\xbf")
    first, newline, rest = head.partition(b"\n")
    if _HEADER.fullmatch(first):  # "12 4" alone is a header promising 12 vectors, not GloVe
        return "word2vec" if _text_follows(first, rest) else "word2vec-binary"
    if b"\x00" in first:
        raise FormatError(
            "expected a vector file, found unrecognised binary data (not word2vec binary, "
            f"fastText .bin or gzip/bz2/xz): {show(first, 16)}",
            path,
        )
    fields = first.strip().split(b"\t")
    if len(fields) > 1 and all(_is_number(f) for f in fields):
        return "projector"
    words = first.split()
    if len(words) >= 2 and _is_number(words[-1]):
        return "glove"
    raise FormatError(
        "expected a vector file (a '<count> <dim>' header, or a word followed by numbers), "
        f"found {show(first)}",
        path, 1,
    )


def _text_follows(first: bytes, rest: bytes) -> bool:
    """After a word2vec header: do numbers follow the first key (text) or raw bytes (binary)?"""
    dim = int(first.split()[1])
    record = rest.lstrip(b"\r\n")
    # The key ends at the first space or tab (word2vec text may separate fields by tabs).
    cut = min((i for i in (record.find(b" "), record.find(b"\t")) if i >= 0), default=len(record))
    line = record[cut + 1 :].split(b"\n", 1)[0][:1024]
    if not all(byte in _NUMERIC for byte in line):
        # Not numbers, but text all the same (a typo in a value): the text reader names the
        # line. Raw float32 bytes are practically never all printable for 4 bytes per value.
        window = record[:4096]
        lines = window.split(b"\n")[:-1]
        shaped = sum(len(line.split()) == dim + 1 for line in lines)
        return (
            bool(lines) and 2 * shaped >= len(lines) and len(window) >= 4 * dim
            and all(byte >= 32 or byte in b"\t\r\n" for byte in window)
        )
    return len(line) == 1024 or len(line.split()) == dim or not rest.strip()


def _is_number(field: bytes) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def _is_fasttext(head: bytes) -> bool:
    try:
        from .fasttext import is_fasttext_bin
    except ImportError:
        if len(head) >= 4 and struct.unpack("<i", head[:4])[0] == FASTTEXT_MAGIC:
            return True
    else:
        if is_fasttext_bin(head):
            return True
    return _old_fasttext_args(head)


def _old_fasttext_args(head: bytes) -> bool:
    """fastText files from before the magic number start straight with the model's arguments:
    twelve int32 (dim, ws, epoch, minCount, neg, wordNgrams, loss, model, bucket, minn, maxn,
    lrUpdateRate) and a float64 sampling threshold. All of them in range is no accident."""
    if len(head) < 56:
        return False
    dim, ws, epoch, min_count, neg, ngrams, loss, model, bucket, minn, maxn, rate = struct.unpack(
        "<12i", head[:48]
    )
    sampling = float(struct.unpack("<d", head[48:56])[0])
    return (
        0 < dim <= 100_000 and 0 < ws <= 1000 and 0 < epoch <= 1_000_000 and min_count >= 0
        and 0 <= neg <= 1000 and 0 < ngrams <= 100 and 1 <= loss <= 4 and 1 <= model <= 3
        and 0 <= bucket <= 1 << 30 and 0 <= minn <= maxn <= 100 and rate > 0
        and 0.0 <= sampling < 1.0
    )
