"""fastText's product quantisation (``.ftz``): read a quantised matrix and decode it to rows."""

from __future__ import annotations

import numpy as np

from ._fasttext_fields import FieldReader

_KSUB = 256  # centroids per sub-quantiser, fixed in fastText


def read_pq(reader: FieldReader, what: str, dim: int) -> tuple[int, int, int, np.ndarray]:
    """A product quantiser: (nsubq, dsub, lastdsub, centroids)."""
    at = reader.offset
    pq_dim, nsubq, dsub, lastdsub = reader.unpack("4i", f"the product quantiser of {what}")
    consistent = (
        pq_dim == dim and dsub > 0 and 0 < lastdsub <= dsub and nsubq > 0
        and (nsubq - 1) * dsub + lastdsub == dim
    )
    if not consistent:
        raise reader.fail(
            f"expected a product quantiser for {dim} dimensions, found dim {pq_dim}, "
            f"{nsubq} sub-quantisers of {dsub} (last {lastdsub})",
            at=at,
        )
    centroids = reader.floats(dim * _KSUB, f"the centroids of {what}")
    return nsubq, dsub, lastdsub, centroids


def decode_pq(codes: np.ndarray, nsubq: int, dsub: int, lastdsub: int, centroids: np.ndarray) -> np.ndarray:
    """Rows rebuilt from product-quantisation codes (``codes``: rows x nsubq uint8).

    Sub-quantiser ``m`` keeps its 256 centroids one after another from ``m * 256 * dsub``
    (the last one is ``lastdsub`` wide), as fastText's ``ProductQuantizer`` lays them out.

    Args:
        codes: The codes, one row per vector and one uint8 per sub-quantiser.
        nsubq: The number of sub-quantisers.
        dsub: The width of each sub-quantiser but the last.
        lastdsub: The width of the last sub-quantiser.
        centroids: The centroids of all sub-quantisers, one after another.

    Returns:
        The decoded rows, float32, ``rows x ((nsubq - 1) * dsub + lastdsub)``.
    """
    rows = codes.shape[0]
    dim = (nsubq - 1) * dsub + lastdsub
    out = np.empty((rows, dim), dtype=np.float32)
    for m in range(nsubq):
        width = lastdsub if m == nsubq - 1 else dsub
        table = centroids[m * _KSUB * dsub : m * _KSUB * dsub + _KSUB * width].reshape(_KSUB, width)
        out[:, m * dsub : m * dsub + width] = table[codes[:, m]]
    return out


def read_quantised(reader: FieldReader, what: str) -> np.ndarray:
    at = reader.offset
    qnorm, rows, cols, codesize = reader.unpack("?qqi", f"the header of quantised {what}")
    if rows < 0 or cols <= 0 or codesize < 0:
        raise reader.fail(f"expected the shape of quantised {what}, found {rows} x {cols}, {codesize} codes", at=at)
    codes = np.frombuffer(reader.take(codesize, f"the codes of {what}"), dtype=np.uint8)
    nsubq, dsub, lastdsub, centroids = read_pq(reader, what, cols)
    if codesize != rows * nsubq:
        raise reader.fail(
            f"expected {rows} x {nsubq} codes in quantised {what}, found {codesize}", at=at + 17
        )
    # fastText adds ``norm * centroid`` to a word's sum; decoding to that product keeps its bits.
    matrix = decode_pq(codes.reshape(rows, nsubq), nsubq, dsub, lastdsub, centroids)
    if qnorm:
        norm_codes = np.frombuffer(reader.take(rows, f"the norm codes of {what}"), dtype=np.uint8)
        norms = decode_pq(norm_codes.reshape(rows, 1), *read_pq(reader, f"the norms of {what}", 1))
        with np.errstate(all="ignore"):  # damaged files may hold inf/NaN; Vectors rejects them
            matrix *= norms
    return matrix
