"""The corpus scanner of ``_corpus_kernels.c`` in plain Python: the same names, positional
parameters, state arrays and errors, with the tokens cut by :func:`embedlab.text.tokenize` (or
``str.split``) itself.

This is the definition the kernels are tested against: a line decoded, lower-cased and matched
by the tokenizer's regular expression, every token interned in the same hash table. The checks
of the arguments are the C module's, with its messages, so that either module can stand in for
the other.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..text import tokenize

__all__ = ["DONE", "HARD", "ROOM", "absorb", "intern_tokens", "rehash", "scan_lines"]

DONE, ROOM, HARD = 0, 1, 2
CONTEXT = 4
_BMP = 0x10000
_MASK = (1 << 64) - 1
_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_TABLE = ("table_slots", "hashes", "starts", "lengths", "counts", "arena", "sizes", "ids",
          "line_ends")
_ITEM_BYTES = dict(zip(_TABLE, (4, 8, 8, 4, 8, 1, 8, 4, 8), strict=True))


def _fnv(data: bytes) -> int:
    h = _FNV_OFFSET
    for byte in data:
        h = ((h ^ byte) * _FNV_PRIME) & _MASK
    return h


def _take(array: Any, item_bytes: int, name: str) -> None:
    if np.asarray(array).itemsize != item_bytes:
        raise ValueError(f"{name}: expected items of {item_bytes} bytes")


def _check_table(arrays: dict[str, np.ndarray]) -> None:
    """The C module's ``take_table``: item sizes, a power-of-two slot table, counters in range."""
    for name, array in arrays.items():
        _take(array, _ITEM_BYTES[name], name)
    n_slots = len(arrays["table_slots"])
    if n_slots < 1 or n_slots & (n_slots - 1):
        raise ValueError("table_slots must be a power of two long")
    sizes = arrays["sizes"]
    if len(sizes) != 4:
        raise ValueError("sizes must hold 4 counters")
    word_room = min(len(arrays[n]) for n in ("hashes", "starts", "lengths", "counts"))
    words, used, n_ids, lines = (int(v) for v in sizes)
    if (not 0 <= words <= word_room or words >= n_slots or not 0 <= used <= len(arrays["arena"])
            or n_ids < 0 or ("ids" in arrays and n_ids > len(arrays["ids"]))
            or lines < 0 or ("line_ends" in arrays and lines > len(arrays["line_ends"]))):
        raise ValueError("sizes is out of range for the arrays given")


def _has_room(table_slots: np.ndarray, counts: np.ndarray, arena: np.ndarray, ids: np.ndarray,
              line_ends: np.ndarray, sizes: np.ndarray, need: int) -> bool:
    words = int(sizes[0])
    return (words + need <= len(counts) and 2 * (words + need) <= len(table_slots)
            and int(sizes[1]) + 3 * need <= len(arena) and int(sizes[2]) + need <= len(ids)
            and int(sizes[3]) + 1 <= len(line_ends))


def _intern(token: bytes, table_slots: np.ndarray, hashes: np.ndarray, starts: np.ndarray,
            lengths: np.ndarray, counts: np.ndarray, arena: np.ndarray, sizes: np.ndarray) -> int:
    h = _fnv(token)
    mask = len(table_slots) - 1
    slot = h & mask
    while table_slots[slot] >= 0:
        word = int(table_slots[slot])
        if word >= int(sizes[0]):
            raise ValueError("table_slots names a word the table does not hold")
        begin = int(starts[word])
        if int(hashes[word]) == h and int(lengths[word]) == len(token):
            if begin < 0 or begin + len(token) > int(sizes[1]):
                raise ValueError("table_slots names a word the table does not hold")
            if bytes(arena[begin:begin + len(token)]) == token:
                counts[word] += 1
                return word
        slot = (slot + 1) & mask
    word, at = int(sizes[0]), int(sizes[1])
    arena[at:at + len(token)] = np.frombuffer(token, dtype=np.uint8)
    table_slots[slot] = word
    hashes[word] = h
    starts[word] = at
    lengths[word] = len(token)
    counts[word] = 1
    sizes[0] = word + 1
    sizes[1] = at + len(token)
    return word


def _append_line(tokens: list[bytes], table_slots: np.ndarray, hashes: np.ndarray,
                 starts: np.ndarray, lengths: np.ndarray, counts: np.ndarray, arena: np.ndarray,
                 sizes: np.ndarray, ids: np.ndarray, line_ends: np.ndarray) -> None:
    for token in tokens:
        ids[sizes[2]] = _intern(token, table_slots, hashes, starts, lengths, counts, arena, sizes)
        sizes[2] += 1
    line_ends[sizes[3]] = sizes[2]
    sizes[3] += 1


def _decodable(raw: bytes, kinds: np.ndarray, split_only: bool) -> str | None:
    if b"\x00" in raw:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(ord(c) >= _BMP or (not split_only and kinds[ord(c)] == CONTEXT) for c in text):
        return None
    return text


