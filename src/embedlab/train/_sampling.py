"""Tables the word2vec family reads: subsampling, negatives (alias method), Huffman codes, and
the sigmoid/log tables that define its update (shared by ``_w2v_kernels`` and its reference)."""

from __future__ import annotations

import heapq

import numpy as np

# sigmoid(f) and log(1 + exp(-f)) are read from tables over [-MAX_F, MAX_F] (as word2vec reads
# its exp table). Outside the range the sigmoid saturates and log(1 + exp(-f)) is max(-f, 0) to
# within exp(-MAX_F).
MAX_F = 8.0
TABLE_SIZE = 4096
_GRID = -MAX_F + (np.arange(TABLE_SIZE) + 0.5) * (2 * MAX_F / TABLE_SIZE)
SIGMOID_TABLE = (1.0 / (1.0 + np.exp(-_GRID))).astype(np.float32)
NLL_TABLE = np.log1p(np.exp(-_GRID)).astype(np.float32)


def keep_probabilities(counts: np.ndarray, sample: float) -> np.ndarray:
    """Probability of keeping each word under frequent-word subsampling (word2vec's formula).

    ``keep = (sqrt(f / t) + 1) * t / f`` with ``f`` the word's share of the corpus and
    ``t = sample``; 1 when ``sample`` is 0.
    """
    if sample <= 0:
        return np.ones(len(counts), dtype=np.float64)
    threshold = sample * float(counts.sum())
    keep: np.ndarray = np.minimum((np.sqrt(counts / threshold) + 1.0) * threshold / counts, 1.0)
    return keep


def alias_table(counts: np.ndarray, exponent: float) -> tuple[np.ndarray, np.ndarray]:
    """Walker's alias table for drawing word ``i`` with probability ~ ``count_i ** exponent``.

    A draw takes one slot uniformly and keeps it with ``prob[slot]``, else takes
    ``alias[slot]``: O(1) per negative, and the table has one entry per word.
    """
    weights = np.asarray(counts, dtype=np.float64) ** exponent
    n = len(weights)
    scaled = weights * n / weights.sum()
    prob = np.ones(n, dtype=np.float64)
    alias = np.arange(n, dtype=np.int32)
    small = [i for i in range(n) if scaled[i] < 1.0]
    large = [i for i in range(n) if scaled[i] >= 1.0]
    while small and large:
        s, big = small.pop(), large.pop()
        prob[s] = scaled[s]
        alias[s] = big
        scaled[big] -= 1.0 - scaled[s]
        (small if scaled[big] < 1.0 else large).append(big)
    return prob, alias


def huffman_codes(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Huffman tree of word2vec's hierarchical softmax.

    Returns ``points`` (inner-node rows on each word's path, root first), ``codes`` (0/1 branch
    taken at each) and ``lengths``; padded to the longest path. Inner nodes are numbered
    ``0 .. V-2`` (the root is ``V-2``), so the output matrix has ``V - 1`` rows.
    """
    n = len(counts)
    if n == 1:
        return np.zeros((1, 1), np.int32), np.zeros((1, 1), np.int8), np.zeros(1, np.int32)
    heap = [(int(c), i) for i, c in enumerate(counts)]
    heapq.heapify(heap)
    parent = np.zeros(2 * n - 1, dtype=np.int64)
    branch = np.zeros(2 * n - 1, dtype=np.int8)
    next_node = n
    while len(heap) > 1:
        c1, left = heapq.heappop(heap)
        c2, right = heapq.heappop(heap)
        parent[left], branch[left] = next_node, 0
        parent[right], branch[right] = next_node, 1
        heapq.heappush(heap, (c1 + c2, next_node))
        next_node += 1
    root = 2 * n - 2
    paths: list[list[int]] = []
    bits: list[list[int]] = []
    for word in range(n):
        node, path, code = word, [], []
        while node != root:
            code.append(int(branch[node]))
            node = int(parent[node])
            path.append(node - n)
        paths.append(path[::-1])
        bits.append(code[::-1])
    depth = max(len(p) for p in paths)
    points = np.zeros((n, depth), dtype=np.int32)
    codes = np.zeros((n, depth), dtype=np.int8)
    lengths = np.zeros(n, dtype=np.int32)
    for word, (path, code) in enumerate(zip(paths, bits, strict=True)):
        points[word, : len(path)] = path
        codes[word, : len(code)] = code
        lengths[word] = len(path)
    return points, codes, lengths
