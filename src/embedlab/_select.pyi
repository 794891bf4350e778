# The C kernel of the exact neighbour search (_select.c): its signature, for type checkers.
from typing import Any

def fold_block(scores: Any, queries: int, rows: int, first_row: int, scale: Any | None,
               best_scores: Any, best_rows: Any, k: int) -> None: ...
