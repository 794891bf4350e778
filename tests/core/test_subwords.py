"""fastText's subword hashing and averaging: hand-checked oracles, kernel vs reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from embedlab import Vectors
from embedlab.errors import InvalidParameterError, UnknownKeyError
from embedlab.subwords import (
    FastTextSubwords,
    fasttext_hash,
    mean_rows_reference,
    ngram_buckets_batch,
    ngram_buckets_reference,
    ngrams,
)
from kernel_impls import implementations

# Tests that take ``subword`` run on the numba kernels, then on the reference standing in for
# them (the fixture's patch holds for every example hypothesis draws).
subword = implementations("embedlab._subword_kernels")
SHARED_FIXTURE = [HealthCheck.function_scoped_fixture]


def test_hash_is_fnv1a_on_ascii() -> None:
    # Published FNV-1a 32-bit test vectors: fastText's variant equals FNV-1a on ASCII.
    assert fasttext_hash(b"") == 0x811C9DC5
    assert fasttext_hash(b"a") == 0xE40C292C
    assert fasttext_hash(b"foobar") == 0xBF9CF968


def test_hash_sign_extends_high_bytes() -> None:
    # One byte 0xc3: fastText xors 0xffffffc3 (int8 -61 widened), not 0xc3.
    by_hand = ((0x811C9DC5 ^ 0xFFFFFFC3) * 16777619) % 2**32
    assert fasttext_hash(b"\xc3") == by_hand
    assert fasttext_hash(b"\xc3") != ((0x811C9DC5 ^ 0xC3) * 16777619) % 2**32


def test_ngrams_by_hand() -> None:
    assert ngrams("where", 3, 4) == ["<wh", "<whe", "whe", "wher", "her", "here", "ere", "ere>", "re>"]
    # minn=1: single characters count, except "<" and ">" alone.
    assert ngrams("ab", 1, 2) == ["<a", "a", "ab", "b", "b>"]
    # Characters, not bytes: 日 and 本 are three bytes each.
    assert ngrams("日本", 1, 1) == ["日", "本"]
    assert ngrams("日本", 2, 2) == ["<日", "日本", "本>"]
    assert ngrams("</s>", 1, 6) == []  # the end-of-sentence token has no n-grams
    assert ngrams("a", 3, 6) == ["<a>"]
    assert ngrams("abc", 3, 0) == []


def test_buckets_by_hand() -> None:
    assert ngram_buckets_reference("ab", 1, 2, 1000) == [
        fasttext_hash(g.encode()) % 1000 for g in ["<a", "a", "ab", "b", "b>"]
    ]
    assert ngram_buckets_reference("ab", 1, 2, 0) == []
    # Undecodable bytes kept by surrogateescape are hashed as the bytes in the file.
    word = b"caf\xe9".decode("utf-8", "surrogateescape")
    assert ngram_buckets_reference(word, 3, 3, 97) == ngram_buckets_reference(b"caf\xe9", 3, 3, 97)


words_strategy = st.lists(
    st.one_of(
        st.text(min_size=0, max_size=12),
        st.binary(max_size=12),
        st.sampled_from(["</s>", "naïve", "日本語", "a", ""]),
    ),
    max_size=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=SHARED_FIXTURE)
@given(words_strategy, st.integers(0, 4), st.integers(0, 7), st.integers(1, 5000))
def test_kernel_hashes_like_the_reference(subword, words, minn, maxn, bucket) -> None:  # type: ignore[no-untyped-def]
    ids, offsets = ngram_buckets_batch(words, minn, maxn, bucket)
    assert len(offsets) == len(words) + 1
    for i, word in enumerate(words):
        assert ids[offsets[i] : offsets[i + 1]].tolist() == ngram_buckets_reference(word, minn, maxn, bucket)


@settings(max_examples=60, deadline=None, suppress_health_check=SHARED_FIXTURE)
@given(st.lists(st.lists(st.integers(0, 29), max_size=9), min_size=1, max_size=10), st.integers(0, 2**31))
def test_kernel_averages_like_the_reference_bit_for_bit(subword, row_lists, seed) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    matrix = rng.standard_normal((30, 7)).astype(np.float32) * 10
    own = np.array([r[0] if r else -1 for r in row_lists], np.int64)
    grams = [r[1:] for r in row_lists]
    offsets = np.r_[0, np.cumsum([len(g) for g in grams])].astype(np.int64)
    flat = np.array([x for g in grams for x in g], np.int64)
    fast = subword.mean_word_rows(matrix, own, flat, offsets)
    for i, rows in enumerate(row_lists):
        assert fast[i].tobytes() == mean_rows_reference(matrix, rows).tobytes()


def _model(pruneidx=None) -> FastTextSubwords:
    rng = np.random.default_rng(3)
    words = ["</s>", "cat", "dog"]
    bucket = 50
    rows = len(pruneidx) if pruneidx is not None else bucket
    matrix = rng.standard_normal((len(words) + rows, 5)).astype(np.float32)
    return FastTextSubwords(matrix, words, 2, 3, bucket, pruneidx=pruneidx)


def test_word_vectors_average_own_row_and_ngrams(subword) -> None:  # type: ignore[no-untyped-def]
    sub = _model()
    m = sub.input_matrix
    rows = [3 + h for h in ngram_buckets_reference("cat", 2, 3, 50)]
    assert len(rows) == 7  # <c <ca ca cat at at> t>
    by_hand = (m[1] + m[rows].sum(axis=0)) / 8
    np.testing.assert_allclose(sub.vector("cat"), by_hand, rtol=1e-6)
    np.testing.assert_array_equal(sub.rows_of("cat"), [1, *rows])
    np.testing.assert_array_equal(sub.vector("</s>"), m[0])  # no n-grams for </s>
    assert sub.word_vectors().tobytes() == np.stack([sub.vector(w) for w in sub.words]).tobytes()
    oov = sub.vector("cow")
    np.testing.assert_array_equal(oov, mean_rows_reference(m, sub.ngram_ids("cow")))
    rows_b, offsets = sub.ngram_ids_batch(["cow", "cat"])
    np.testing.assert_array_equal(rows_b[offsets[0] : offsets[1]], sub.ngram_ids("cow"))


def test_pruned_buckets_are_dropped_or_remapped() -> None:
    keep = ngram_buckets_reference("cat", 2, 3, 50)[:2]
    sub = _model(pruneidx={keep[0]: 1, keep[1]: 0})
    np.testing.assert_array_equal(sub.ngram_ids("cat"), [3 + 1, 3 + 0])
    assert _model(pruneidx={}).ngram_ids("cat").size == 0  # fastText: pruneidx_size 0 keeps none
    # No row at all: fastText's zero vector (issue 12), and has_vector says so.
    np.testing.assert_array_equal(_model(pruneidx={}).vector("zebra"), np.zeros(5, np.float32))
    assert not _model(pruneidx={}).has_vector("zebra")


def test_vectors_use_the_subword_model_for_unknown_keys() -> None:
    sub = _model()
    vectors = Vectors(sub.words, sub.word_vectors(), subwords=sub)
    np.testing.assert_array_equal(vectors["cow"], sub.vector("cow"))
    words_only = FastTextSubwords(sub.input_matrix[:3], sub.words, 0, 0, 0)
    with pytest.raises(UnknownKeyError):
        Vectors(sub.words, sub.word_vectors(), subwords=words_only)["cow"]


def test_bad_parameters() -> None:
    with pytest.raises(InvalidParameterError, match="'bucket' parameter of FastTextSubwords"):
        FastTextSubwords(np.zeros((3, 2), np.float32), ["a"], 1, 2, -1)
    with pytest.raises(InvalidParameterError, match="word rows \\+ 10 bucket rows"):
        FastTextSubwords(np.zeros((3, 2), np.float32), ["a"], 1, 2, 10)