def scan_lines(data: np.ndarray, start: int, end: int, lower: np.ndarray, kinds: np.ndarray,
               split_only: bool, table_slots: np.ndarray, hashes: np.ndarray, starts: np.ndarray,
               lengths: np.ndarray, counts: np.ndarray, arena: np.ndarray, sizes: np.ndarray,
               ids: np.ndarray, line_ends: np.ndarray, /) -> tuple[int, int]:
    """Tokenise, intern and encode the lines of ``data[start:end]``; see the C module."""
    _take(data, 1, "data")
    _take(lower, 4, "lower")
    _take(kinds, 1, "kinds")
    table = (table_slots, hashes, starts, lengths, counts, arena, sizes, ids, line_ends)
    _check_table(dict(zip(_TABLE, table, strict=True)))
    if start < 0 or end > len(data) or start > end:
        raise ValueError("start:end is out of range for data")
    if len(lower) < _BMP or len(kinds) < _BMP:
        raise ValueError("lower and kinds must cover the 65536 code points of the BMP")
    buffer = bytes(data[:end])
    p = start
    while p < end:
        newline = buffer.find(b"\n", p, end)
        line_end = end if newline < 0 else newline
        text = _decodable(buffer[p:line_end], kinds, split_only)
        if text is None:
            return HARD, p
        if not _has_room(table_slots, counts, arena, ids, line_ends, sizes, line_end - p + 1):
            return ROOM, p
        tokens = text.split() if split_only else tokenize(text)
        _append_line([t.encode("utf-8") for t in tokens], *table)
        p = line_end + 1
    return DONE, end


def intern_tokens(token_bytes: np.ndarray, token_ends: np.ndarray, table_slots: np.ndarray,
                  hashes: np.ndarray, starts: np.ndarray, lengths: np.ndarray, counts: np.ndarray,
                  arena: np.ndarray, sizes: np.ndarray, ids: np.ndarray,
                  line_ends: np.ndarray, /) -> int:
    """Append one line given as tokens; ``ROOM`` (nothing changed) when it does not fit."""
    _take(token_bytes, 1, "token_bytes")
    _take(token_ends, 8, "token_ends")
    table = (table_slots, hashes, starts, lengths, counts, arena, sizes, ids, line_ends)
    _check_table(dict(zip(_TABLE, table, strict=True)))
    bounds = [0, *(int(e) for e in token_ends)]
    if any(b < a for a, b in zip(bounds, bounds[1:], strict=False)) or bounds[-1] > len(token_bytes):
        raise ValueError("token_ends must rise within token_bytes")
    if not _has_room(table_slots, counts, arena, ids, line_ends, sizes,
                     len(token_bytes) + len(token_ends) + 1):
        return ROOM
    raw = bytes(token_bytes)
    tokens = [raw[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    _append_line(tokens, *table)
    return DONE


def absorb(src_hashes: np.ndarray, src_starts: np.ndarray, src_lengths: np.ndarray,
           src_counts: np.ndarray, src_arena: np.ndarray, n_src: int, table_slots: np.ndarray,
           hashes: np.ndarray, starts: np.ndarray, lengths: np.ndarray, counts: np.ndarray,
           arena: np.ndarray, sizes: np.ndarray, mapping: np.ndarray, /) -> int:
    """Add another table's words with their counts; ``mapping[w]`` is word ``w``'s id here."""
    for array, item_bytes, name in ((src_hashes, 8, "src_hashes"), (src_starts, 8, "src_starts"),
                                    (src_lengths, 4, "src_lengths"), (src_counts, 8, "src_counts"),
                                    (src_arena, 1, "src_arena")):
        _take(array, item_bytes, name)
    _check_table(dict(zip(_TABLE, (table_slots, hashes, starts, lengths, counts, arena, sizes),
                          strict=False)))
    _take(mapping, 4, "mapping")
    if not 0 <= n_src <= min(len(src_hashes), len(src_starts), len(src_lengths), len(src_counts),
                             len(mapping)):
        raise ValueError("n_src is out of range for the arrays given")
    for w in range(n_src):
        if src_starts[w] < 0 or src_lengths[w] < 0 or src_starts[w] + src_lengths[w] > len(src_arena):
            raise ValueError("a word of the other table lies outside src_arena")
    need = max(n_src, len(src_arena))
    words = int(sizes[0])
    if not (words + need <= min(len(hashes), len(starts), len(lengths), len(counts))
            and 2 * (words + need) <= len(table_slots) and int(sizes[1]) + 2 * need <= len(arena)):
        return ROOM
    for w in range(n_src):
        begin = int(src_starts[w])
        token = bytes(src_arena[begin:begin + int(src_lengths[w])])
        word = _intern(token, table_slots, hashes, starts, lengths, counts, arena, sizes)
        counts[word] += int(src_counts[w]) - 1
        mapping[w] = word
    return DONE


def rehash(table_slots: np.ndarray, hashes: np.ndarray, n_words: int, /) -> None:
    """Refill ``table_slots`` (all ``-1``, a power of two long) with words ``0 .. n_words-1``."""
    _take(table_slots, 4, "table_slots")
    _take(hashes, 8, "hashes")
    mask = len(table_slots) - 1
    if len(table_slots) < 1 or len(table_slots) & mask:
        raise ValueError("table_slots must be a power of two long")
    if not 0 <= n_words <= len(hashes) or n_words >= len(table_slots):
        raise ValueError("n_words is out of range for the arrays given")
    if np.any(table_slots != -1):
        raise ValueError("table_slots must be all -1")
    for word in range(n_words):
        slot = int(hashes[word]) & mask
        while table_slots[slot] >= 0:
            slot = (slot + 1) & mask
        table_slots[slot] = word
