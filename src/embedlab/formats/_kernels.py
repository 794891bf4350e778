"""numba kernels that turn the bytes of vector files into float32 rows.

Text numbers are parsed with the exact fast path of Clinger's algorithm: a decimal with at
most 18 significant digits and a power of ten within 10^±22 is converted with one correctly
rounded float64 operation, then cast to float32: the same bits as ``np.float32(float(text))``.
Anything else is flagged (``HARD``) and re-parsed by the plain-Python twin in
``_kernels_reference.py``, so no number is ever approximated. The tests check that every
kernel here agrees with its twin.

Text is parsed in two tiers. ``parse_text_block`` takes the shape nearly every line has (a
key without spaces, then ``dim`` plain decimals) in one forward pass; the kernels release the
GIL, so the reader parses segments of a block on several threads at once (a thread pool
costs microseconds per task, where numba's parallel launch costs milliseconds on a busy
machine). Lines that do not fit (keys with spaces, nan, long numbers, errors)
are marked ``SLOW`` and re-read by ``parse_text_rows``, which walks back from the line end
and so finds GloVe keys that contain spaces.
"""

from __future__ import annotations

import numpy as np
from numba import njit

OK, TOO_FEW, BAD_NUMBER, HARD, EMPTY_KEY, SLOW, BLANK = 0, 1, 2, 3, 4, 5, 6

_POW10 = np.array([10.0**i for i in range(23)], dtype=np.float64)
_SPACE, _TAB, _CR, _LF = 32, 9, 13, 10


@njit(cache=True, inline="always")
def _is_sep(c: int) -> bool:
    return c == _SPACE or c == _TAB  # noqa: SIM109 - faster in numba than a tuple


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
        b = np.int64(buf[i])
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
            b = np.int64(buf[i])
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


# ------------------------------------------------------------------------ tier 1: the common shape
@njit(cache=True, inline="always")
def _fast_number(buf, p, n, pow10):  # type: ignore[no-untyped-def]
    """A plain decimal at ``buf[p:]`` ending at a separator or line end: (value, ok, end)."""
    negative = False
    c = np.int64(buf[p])
    if c == 45:
        negative = True
        p += 1
    elif c == 43:
        p += 1
    mantissa = 0
    digits = 0
    frac = 0
    seen_digit = False
    seen_point = False
    while p < n:
        c = np.int64(buf[p])
        d = c - 48
        if 0 <= d <= 9:
            seen_digit = True
            if mantissa != 0 or d != 0:
                if digits >= 15:  # every 15-digit mantissa is exact in a float64
                    return 0.0, False, p
                mantissa = mantissa * 10 + d
                digits += 1
            if seen_point:
                frac += 1
        elif c == 46 and not seen_point:
            seen_point = True
        else:
            break
        p += 1
    if not seen_digit:
        return 0.0, False, p
    exponent = 0
    if p < n and (buf[p] | 32) == 101:
        p += 1
        exp_negative = False
        if p < n and (buf[p] == 45 or buf[p] == 43):
            exp_negative = buf[p] == 45
            p += 1
        exp_digits = 0
        while p < n:
            d = np.int64(buf[p]) - 48
            if not 0 <= d <= 9:
                break
            if exponent < 100000:
                exponent = exponent * 10 + d
            exp_digits += 1
            p += 1
        if exp_digits == 0:
            return 0.0, False, p
        if exp_negative:
            exponent = -exponent
    if p < n:
        c = np.int64(buf[p])
        if not (c == _SPACE or c == _TAB or c == _CR or c == _LF):  # noqa: SIM109
            return 0.0, False, p
    if mantissa == 0:
        return (-0.0 if negative else 0.0), True, p
    power = exponent - frac
    if power > 22 or power < -22:
        return 0.0, False, p
    value = float(mantissa)
    value = value * pow10[power] if power >= 0 else value / pow10[-power]
    return (-value if negative else value), True, p


@njit(cache=True, inline="always")
def _fast_line(buf, pos, n, dim, out, row, pow10):  # type: ignore[no-untyped-def]
    """Parse the line starting at ``pos``: (status, key_end, line_end)."""
    k = pos
    while k < n:
        c = buf[k]
        if c == _SPACE or c == _TAB or c == _LF or c == _CR:  # noqa: SIM109
            break
        k += 1
    p = k
    status = OK
    if k == pos:  # blank line, or one that starts with whitespace
        while p < n and (_is_sep(buf[p]) or buf[p] == _CR):
            p += 1
        status = BLANK if p >= n or buf[p] == _LF else SLOW
    else:
        for j in range(dim):
            while p < n and _is_sep(buf[p]):
                p += 1
            if p >= n or buf[p] == _LF or buf[p] == _CR:
                status = SLOW
                break
            value, ok, p = _fast_number(buf, p, n, pow10)
            if not ok:
                status = SLOW
                break
            out[row, j] = value
        if status == OK:
            while p < n and (_is_sep(buf[p]) or buf[p] == _CR):
                p += 1
            if p < n and buf[p] != _LF:
                status = SLOW
    while p < n and buf[p] != _LF:
        p += 1
    return status, k, p


