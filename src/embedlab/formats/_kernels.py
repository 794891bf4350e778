"""numba kernels that turn bytes of vector files into float32 rows.

Text numbers are parsed with the exact fast path of Clinger's algorithm: a decimal with at
most 18 significant digits and a power of ten within 10^±22 is converted with one correctly
rounded float64 operation, then cast to float32 — the same bits as ``np.float32(float(text))``.
Anything else is flagged ``HARD`` and re-parsed by the Python reference (``_reference.py``),
so no number is ever approximated. Every kernel has a plain-Python twin there, and the tests
check that the two agree.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

OK, TOO_FEW, BAD_NUMBER, HARD, EMPTY_KEY = 0, 1, 2, 3, 4

_POW10 = np.array([10.0**i for i in range(23)], dtype=np.float64)
_SPACE, _TAB, _CR = 32, 9, 13


@njit(cache=True, inline="always")
def _is_sep(c: int) -> bool:
    return c in (_SPACE, _TAB)


@njit(cache=True)
def parse_number(buf, start, end, pow10):  # type: ignore[no-untyped-def]
    """Parse ``buf[start:end]`` as a decimal; returns (value, status)."""
    i = start
    negative = False
    if i < end and (buf[i] == 45 or buf[i] == 43):  # '-' '+'
        negative = buf[i] == 45
        i += 1
    if i >= end:
        return 0.0, BAD_NUMBER
    c = buf[i] | 32  # lower-case letters
    if c == 110 or c == 105:  # 'n'an / 'i'nf: rare, leave to the reference parser
        return 0.0, HARD
    mantissa = 0
    digits = 0
    frac = 0
    seen_digit = False
    seen_point = False
    while i < end:
        b = buf[i]
        if 48 <= b <= 57:
            seen_digit = True
            if mantissa == 0 and b == 48:
                if seen_point:
                    frac += 1
            else:
                if digits >= 18:
                    return 0.0, HARD
                mantissa = mantissa * 10 + (b - 48)
                digits += 1
                if seen_point:
                    frac += 1
        elif b == 46 and not seen_point:
            seen_point = True
        else:
            break
        i += 1
    if not seen_digit:
        return 0.0, BAD_NUMBER
    exponent = 0
    if i < end and (buf[i] | 32) == 101:  # 'e'
        i += 1
        exp_negative = False
        if i < end and (buf[i] == 45 or buf[i] == 43):
            exp_negative = buf[i] == 45
            i += 1
        if i >= end:
            return 0.0, BAD_NUMBER
        while i < end:
            b = buf[i]
            if not 48 <= b <= 57:
                return 0.0, BAD_NUMBER
            if exponent < 100000:
                exponent = exponent * 10 + (b - 48)
            i += 1
        if exp_negative:
            exponent = -exponent
    if i != end:
        return 0.0, BAD_NUMBER
    if mantissa == 0:
        return -0.0 if negative else 0.0, OK
    power = exponent - frac
    if power > 22 or power < -22 or mantissa > 9007199254740992:
        return 0.0, HARD
    value = float(mantissa)
    value = value * pow10[power] if power >= 0 else value / pow10[-power]
    return -value if negative else value, OK


@njit(cache=True, parallel=True)
def parse_text_rows(buf, starts, ends, dim, out, key_ends, status, bad_field):  # type: ignore[no-untyped-def]
    """Parse lines ``buf[starts[i]:ends[i]]`` whose last ``dim`` fields are numbers.

    Writes the numbers to ``out[i]``, the end of the key to ``key_ends[i]``, and a status per
    line (``bad_field[i]`` names the failing field, counted from 0, where it applies).
    """
    pow10 = _POW10
    for i in prange(starts.shape[0]):
        s = starts[i]
        e = ends[i]
        while e > s and (_is_sep(buf[e - 1]) or buf[e - 1] == _CR):
            e -= 1
        # Walk back over `dim` fields: the key is whatever stands before them.
        p = e
        found = 0
        first = e
        while found < dim and p > s:
            q = p
            while q > s and not _is_sep(buf[q - 1]):
                q -= 1
            first = q
            found += 1
            while q > s and _is_sep(buf[q - 1]):
                q -= 1
            p = q
        key_ends[i] = p
        if found < dim:
            status[i] = TOO_FEW
            bad_field[i] = found
            continue
        if p == s:
            status[i] = EMPTY_KEY
            continue
        status[i] = OK
        pos = first
        for j in range(dim):
            while pos < e and _is_sep(buf[pos]):
                pos += 1
            field_end = pos
            while field_end < e and not _is_sep(buf[field_end]):
                field_end += 1
            value, code = parse_number(buf, pos, field_end, pow10)
            if code != OK:
                status[i] = code
                bad_field[i] = j
                break
            out[i, j] = value
            pos = field_end


@njit(cache=True)
def scan_binary_records(buf, start, dim, max_records, key_starts, key_ends, offsets):  # type: ignore[no-untyped-def]
    """Find word2vec binary records (``word`` ``' '`` ``dim`` float32) in ``buf[start:]``.

    Leading newlines before a word are skipped (files are written with or without them).
    Returns how many complete records were found and the offset just past the last one.
    """
    n = 0
    pos = start
    size = buf.shape[0]
    width = 4 * dim
    while n < max_records:
        p = pos
        while p < size and (buf[p] == 10 or buf[p] == 13):
            p += 1
        k = p
        while k < size and buf[k] != _SPACE:
            k += 1
        if k >= size or k + 1 + width > size:
            break
        key_starts[n] = p
        key_ends[n] = k
        offsets[n] = k + 1
        pos = k + 1 + width
        n += 1
    return n, pos
