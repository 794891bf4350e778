"""The corpus kernels of ``_corpus_kernels`` in plain Python: the same names, signatures and
state arrays, with the tokens cut by :func:`embedlab.text.tokenize` (or ``str.split``) itself.

This is the definition the kernels are tested against: a line decoded, lower-cased and matched
by the tokenizer's regular expression, every token interned in the same hash table.
"""

from __future__ import annotations

import numpy as np

from ..text import tokenize

__all__ = ["absorb", "intern_tokens", "rehash", "scan_lines"]

DONE, ROOM, HARD = 0, 1, 2
CONTEXT = 4
_MASK = (1 << 64) - 1
_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3


def _fnv(data: bytes) -> int:
    h = _FNV_OFFSET
    for byte in data:
        h = ((h ^ byte) * _FNV_PRIME) & _MASK
    return h


def _has_room(table_slots: np.ndarray, counts: np.ndarray, arena: np.ndarray, ids: np.ndarray,
              line_ends: np.ndarray, sizes: np.ndarray, need: int) -> bool:
    words = int(sizes[0])
    return (words + need <= len(counts) and 2 * (words + need) <= len(table_slots)
            and int(sizes[1]) + 2 * need <= len(arena) and int(sizes[2]) + need <= len(ids)
            and int(sizes[3]) + 1 <= len(line_ends))


def _intern(token: bytes, table_slots: np.ndarray, hashes: np.ndarray, starts: np.ndarray,
            lengths: np.ndarray, counts: np.ndarray, arena: np.ndarray, sizes: np.ndarray) -> int:
    h = _fnv(token)
    mask = len(table_slots) - 1
    slot = h & mask
    while table_slots[slot] >= 0:
        word = int(table_slots[slot])
        begin = int(starts[word])
        if int(hashes[word]) == h and bytes(arena[begin:begin + int(lengths[word])]) == token:
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
    if any(ord(c) > 0xFFFF or (not split_only and kinds[ord(c)] == CONTEXT) for c in text):
        return None
    return text


def scan_lines(data: np.ndarray, start: int, end: int, lower: np.ndarray, kinds: np.ndarray,
               split_only: bool, table_slots: np.ndarray, hashes: np.ndarray, starts: np.ndarray,
               lengths: np.ndarray, counts: np.ndarray, arena: np.ndarray, sizes: np.ndarray,
               ids: np.ndarray, line_ends: np.ndarray) -> tuple[int, int]:
    """Tokenise, intern and encode the lines of ``data[start:end]``; see the kernel."""
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
        _append_line([t.encode("utf-8") for t in tokens], table_slots, hashes, starts, lengths,
                     counts, arena, sizes, ids, line_ends)
        p = line_end + 1
    return DONE, end


def intern_tokens(token_bytes: np.ndarray, token_ends: np.ndarray, table_slots: np.ndarray,
                  hashes: np.ndarray, starts: np.ndarray, lengths: np.ndarray, counts: np.ndarray,
                  arena: np.ndarray, sizes: np.ndarray, ids: np.ndarray,
                  line_ends: np.ndarray) -> int:
    """Append one line given as tokens; ``ROOM`` (nothing changed) when it does not fit."""
    if not _has_room(table_slots, counts, arena, ids, line_ends, sizes,
                     len(token_bytes) + len(token_ends) + 1):
        return ROOM
    raw = bytes(token_bytes)
    bounds = [0, *(int(e) for e in token_ends)]
    tokens = [raw[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    _append_line(tokens, table_slots, hashes, starts, lengths, counts, arena, sizes, ids, line_ends)
    return DONE


def absorb(src_hashes: np.ndarray, src_starts: np.ndarray, src_lengths: np.ndarray,
           src_counts: np.ndarray, src_arena: np.ndarray, n_src: int, table_slots: np.ndarray,
           hashes: np.ndarray, starts: np.ndarray, lengths: np.ndarray, counts: np.ndarray,
           arena: np.ndarray, sizes: np.ndarray, mapping: np.ndarray) -> int:
    """Add another table's words with their counts; ``mapping[w]`` is word ``w``'s id here."""
    need = max(n_src, len(src_arena))
    words = int(sizes[0])
    if not (words + need <= len(counts) and 2 * (words + need) <= len(table_slots)
            and int(sizes[1]) + 2 * need <= len(arena)):
        return ROOM
    for w in range(n_src):
        begin = int(src_starts[w])
        token = bytes(src_arena[begin:begin + int(src_lengths[w])])
        word = _intern(token, table_slots, hashes, starts, lengths, counts, arena, sizes)
        counts[word] += int(src_counts[w]) - 1
        mapping[w] = word
    return DONE


def rehash(table_slots: np.ndarray, hashes: np.ndarray, n_words: int) -> None:
    """Refill ``table_slots`` (all ``-1``, a power of two long) with words ``0 .. n_words-1``."""
    mask = len(table_slots) - 1
    for word in range(n_words):
        slot = int(hashes[word]) & mask
        while table_slots[slot] >= 0:
            slot = (slot + 1) & mask
        table_slots[slot] = word
