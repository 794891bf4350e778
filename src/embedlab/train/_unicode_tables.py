"""The two tables that let the corpus scanner cut words exactly as :func:`embedlab.text.tokenize`
does, built from Python's own ``str.lower``, ``\\w`` and ``\\s``."""

from __future__ import annotations

import functools
import re

import numpy as np

# The classes of code points in the ``kinds`` table (the C scanner's enum).
OTHER, ALNUM, APOSTROPHE, SPACE, CONTEXT = 0, 1, 2, 3, 4
# Lowered by context (capital sigma) or to two code points (dotted capital I).
_BY_CONTEXT = [0x130, 0x3A3]


@functools.lru_cache(maxsize=1)
def unicode_tables() -> tuple[np.ndarray, np.ndarray]:
    r"""``lower[c]`` and ``kinds[c]`` of every code point ``c`` of the Basic Multilingual Plane.

    ``lower`` is ``str.lower`` (one code point to one, for all but two), ``kinds`` says
    whether the lower-cased code point is a letter or digit (the regular expression's
    ``[^\W_]``), an apostrophe, white space (``str.split``'s), or one whose lower case depends
    on its neighbours or is two code points long (capital sigma, dotted capital I), which the
    scanner leaves to Python.
    """
    codes = np.arange(0x10000, dtype=np.uint32)
    codes[0xD800:0xE000] = 0x20  # surrogates never come out of a UTF-8 decoder
    codes[_BY_CONTEXT] = 0x20
    text = codes.astype("<u4").tobytes().decode("utf-32-le")
    lowered = text.lower()
    lower = np.frombuffer(lowered.encode("utf-32-le"), dtype="<u4").astype(np.int32)
    alnum = np.frombuffer(re.sub(r"[^\W_]", "\x00", lowered).encode("utf-32-le"), dtype="<u4") == 0
    space = np.frombuffer(re.sub(r"\s", "\x00", text).encode("utf-32-le"), dtype="<u4") == 0
    kinds = np.full(0x10000, OTHER, dtype=np.uint8)
    kinds[alnum] = ALNUM
    kinds[space] = SPACE
    kinds[0] = OTHER  # NUL itself (lines holding one go to Python, which refuses them)
    kinds[[0x27, 0x2019]] = APOSTROPHE
    kinds[_BY_CONTEXT] = CONTEXT
    lower[_BY_CONTEXT] = _BY_CONTEXT
    return lower, kinds
