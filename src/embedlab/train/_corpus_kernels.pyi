# The corpus scanner in C (_corpus_kernels.c): its signatures, for type checkers.
# _corpus_reference.py declares the same functions in Python; a test checks the three agree.
from typing import Any

DONE: int
ROOM: int
HARD: int

def scan_lines(data: Any, start: int, end: int, lower: Any, kinds: Any, split_only: bool,
               table_slots: Any, hashes: Any, starts: Any, lengths: Any, counts: Any, arena: Any,
               sizes: Any, ids: Any, line_ends: Any, /) -> tuple[int, int]: ...
def intern_tokens(token_bytes: Any, token_ends: Any, table_slots: Any, hashes: Any, starts: Any,
                  lengths: Any, counts: Any, arena: Any, sizes: Any, ids: Any, line_ends: Any,
                  /) -> int: ...
def absorb(src_hashes: Any, src_starts: Any, src_lengths: Any, src_counts: Any, src_arena: Any,
           n_src: int, table_slots: Any, hashes: Any, starts: Any, lengths: Any, counts: Any,
           arena: Any, sizes: Any, mapping: Any, /) -> int: ...
def rehash(table_slots: Any, hashes: Any, n_words: int, /) -> None: ...
