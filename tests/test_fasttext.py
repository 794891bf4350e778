"""fastText models: read and written vector for vector against the official library."""

from __future__ import annotations

import contextlib
import struct
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import embedlab
from embedlab import EmbedlabError, FormatError, Vectors
from embedlab._subword_kernels import mean_rows
from embedlab.formats.fasttext import MAGIC, VERSION, write_fasttext_bin
from embedlab.subwords import FastTextSubwords, fasttext_hash, mean_rows_reference, ngrams

fasttext = pytest.importorskip("fasttext")

# This fastText build computes NaN on its second training in one process, so every model is
# trained in a fresh interpreter (and retried: the failure is not deterministic).
_TRAIN = """
import sys, fasttext
from gensim.test.utils import datapath
model = fasttext.train_unsupervised(datapath("lee_background.cor"), model="skipgram", dim=10,
    minn=3, maxn=6, bucket=2000, epoch=1, thread=1, minCount=3, verbose=0)
model.save_model(sys.argv[1])
"""
OOV = ["zzqxunseen", "naïvety", "日本語", "x", "cataclysmically"]


@pytest.fixture(scope="module")
def official_bin(tmp_path_factory):
    path = tmp_path_factory.mktemp("ft") / "model.bin"
    for _ in range(5):
        if subprocess.run([sys.executable, "-c", _TRAIN, str(path)], capture_output=True).returncode == 0:
            return path
    pytest.skip("the official fastText library could not train a model on this machine")


def test_hash_and_ngrams_match_fasttext(official_bin) -> None:
    model = fasttext.load_model(str(official_bin))
    for word in ["where", "naïve", "日本", "a", model.words[10]]:
        grams, ids = model.get_subwords(word)
        ours = ngrams(word, 3, 6)
        nwords = len(model.words)
        own = [word] if word in model.words else []
        assert list(grams) == own + ours
        want = [nwords + fasttext_hash(g.encode()) % 2000 for g in ours]
        assert list(ids)[len(own):] == want
    # The sign-extension quirk: a byte above 0x7f is xor-ed as a negative int8.
    assert fasttext_hash(b"\xc3") != fasttext_hash(b"\x43")
    assert fasttext_hash(b"") == 2166136261


def test_reads_official_model_vector_for_vector(official_bin) -> None:
    model = fasttext.load_model(str(official_bin))
    vectors = embedlab.load(official_bin)
    assert embedlab.formats.detect(official_bin) == "fasttext-bin"
    assert vectors.keys == model.words
    for word in model.words[:200]:
        np.testing.assert_array_equal(vectors[word], model.get_word_vector(word))
    for word in OOV:
        np.testing.assert_array_equal(vectors[word], model.get_word_vector(word))
    assert vectors.subwords.args["minn"] == 3 and vectors.subwords.args["bucket"] == 2000


def test_our_bin_opens_in_fasttext_with_the_same_vectors(official_bin, tmp_path) -> None:
    vectors = embedlab.load(official_bin)
    out = tmp_path / "ours.bin"
    embedlab.save(vectors, out, format="fasttext-bin")
    original, reopened = fasttext.load_model(str(official_bin)), fasttext.load_model(str(out))
    assert reopened.words == original.words
    for word in original.words[:100] + OOV:
        np.testing.assert_array_equal(reopened.get_word_vector(word), original.get_word_vector(word))
    np.testing.assert_array_equal(embedlab.load(out).matrix, vectors.matrix)


def test_plain_vectors_become_a_words_only_model(tmp_path) -> None:
    plain = Vectors(["alpha", "beta", "γάμμα"], np.arange(12, dtype=np.float32).reshape(3, 4), counts=[5, 3, 1])
    out = tmp_path / "plain.bin"
    embedlab.save(plain, out, format="fasttext-bin")
    model = fasttext.load_model(str(out))
    assert model.words == plain.keys
    np.testing.assert_array_equal(model.get_word_vector("beta"), plain["beta"])
    np.testing.assert_array_equal(model.get_word_vector("unseen"), np.zeros(4, np.float32))
    np.testing.assert_array_equal(embedlab.load(out).matrix, plain.matrix)


def _supervised(tmp_path) -> tuple[Vectors, FastTextSubwords]:
    rng = np.random.default_rng(0)
    words = ["good", "bad", "film", "</s>"]
    bucket = 50
    matrix = rng.standard_normal((len(words) + bucket, 6)).astype(np.float32)
    args = {"dim": 6, "ws": 5, "epoch": 5, "min_count": 1, "neg": 5, "word_ngrams": 1, "loss": 3,
            "model": 3, "bucket": bucket, "minn": 2, "maxn": 3, "lr_update_rate": 100, "t": 1e-4}
    sub = FastTextSubwords(matrix, words, 2, 3, bucket, labels=["__label__pos", "__label__neg"],
                           output_matrix=rng.standard_normal((2, 6)).astype(np.float32), args=args)
    return Vectors(words, sub.word_vectors(), counts=[4, 3, 2, 1], subwords=sub), sub


