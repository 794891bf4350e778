"""Which bytes of a corpus each rank scans: the lines that start in its slice of all the files'
bytes end to end, so the shares, in rank order, are the corpus in order."""

from __future__ import annotations

from pathlib import Path
from typing import IO

_READ = 1 << 25  # bytes read at a time when counting lines (32 MiB)


def shares(files: list[Path], rank: int, ranks: int) -> list[tuple[Path, int, int]]:
    """``(file, first byte, end byte or -1 for the end)`` of what rank ``rank`` reads.

    Compressed files, whose sizes say nothing of their lines, go whole to rank
    ``file number % ranks``.
    """
    if ranks == 1:
        return [(f, 0, -1) for f in files]
    plain = [not compressed(f) for f in files]
    sizes = [f.stat().st_size if p else 0 for f, p in zip(files, plain, strict=True)]
    total = sum(sizes)
    lo, hi = total * rank // ranks, total * (rank + 1) // ranks
    found = []
    base = 0
    for number, (file, is_plain, size) in enumerate(zip(files, plain, sizes, strict=True)):
        if not is_plain:
            if number % ranks == rank:
                found.append((file, 0, -1))
            continue
        begin, stop = max(lo - base, 0), min(hi - base, size)
        if begin < stop:
            found.append((file, begin, stop))
        base += size
    return found


def compressed(path: Path) -> bool:
    """Whether ``path`` starts as a gzip, bzip2 or xz file does."""
    with open(path, "rb") as handle:
        head = handle.read(6)
    return head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ"))


def skip_to(handle: IO[bytes], begin: int) -> None:
    """Move to the first line starting at byte ``begin`` or later."""
    if begin:
        handle.seek(begin - 1)
        handle.readline()  # the rest of a line that started before the share


def lines_before(file: Path, position: int) -> int:
    """How many lines of ``file`` end before byte ``position`` (for an error's line number)."""
    with open(file, "rb") as handle:
        return sum(handle.read(min(_READ, position - done)).count(b"\n")
                   for done in range(0, position, _READ))
