"""Which bytes of a corpus each rank scans: the lines that start in its stripes of all the files'
bytes end to end.

The bytes are cut into stripes of about ``STRIPE`` bytes, dealt to the ranks in turn (stripe
``b`` to rank ``b % ranks``), the same number to each. Dealt in turn rather than in one slice
per rank, every rank trains on text from all over the corpus at every moment: a corpus kept in
sections (the Brown corpus by genre, a dump by date) cut in halves gives each rank other
topics, the ranks' models drift apart between two averages, and on Brown 2 ranks of negative
sampling lost a third of their WordSim-353 score (0.18 against 0.27 on one process). A corpus
smaller than ``ranks * STRIPE`` bytes is cut in one slice per rank, in rank order."""

from __future__ import annotations

from bisect import bisect_right
from pathlib import Path
from typing import IO

_READ = 1 << 25  # bytes read at a time when counting lines (32 MiB)
STRIPE = 1 << 20  # bytes dealt to one rank at a time (1 MiB: about 170k words of English)


def shares(files: list[Path], rank: int, ranks: int) -> list[tuple[Path, int, int]]:
    """``(file, first byte, end byte or -1 for the end)`` of what rank ``rank`` reads, in corpus
    order.

    Compressed files, whose sizes say nothing of their lines, go whole to rank
    ``file number % ranks``.
    """
    if ranks == 1:
        return [(f, 0, -1) for f in files]
    plain = [not compressed(f) for f in files]
    sizes = [f.stat().st_size if p else 0 for f, p in zip(files, plain, strict=True)]
    total = sum(sizes)
    rounds = max(1, -(-total // (ranks * STRIPE)))  # stripes per rank
    stripes = rounds * ranks
    mine = [(total * b // stripes, total * (b + 1) // stripes) for b in range(rank, stripes, ranks)]
    ends = [hi for _, hi in mine]
    found = []
    base = 0
    for number, (file, is_plain, size) in enumerate(zip(files, plain, sizes, strict=True)):
        if not is_plain:
            if number % ranks == rank:
                found.append((file, 0, -1))
            continue
        stripe = bisect_right(ends, base)  # the first stripe that ends after the file starts
        while stripe < len(mine) and mine[stripe][0] < base + size:
            lo, hi = mine[stripe]
            begin, stop = max(lo - base, 0), min(hi - base, size)
            if begin < stop:
                found.append((file, begin, stop))
            stripe += 1
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
