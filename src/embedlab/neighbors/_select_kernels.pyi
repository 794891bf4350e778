# The C kernel of exact top-k (_select_kernels.c): its signature, for type checkers. The plain
# twin _select_reference.py has the same one.
import numpy as np

def fold_block(scores: np.ndarray, queries: int, rows: int, first_row: int,
               scale: np.ndarray | None, best_scores: np.ndarray, best_rows: np.ndarray,
               k: int, /) -> None: ...
def scan_panels(panels: np.ndarray, coarse: np.ndarray | None, margin: float, count: int,
                dim: int, queries: np.ndarray, nq: int, first_row: int, best_scores: np.ndarray,
                best_rows: np.ndarray, k: int, plain: bool, /) -> None: ...
