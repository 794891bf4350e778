"""Plain-Python twins of the kernels in ``_kernels.py``: slow, obvious, and the oracle in tests.

``parse_number`` and ``parse_text_row`` are also the fallback for the rare numbers the
kernels decline (``HARD``).
"""

from __future__ import annotations

import numpy as np

from ._kernels import BAD_NUMBER, BLANK, EMPTY_KEY, OK, TOO_FEW

_SEPARATORS = b" \t"


def parse_number(text: bytes) -> tuple[float, int]:
    """``float(text)`` with the kernel's status codes (no spaces, no underscores allowed)."""
    if not text or b"_" in text or text.strip(_SEPARATORS + b"\r\n\x0b\x0c") != text:
        return 0.0, BAD_NUMBER
    try:
        return float(text), OK
    except ValueError:
        return 0.0, BAD_NUMBER


def parse_text_row(line: bytes, dim: int) -> tuple[np.ndarray, int, int, int]:
    """One line: (values, key_end, status, bad_field), as ``parse_text_rows`` gives them.

    The key is everything before the last ``dim`` fields; fields are separated by spaces or
    tabs; a carriage return at the end of the line is ignored.
    """
    values = np.zeros(dim, dtype=np.float32)
    line = line.rstrip(b" \t\r")
    fields: list[tuple[int, int]] = []
    pos = len(line)
    while len(fields) < dim and pos > 0:
        start = pos
        while start > 0 and line[start - 1] not in _SEPARATORS:
            start -= 1
        fields.append((start, pos))
        pos = start
        while pos > 0 and line[pos - 1] in _SEPARATORS:
            pos -= 1
    if len(fields) < dim:
        return values, pos, TOO_FEW, len(fields)
    if pos == 0:
        return values, pos, EMPTY_KEY, 0
    for j, (a, b) in enumerate(reversed(fields)):
        value, code = parse_number(line[a:b])
        if code != OK:
            return values, pos, code, j
        with np.errstate(over="ignore"):  # 1e39 becomes inf, as in numpy; rejected later
            values[j] = np.float32(value)
    return values, pos, OK, 0


def parse_text_block(block: bytes, dim: int) -> list[tuple[int, np.ndarray, int]]:
    """Every line of ``block`` as (status, values, key_end): the meaning of ``parse_text_block``
    for the lines it accepts (``OK``) or skips (``BLANK``)."""
    rows = []
    for line in block.split(b"\n")[:-1] if block.endswith(b"\n") else block.split(b"\n"):
        if not line.strip(b" \t\r"):
            rows.append((BLANK, np.zeros(dim, np.float32), 0))
            continue
        values, key_end, status, _ = parse_text_row(line, dim)
        rows.append((status, values, key_end))
    return rows


def scan_binary_records(data: bytes, dim: int, max_records: int) -> tuple[list[tuple[int, int]], int]:
    """(key start, key end) of each complete word2vec binary record, and where the next begins."""
    found: list[tuple[int, int]] = []
    pos = 0
    width = 4 * dim
    while len(found) < max_records:
        start = pos
        while start < len(data) and data[start] in b"\r\n":
            start += 1
        space = data.find(b" ", start)
        if space < 0 or space + 1 + width > len(data):
            break
        found.append((start, space))
        pos = space + 1 + width
    return found, pos
