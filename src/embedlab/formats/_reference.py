"""Plain-Python twins of the kernels in ``_kernels.py``: slow, obvious, and the oracle in tests.

They are also the fallback for the rare numbers the fast path declines (``HARD``).
"""

from __future__ import annotations

import numpy as np

from ._kernels import BAD_NUMBER, EMPTY_KEY, OK, TOO_FEW

_SEPARATORS = b" \t"


def parse_number(text: bytes) -> tuple[float, int]:
    """``float(text)`` with the kernel's status codes (no spaces, no underscores allowed)."""
    if not text or b"_" in text or text.strip(_SEPARATORS + b"\r\n") != text:
        return 0.0, BAD_NUMBER
    try:
        return float(text), OK
    except ValueError:
        return 0.0, BAD_NUMBER


def parse_text_row(line: bytes, dim: int) -> tuple[np.ndarray, int, int, int]:
    """One line: (values, key_end, status, bad_field) exactly as ``parse_text_rows`` gives."""
    values = np.zeros(dim, dtype=np.float32)
    line = line.rstrip(b" \t\r")
    fields: list[tuple[int, int]] = []
    end = len(line)
    pos = end
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
        values[j] = np.float32(value)
    return values, pos, OK, 0