@njit(cache=True, nogil=True)
def segment_bounds(buf, n, segments):  # type: ignore[no-untyped-def]
    """Cut ``buf[:n]`` (whole lines) into about ``segments`` pieces, each starting a line."""
    bounds = np.empty(segments + 1, np.int64)
    bounds[0] = 0
    for t in range(1, segments):
        p = max(bounds[t - 1], (n * t) // segments)
        while p < n and buf[p - 1] != _LF:
            p += 1
        bounds[t] = p
    bounds[segments] = n
    return bounds


_LO = np.uint64(0x0101010101010101)
_LOW7 = np.uint64(0x7F7F7F7F7F7F7F7F)
_NEWLINES = np.uint64(0x0A0A0A0A0A0A0A0A)


@njit(cache=True, inline="always")
def _newlines_in_word(word):  # type: ignore[no-untyped-def]
    """How many of the 8 bytes of ``word`` are newlines (exact SWAR zero-byte test)."""
    x = word ^ _NEWLINES
    zero = ~(((x & _LOW7) + _LOW7) | x | _LOW7)  # 0x80 in each byte that was a newline
    return np.int64(((zero >> np.uint64(7)) * _LO) >> np.uint64(56))


@njit(cache=True, nogil=True)
def count_newlines(buf, words, a, b):  # type: ignore[no-untyped-def]
    """Newlines in ``buf[a:b]``; ``words`` is ``buf`` seen as uint64 (8 bytes at a time)."""
    total = 0
    i = a
    while i < b and i % 8:
        total += buf[i] == _LF
        i += 1
    last_word = min(b // 8, words.shape[0])
    for w in range(i // 8, last_word):
        total += _newlines_in_word(words[w])
    for j in range(max(i, last_word * 8), b):
        total += buf[j] == _LF
    return total


@njit(cache=True, nogil=True)
def parse_text_segment(  # type: ignore[no-untyped-def]
    buf, start, end, first, dim, out, row0, line_starts, line_ends, key_ends, status
):
    """Parse the lines of ``buf[start:end]`` (whole lines, each ending with a newline).

    The segment's first line is line ``first`` of its block; line ``i`` of the block goes to
    ``out[row0 + i]``, and its start, end, end of the key and status to ``line_starts[i]`` ...
    ``status[i]``. Segments of one block can be parsed at the same time (no GIL).
    """
    pow10 = _POW10
    pos = start
    i = first
    while pos < end:
        code, key_end, line_end = _fast_line(buf, pos, end, dim, out, row0 + i, pow10)
        line_starts[i] = pos
        line_ends[i] = line_end
        key_ends[i] = key_end
        status[i] = code
        pos = line_end + 1
        i += 1


# ------------------------------------------------------------------------ tier 2: anything else
@njit(cache=True, nogil=True)
def parse_text_rows(buf, starts, ends, dim, out, key_ends, status, bad_field):  # type: ignore[no-untyped-def]
    """Parse lines ``buf[starts[i]:ends[i]]`` whose last ``dim`` fields are numbers.

    Writes the numbers to ``out[i]``, the end of the key to ``key_ends[i]``, and a status per
    line (``bad_field[i]`` names the failing field, counted from 0, where it applies).
    """
    pow10 = _POW10
    for i in range(starts.shape[0]):
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


# ------------------------------------------------------------------------ keys and checks
@njit(cache=True, nogil=True)
def gather_keys(buf, starts, ends):  # type: ignore[no-untyped-def]
    """``b"\\n".join(buf[starts[i]:ends[i]])`` as one array, to decode all keys in one call."""
    total = 0
    for i in range(starts.shape[0]):
        total += ends[i] - starts[i] + 1
    blob = np.empty(max(total - 1, 0), np.uint8)
    q = 0
    for i in range(starts.shape[0]):
        if i:
            blob[q] = _LF
            q += 1
        for p in range(starts[i], ends[i]):
            blob[q] = buf[p]
            q += 1
    return blob


@njit(cache=True, nogil=True)
def nonfinite_rows(matrix):  # type: ignore[no-untyped-def]
    """A flag per row: does it hold NaN or an infinity? (no temporary the size of the matrix)"""
    flags = np.zeros(matrix.shape[0], np.bool_)
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            x = matrix[i, j]
            if x - x != 0:  # NaN - NaN and inf - inf are NaN
                flags[i] = True
                break
    return flags


@njit(cache=True, nogil=True)
def scan_binary_records(buf, start, end, dim, max_records, key_starts, key_ends, offsets):  # type: ignore[no-untyped-def]
    """Find word2vec binary records (``word`` ``' '`` ``dim`` float32) in ``buf[start:end]``.

    Newlines before a word are skipped (files are written with or without them). Returns how
    many complete records were found and the offset just past the last one.
    """
    n = 0
    pos = start
    width = 4 * dim
    while n < max_records:
        p = pos
        while p < end and (buf[p] == _LF or buf[p] == _CR):
            p += 1
        k = p
        while k < end and buf[k] != _SPACE:
            k += 1
        if k >= end or k + 1 + width > end:
            break
        key_starts[n] = p
        key_ends[n] = k
        offsets[n] = k + 1
        pos = k + 1 + width
        n += 1
    return n, pos


@njit(cache=True, nogil=True)
def copy_records(buf, offsets, width, out_bytes):  # type: ignore[no-untyped-def]
    """Copy ``width`` bytes from each offset into the rows of ``out_bytes``."""
    for i in range(offsets.shape[0]):
        start = offsets[i]
        out_bytes[i, :] = buf[start : start + width]