def test_supervised_models_keep_their_labels(tmp_path) -> None:
    vectors, sub = _supervised(tmp_path)
    out = tmp_path / "sup.bin"
    write_fasttext_bin(vectors, out)
    model = fasttext.load_model(str(out))
    assert list(model.labels) == ["__label__pos", "__label__neg"]
    for word in ["good", "film", "unseen"]:
        np.testing.assert_allclose(model.get_word_vector(word), vectors[word], rtol=1e-6)
    best = model.f.predict("good film\n", 1, 0.0, "strict")  # [(probability, label)]
    assert best[0][1] in ("__label__pos", "__label__neg")
    back = embedlab.load(out)
    assert back.subwords.labels == ["__label__pos", "__label__neg"]
    np.testing.assert_array_equal(back.subwords.output_matrix, sub.output_matrix)


def test_quantised_ftz_decodes_like_fasttext(tmp_path) -> None:
    """A product-quantised model built byte by byte: 2 words, bucket 0, dim 4, dsub 2, norms."""
    rng = np.random.default_rng(1)
    dim, nsubq, dsub = 4, 2, 2
    centroids = rng.standard_normal(dim * 256).astype("<f4")
    codes = np.array([[3, 7], [250, 0]], dtype=np.uint8)
    norm_centroids = np.abs(rng.standard_normal(256)).astype("<f4")
    norm_codes = np.array([5, 9], dtype=np.uint8)
    head = struct.pack("<2i", MAGIC, VERSION) + struct.pack("<12i", dim, 5, 5, 1, 5, 1, 1, 3, 0, 0, 0, 100)
    head += struct.pack("<d", 1e-4) + struct.pack("<3iqq", 3, 2, 1, 10, -1)
    for word, kind in ((b"red", 0), (b"blue", 0), (b"__label__x", 1)):
        head += word + b"\x00" + struct.pack("<qb", 5, kind)
    body = struct.pack("<??qqi", True, True, 2, dim, codes.size) + codes.tobytes()
    body += struct.pack("<4i", dim, nsubq, dsub, dsub) + centroids.tobytes()
    body += norm_codes.tobytes() + struct.pack("<4i", 1, 1, 1, 1) + norm_centroids.tobytes()
    body += struct.pack("<?qq", False, 1, dim) + np.ones(dim, "<f4").tobytes()
    path = tmp_path / "model.ftz"
    path.write_bytes(head + body)
    vectors = embedlab.load(path)
    table = centroids.reshape(nsubq, 256, dsub)
    for row, word in enumerate(["red", "blue"]):
        by_hand = np.concatenate([table[m, codes[row, m]] for m in range(nsubq)]) * norm_centroids[norm_codes[row]]
        np.testing.assert_allclose(vectors[word], by_hand, rtol=1e-6)
        np.testing.assert_allclose(fasttext.load_model(str(path)).get_word_vector(word), by_hand, rtol=1e-6)


def test_kernel_and_reference_average_alike() -> None:
    rng = np.random.default_rng(2)
    matrix = rng.standard_normal((40, 7)).astype(np.float32)
    lists = [np.array([3, 9, 9, 1]), np.array([0]), np.array([39, 2, 5, 7, 11, 13])]
    offsets = np.r_[0, np.cumsum([len(x) for x in lists])].astype(np.int64)
    fast = mean_rows(matrix, np.concatenate(lists).astype(np.int64), offsets)
    for i, rows in enumerate(lists):
        assert fast[i].tobytes() == mean_rows_reference(matrix, rows).tobytes()


def test_truncated_and_foreign_files(official_bin, tmp_path) -> None:
    data = official_bin.read_bytes()
    for cut in (6, 30, 80, 200, len(data) // 2, len(data) - 3):
        path = tmp_path / f"cut{cut}.bin"
        path.write_bytes(data[:cut])
        with pytest.raises(FormatError, match=r"(byte \d+|truncated|ends)"):
            embedlab.load(path, format="fasttext-bin")
    wrong = tmp_path / "v99.bin"
    wrong.write_bytes(struct.pack("<2i", MAGIC, 99) + data[8:])
    with pytest.raises(FormatError, match="version 99 at byte 4 is not supported"):
        embedlab.load(wrong)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_fuzz_reader(tmp_path, data: bytes) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(struct.pack("<2i", MAGIC, VERSION) + data)
    with contextlib.suppress(EmbedlabError):
        embedlab.load(path, format="fasttext-bin")
