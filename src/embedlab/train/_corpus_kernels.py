"""numba kernels of corpus preparation: tokenise, count and encode raw UTF-8 bytes in one pass.

``scan_lines`` walks the lines of a byte buffer (split on ``\\n``, as Python's binary file
iteration does), cuts each into tokens exactly as :func:`embedlab.text.tokenize` does (or as
``str.split()`` does, with ``split_only``), interns every token in an open-addressing hash
table of byte strings and appends its id to one flat id stream. Ids are given in order of
first appearance, so ranking words by count with a stable sort breaks ties as
``collections.Counter`` does.

Unicode: every code point of the Basic Multilingual Plane is classified by two tables built
in Python from Python's own ``str.lower``, ``\\w`` and ``\\s`` (see ``_corpus.unicode_tables``).
A line the tables cannot settle is left to Python and reported back (status ``HARD``): a NUL
byte, bytes that are not UTF-8, a code point outside the BMP, or, when tokenising, a code point
whose lower case depends on context or is longer than one character (capital sigma, dotted
capital I). The caller tokenises such a line with the Python tokenizer and feeds the tokens
through ``intern_tokens``: the result is the same, in the same order.

The state lives in arrays the caller owns (``table``); ``sizes`` holds the four counters
``[words, arena bytes, ids, lines]``. Before each line the kernel checks that the arrays have
room for it (``need`` below); when they have not it returns ``ROOM`` with the line's start
and the caller grows them (and calls ``rehash`` when ``slots`` grows).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["absorb", "intern_tokens", "rehash", "scan_lines"]

DONE, ROOM, HARD = 0, 1, 2
# Classes of code points in the ``kinds`` table.
OTHER, ALNUM, APOSTROPHE, SPACE, CONTEXT = 0, 1, 2, 3, 4
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


@njit(cache=True, nogil=True, inline="always")
def _decode(data, p):  # type: ignore[no-untyped-def]
    # A code point of a line already checked by _line_end: 1 to 3 bytes, never 4.
    b0 = np.int64(data[p])
    if b0 < 0x80:
        return b0, p + 1
    if b0 < 0xE0:
        return ((b0 & 0x1F) << 6) | (np.int64(data[p + 1]) & 0x3F), p + 2
    return (((b0 & 0x0F) << 12) | ((np.int64(data[p + 1]) & 0x3F) << 6)
            | (np.int64(data[p + 2]) & 0x3F)), p + 3


@njit(cache=True, nogil=True)
def _line_end(data, p, end, kinds, split_only):  # type: ignore[no-untyped-def]
    """The end of the line starting at ``p`` and whether the kernel can tokenise it."""
    easy = True
    while p < end:
        b0 = data[p]
        if b0 == 10:
            return p, easy
        if b0 == 0:
            easy = False
            p += 1
        elif b0 < 0x80:
            p += 1
        elif 0xC2 <= b0 <= 0xDF and p + 1 < end and (data[p + 1] & 0xC0) == 0x80:
            if not split_only:
                cp, _ = _decode(data, p)
                if kinds[cp] == CONTEXT:
                    easy = False
            p += 2
        elif 0xE0 <= b0 <= 0xEF and p + 2 < end and (data[p + 1] & 0xC0) == 0x80 \
                and (data[p + 2] & 0xC0) == 0x80:
            b1 = data[p + 1]
            if (b0 == 0xE0 and b1 < 0xA0) or (b0 == 0xED and b1 >= 0xA0):
                easy = False  # an overlong form or a surrogate: Python will refuse it
            elif not split_only:
                cp, _ = _decode(data, p)
                if kinds[cp] == CONTEXT:
                    easy = False
            p += 3
        else:
            easy = False  # outside the BMP, or not UTF-8
            p += 1
    return end, easy


@njit(cache=True, nogil=True, inline="always")
def _intern(table_slots, hashes, starts, lengths, counts, arena, sizes, h, length):  # type: ignore[no-untyped-def]
    # The token's bytes lie at arena[sizes[1]:sizes[1] + length]; keep them if the word is new.
    mask = table_slots.shape[0] - 1
    slot = np.int64(h & np.uint64(mask))
    fresh = sizes[1]
    while True:
        word = table_slots[slot]
        if word < 0:
            break
        if hashes[word] == h and lengths[word] == length:
            old = starts[word]
            same = True
            for k in range(length):
                if arena[old + k] != arena[fresh + k]:
                    same = False
                    break
            if same:
                counts[word] += 1
                return word
        slot = (slot + 1) & mask
    word = sizes[0]
    table_slots[slot] = word
    hashes[word] = h
    starts[word] = fresh
    lengths[word] = length
    counts[word] = 1
    sizes[0] = word + 1
    sizes[1] = fresh + length
    return word


@njit(cache=True, nogil=True, inline="always")
def _put(arena, at, cp, h):  # type: ignore[no-untyped-def]
    # Append code point ``cp`` as UTF-8 at ``arena[at]``; returns the bytes written and the hash.
    if cp < 0x80:
        arena[at] = cp
        return 1, (h ^ np.uint64(cp)) * _FNV_PRIME
    if cp < 0x800:
        b0 = 0xC0 | (cp >> 6)
        b1 = 0x80 | (cp & 0x3F)
        arena[at] = b0
        arena[at + 1] = b1
        h = (h ^ np.uint64(b0)) * _FNV_PRIME
        return 2, (h ^ np.uint64(b1)) * _FNV_PRIME
    b0 = 0xE0 | (cp >> 12)
    b1 = 0x80 | ((cp >> 6) & 0x3F)
    b2 = 0x80 | (cp & 0x3F)
    arena[at] = b0
    arena[at + 1] = b1
    arena[at + 2] = b2
    h = (h ^ np.uint64(b0)) * _FNV_PRIME
    h = (h ^ np.uint64(b1)) * _FNV_PRIME
    return 3, (h ^ np.uint64(b2)) * _FNV_PRIME


@njit(cache=True, nogil=True)
def _has_room(table_slots, counts, arena, ids, line_ends, sizes, need):  # type: ignore[no-untyped-def]
    return (sizes[0] + need <= counts.shape[0] and 2 * (sizes[0] + need) <= table_slots.shape[0]
            and sizes[1] + 2 * need <= arena.shape[0] and sizes[2] + need <= ids.shape[0]
            and sizes[3] + 1 <= line_ends.shape[0])


@njit(cache=True, nogil=True)
def scan_lines(data, start, end, lower, kinds, split_only, table_slots, hashes, starts, lengths,  # type: ignore[no-untyped-def]
               counts, arena, sizes, ids, line_ends):
    """Tokenise, intern and encode the lines of ``data[start:end]``.

    Returns ``(status, position)``: ``DONE`` with ``end``; ``ROOM`` with the start of a line
    that does not fit in the arrays (grow them by ``need = line bytes + 1``, then call again
    from there); ``HARD`` with the start of a line to tokenise in Python (its end is the next
    ``\\n`` or ``end``), after which the caller calls again past that line.
    """
    p = start
    while p < end:
        line_end, easy = _line_end(data, p, end, kinds, split_only)
        if not easy:
            return HARD, p
        if not _has_room(table_slots, counts, arena, ids, line_ends, sizes, line_end - p + 1):
            return ROOM, p
        n_ids = sizes[2]
        length = 0
        h = _FNV_OFFSET
        q = p
        while q < line_end:
            cp, nxt = _decode(data, q)
            kind = kinds[cp]
            at = sizes[1] + length
            if split_only:
                if kind == SPACE:
                    if length:
                        ids[n_ids] = _intern(table_slots, hashes, starts, lengths, counts, arena, sizes, h, length)
                        n_ids += 1
                        length = 0
                        h = _FNV_OFFSET
                else:
                    for k in range(q, nxt):  # the raw bytes: split() keeps case
                        arena[at + k - q] = data[k]
                        h = (h ^ np.uint64(data[k])) * _FNV_PRIME
                    length += nxt - q
                q = nxt
                continue
            if kind == ALNUM:
                n, h = _put(arena, at, lower[cp], h)
                length += n
                q = nxt
                continue
            if kind == APOSTROPHE and length and nxt < line_end:
                cp2, nxt2 = _decode(data, nxt)
                if kinds[cp2] == ALNUM:  # an apostrophe inside a word
                    n, h = _put(arena, at, cp, h)
                    m, h = _put(arena, at + n, lower[cp2], h)
                    length += n + m
                    q = nxt2
                    continue
            if length:
                ids[n_ids] = _intern(table_slots, hashes, starts, lengths, counts, arena, sizes, h, length)
                n_ids += 1
                length = 0
                h = _FNV_OFFSET
            q = nxt
        if length:
            ids[n_ids] = _intern(table_slots, hashes, starts, lengths, counts, arena, sizes, h, length)
            n_ids += 1
        sizes[2] = n_ids
        line_ends[sizes[3]] = n_ids
        sizes[3] += 1
        p = line_end + 1
    return DONE, end


@njit(cache=True, nogil=True)
def intern_tokens(token_bytes, token_ends, table_slots, hashes, starts, lengths, counts, arena,  # type: ignore[no-untyped-def]
                  sizes, ids, line_ends):
    """Append one line given as tokens (UTF-8, token ``i`` ending at ``token_ends[i]``).

    Returns ``ROOM`` (and changes nothing) when the arrays lack room for ``need = bytes +
    tokens + 1``, else ``DONE``.
    """
    n_tokens = token_ends.shape[0]
    if not _has_room(table_slots, counts, arena, ids, line_ends, sizes, token_bytes.shape[0] + n_tokens + 1):
        return ROOM
    begin = 0
    for t in range(n_tokens):
        stop = token_ends[t]
        h = _FNV_OFFSET
        at = sizes[1]
        for k in range(begin, stop):
            arena[at + k - begin] = token_bytes[k]
            h = (h ^ np.uint64(token_bytes[k])) * _FNV_PRIME
        ids[sizes[2]] = _intern(table_slots, hashes, starts, lengths, counts, arena, sizes, h, stop - begin)
        sizes[2] += 1
        begin = stop
    line_ends[sizes[3]] = sizes[2]
    sizes[3] += 1
    return DONE


@njit(cache=True, nogil=True)
def absorb(src_hashes, src_starts, src_lengths, src_counts, src_arena, n_src, table_slots, hashes,  # type: ignore[no-untyped-def]
           starts, lengths, counts, arena, sizes, mapping):
    """Add the ``n_src`` words of another table (one thread's share of the text, which came
    after this table's) with their counts; ``mapping[w]`` becomes word ``w``'s id here.

    Words new here get ids in the other table's first-seen order, which is the order of first
    appearance in the two shares end to end. Returns ``ROOM`` (nothing changed) when the
    arrays lack room for ``need = max(n_src, bytes of the other arena)``, else ``DONE``.
    """
    need = max(n_src, src_arena.shape[0])
    if not (sizes[0] + need <= counts.shape[0] and 2 * (sizes[0] + need) <= table_slots.shape[0]
            and sizes[1] + 2 * need <= arena.shape[0]):
        return ROOM
    for w in range(n_src):
        at = sizes[1]
        begin = src_starts[w]
        length = src_lengths[w]
        for k in range(length):
            arena[at + k] = src_arena[begin + k]
        word = _intern(table_slots, hashes, starts, lengths, counts, arena, sizes, src_hashes[w], length)
        counts[word] += src_counts[w] - 1
        mapping[w] = word
    return DONE


@njit(cache=True, nogil=True)
def rehash(table_slots, hashes, n_words):  # type: ignore[no-untyped-def]
    """Refill ``table_slots`` (all ``-1``, a power of two long) with words ``0 .. n_words-1``."""
    mask = table_slots.shape[0] - 1
    for word in range(n_words):
        slot = np.int64(hashes[word] & np.uint64(mask))
        while table_slots[slot] >= 0:
            slot = (slot + 1) & mask
        table_slots[slot] = word
