"""fastText models: read and written vector for vector against the official library."""

from __future__ import annotations

import contextlib
import gzip
import struct
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import embedlab
from embedlab import EmbedlabError, FormatError, Vectors
from embedlab.formats.fasttext import (
    MAGIC,
    VERSION,
    is_fasttext_bin,
    read_fasttext_bin,
    read_fasttext_model,
    write_fasttext_bin,
)
from embedlab.subwords import FastTextSubwords, ngram_buckets_reference, ngrams

fasttext = pytest.importorskip("fasttext")

# Trained in a fresh interpreter: this fastText build can compute NaN on a second training in
# one process (and fails every supervised training here, see test_trained_supervised_model).
# The .vec file is written as fastText's CLI prints it: the word, then 5 significant digits.
_TRAIN = """
import sys, fasttext
from gensim.test.utils import datapath
model = fasttext.train_unsupervised(datapath("lee_background.cor"), model="skipgram", dim=10,
    minn=3, maxn=6, bucket=2000, epoch=1, thread=1, minCount=3, verbose=0)
model.save_model(sys.argv[1] + ".bin")
with open(sys.argv[1] + ".vec", "w", encoding="utf-8") as out:
    out.write(f"{len(model.words)} {model.get_dimension()}\\n")
    for word in model.words:
        out.write(word + " " + " ".join(f"{x:.5g}" for x in model.get_word_vector(word)) + " \\n")
"""
OOV = ["zzqxunseen", "naïvety", "日本語", "x", "cataclysmically", "</s>x"]


def _train_in_fresh_interpreters(script: str, *args: str, tries: int) -> bool:
    """Run a fastText training script in a new interpreter until one succeeds (this build
    trains once per process and sometimes stops with NaN); False when every try failed."""
    for _ in range(tries):
        if subprocess.run([sys.executable, "-c", script, *args], capture_output=True).returncode == 0:
            return True
    return False


@pytest.fixture(scope="module")
def official(tmp_path_factory):
    stem = tmp_path_factory.mktemp("ft") / "model"
    if not _train_in_fresh_interpreters(_TRAIN, str(stem), tries=5):
        _saved_by_fasttext(stem)
    return stem.with_suffix(".bin")


def _saved_by_fasttext(stem) -> None:
    """Where this fastText build cannot train, a model of the same shape (the Lee corpus's
    words, dim 10, minn 3, maxn 6, bucket 2000, random rows) that the official library loads
    and saves itself, with its .vec printed from ``get_word_vector`` as the CLI prints it."""
    from collections import Counter

    from gensim.test.utils import datapath

    with open(datapath("lee_background.cor"), encoding="utf-8") as corpus:
        counted = Counter(corpus.read().split())
    words = ["</s>"] + [w for w, c in counted.most_common() if c >= 3]
    rng = np.random.default_rng(3)
    args = {"dim": 10, "ws": 5, "epoch": 1, "min_count": 3, "neg": 5, "word_ngrams": 1,
            "loss": 2, "model": 2, "bucket": 2000, "minn": 3, "maxn": 6,
            "lr_update_rate": 100, "t": 1e-4}
    sub = FastTextSubwords(
        rng.uniform(-0.1, 0.1, (len(words) + 2000, 10)).astype(np.float32), words, 3, 6, 2000,
        output_matrix=np.zeros((len(words), 10), np.float32), args=args,
    )
    counts = [max(counted[w], 1) for w in words]
    built = stem.with_suffix(".src.bin")
    write_fasttext_bin(Vectors(words, sub.word_vectors(), counts=counts, subwords=sub), built)
    model = fasttext.load_model(str(built))
    model.save_model(str(stem.with_suffix(".bin")))
    with open(stem.with_suffix(".vec"), "w", encoding="utf-8") as out:
        out.write(f"{len(model.words)} {model.get_dimension()}\n")
        for word in model.words:
            out.write(word + " " + " ".join(f"{x:.5g}" for x in model.get_word_vector(word)) + " \n")


@pytest.fixture(scope="module")
def official_model(official):
    return fasttext.load_model(str(official))


def _supervised(nwords: int = 6, nlabels: int = 3, bucket: int = 1000, dim: int = 8) -> Vectors:
    """A supervised model with subwords, labels and word bigrams, built from random rows."""
    rng = np.random.default_rng(0)
    words = ["</s>", "good", "bad", "film", "naïve", "日本語"] + [f"w{i}" for i in range(nwords - 6)]
    args = {"dim": dim, "ws": 5, "epoch": 5, "min_count": 1, "neg": 5, "word_ngrams": 2,
            "loss": 3, "model": 3, "bucket": bucket, "minn": 2, "maxn": 4,
            "lr_update_rate": 100, "t": 1e-4}
    sub = FastTextSubwords(
        rng.standard_normal((len(words) + bucket, dim)).astype(np.float32), words, 2, 4, bucket,
        labels=[f"__label__{i}" for i in range(nlabels)], label_counts=list(range(nlabels, 0, -1)),
        output_matrix=rng.standard_normal((nlabels, dim)).astype(np.float32), args=args,
    )
    return Vectors(words, sub.word_vectors(), counts=list(range(len(words), 0, -1)), subwords=sub)


# ---------------------------------------------------------------- reading official files
def test_reads_official_model_vector_for_vector(official, official_model) -> None:
    vectors = read_fasttext_bin(official)
    assert vectors.keys == official_model.words
    assert vectors.matrix.tobytes() == np.stack(
        [official_model.get_word_vector(w) for w in official_model.words]
    ).tobytes()
    for word in OOV:
        np.testing.assert_array_equal(vectors[word], official_model.get_word_vector(word))
    sub = vectors.subwords
    assert (sub.minn, sub.maxn, sub.bucket, sub.args["dim"]) == (3, 6, 2000, 10)
    assert vectors.counts.tolist() == official_model.get_words(include_freq=True)[1].tolist()


def test_ngram_ids_match_fastText_get_subwords(official, official_model) -> None:
    sub = read_fasttext_bin(official).subwords
    for word in ["where", "naïve", "日本", "a", official_model.words[10], "zzqxunseen"]:
        grams, ids = official_model.get_subwords(word)
        own = [sub.index[word]] if word in sub.index else []
        assert list(grams) == [word] * len(own) + ngrams(word, 3, 6)
        assert list(ids) == own + sub.ngram_ids(word).tolist()
        assert list(ids) == sub.rows_of(word).tolist()


def test_limit_keeps_the_first_words_but_all_their_subwords(official, official_model) -> None:
    vectors = read_fasttext_bin(official, limit=50)
    assert vectors.keys == official_model.words[:50]
    with pytest.raises(EmbedlabError, match="'limit' parameter of read_fasttext_bin"):
        read_fasttext_bin(official, limit=-1)
    outside = official_model.words[60]
    np.testing.assert_array_equal(vectors[outside], official_model.get_word_vector(outside))


def test_vec_file_agrees_with_our_bin_vectors(official) -> None:
    ours = read_fasttext_bin(official)
    lines = official.with_suffix(".vec").read_text(encoding="utf-8").splitlines()
    assert lines[0] == f"{len(ours)} 10"
    for line in lines[1:]:
        word, *values = line.split()
        # .vec keeps 5 significant digits: agreement to that precision.
        np.testing.assert_allclose(np.array(values, np.float32), ours[word], rtol=1e-4, atol=1e-6)


def test_gzipped_bin_reads_the_same(official, tmp_path) -> None:
    packed = tmp_path / "model.bin.gz"
    packed.write_bytes(gzip.compress(official.read_bytes()))
    assert read_fasttext_bin(packed).matrix.tobytes() == read_fasttext_bin(official).matrix.tobytes()


def test_the_dispatcher_detects_and_loads_fasttext(official) -> None:
    assert is_fasttext_bin(official.read_bytes()[:8])
    assert not is_fasttext_bin(b"10 300\nthe 0.1")
    assert embedlab.formats.detect(official) == "fasttext-bin"
    np.testing.assert_array_equal(embedlab.load(official)["zzqxunseen"], read_fasttext_bin(official)["zzqxunseen"])


def test_oldest_format_without_magic(official, tmp_path) -> None:
    """The pre-2017 layout: no magic/version, no pruneidx_size, no quantisation flags."""
    model = read_fasttext_model(official)
    data = official.read_bytes()[8:]  # drop magic and version
    args_end = 12 * 4 + 8
    dict_head = 3 * 4 + 8
    start = args_end + dict_head
    body = data[:start] + data[start + 8 :]  # drop pruneidx_size
    words_end = start + sum(len(w) + 1 + 9 for w in model.raw_words)
    body = body[:words_end] + body[words_end + 1 :]  # drop the input quant flag
    input_end = words_end + 16 + 4 * model.input_matrix.size
    body = body[:input_end] + body[input_end + 1 :]  # drop the output quant flag
    old = tmp_path / "old.bin"
    old.write_bytes(body)
    vectors = read_fasttext_bin(old)
    assert read_fasttext_model(old).version is None
    assert embedlab.formats.detect(old) == "fasttext-bin"
    assert vectors.matrix.tobytes() == read_fasttext_bin(official).matrix.tobytes()
    np.testing.assert_array_equal(vectors["zzqxunseen"], read_fasttext_bin(official)["zzqxunseen"])


# ---------------------------------------------------------------- writing for fastText
def test_our_bin_opens_in_fasttext_with_the_same_vectors(official, official_model, tmp_path) -> None:
    vectors = read_fasttext_bin(official)
    out = tmp_path / "ours.bin"
    write_fasttext_bin(vectors, out)
    assert out.read_bytes() == official.read_bytes()  # a model read and written back is unchanged
    reopened = fasttext.load_model(str(out))
    assert reopened.words == official_model.words
    for word in official_model.words[:100] + OOV:
        np.testing.assert_array_equal(reopened.get_word_vector(word), official_model.get_word_vector(word))


def test_changed_vectors_are_written_so_fasttext_returns_them(official, official_model, tmp_path) -> None:
    vectors = read_fasttext_bin(official)
    unit = vectors.with_matrix(vectors.unit)
    out = tmp_path / "unit.bin"
    write_fasttext_bin(unit, out)
    reopened = fasttext.load_model(str(out))
    for word in vectors.keys[:300]:
        np.testing.assert_allclose(reopened.get_word_vector(word), unit[word], rtol=1e-5, atol=1e-6)
    for word in OOV:  # the buckets are untouched: unknown words keep their vectors
        np.testing.assert_array_equal(reopened.get_word_vector(word), official_model.get_word_vector(word))
    np.testing.assert_allclose(read_fasttext_bin(out).matrix, unit.matrix, rtol=1e-5, atol=1e-6)


def test_top_n_keeps_the_subwords_of_the_rest(official, official_model, tmp_path) -> None:
    vectors = read_fasttext_bin(official)
    out = tmp_path / "top.bin"
    write_fasttext_bin(vectors.top(100), out)
    reopened = fasttext.load_model(str(out))
    assert reopened.words == official_model.words[:100]
    for word in official_model.words[:100]:
        np.testing.assert_array_equal(reopened.get_word_vector(word), official_model.get_word_vector(word))
    dropped = official_model.words[500]  # now unknown: its n-grams alone
    np.testing.assert_array_equal(reopened.get_word_vector(dropped), read_fasttext_bin(out)[dropped])


def test_plain_vectors_become_a_words_only_model(tmp_path) -> None:
    plain = Vectors(["alpha", "beta", "γάμμα"], np.arange(12, dtype=np.float32).reshape(3, 4), counts=[5, 3, 1])
    out = tmp_path / "plain.bin"
    write_fasttext_bin(plain, out)
    model = fasttext.load_model(str(out))
    assert model.words == plain.keys
    assert model.get_words(include_freq=True)[1].tolist() == [5, 3, 1]
    np.testing.assert_array_equal(model.get_word_vector("γάμμα"), plain["γάμμα"])
    np.testing.assert_array_equal(model.get_word_vector("unseen"), np.zeros(4, np.float32))
    back = read_fasttext_bin(out)
    assert back.matrix.tobytes() == plain.matrix.tobytes()
    assert back.get("unseen") is None  # no n-grams: an unknown word stays unknown
    with pytest.raises(EmbedlabError, match="NUL"):
        write_fasttext_bin(Vectors(["a\x00b"], np.zeros((1, 2))), tmp_path / "nul.bin")


def test_supervised_models_keep_their_labels(tmp_path) -> None:
    vectors = _supervised()
    out = tmp_path / "sup.bin"
    write_fasttext_bin(vectors, out)
    model = fasttext.load_model(str(out))
    assert list(model.labels) == ["__label__0", "__label__1", "__label__2"]
    assert model.get_labels(include_freq=True)[1].tolist() == [3, 2, 1]
    for word in ["good", "naïve", "日本語", "unseen", "日本"]:
        np.testing.assert_array_equal(model.get_word_vector(word), vectors[word])
    best = model.f.predict("good film\n", 1, 0.0, "strict")  # [(probability, label)]
    assert best[0][1].startswith("__label__")
    back = read_fasttext_bin(out)
    assert back.subwords.labels == ["__label__0", "__label__1", "__label__2"]
    assert back.subwords.args["word_ngrams"] == 2
    np.testing.assert_array_equal(back.subwords.output_matrix, vectors.subwords.output_matrix)
    assert out.read_bytes() == (write_fasttext_bin(back, tmp_path / "again.bin"), (tmp_path / "again.bin").read_bytes())[1]


_TRAIN_SUPERVISED = """
import sys, fasttext, numpy as np
model = fasttext.train_supervised(sys.argv[1], dim=8, epoch=2, minn=2, maxn=4, bucket=1000,
                                  thread=1, verbose=0)
if not (np.isfinite(model.get_input_matrix()).all() and np.isfinite(model.get_output_matrix()).all()):
    sys.exit("NaN in the trained model")
model.save_model(sys.argv[2])
"""


def test_trained_supervised_model(tmp_path) -> None:
    corpus = tmp_path / "sup.txt"
    corpus.write_text("".join(
        f"__label__{'ab'[i % 2]} {'good' if i % 2 else 'bad'} film w{i % 7} ç{i % 5}\n" for i in range(400)
    ))
    # This fastText build often stops supervised training with "NaN" or ends with NaN in the
    # matrix, and never trains twice in one process: each try gets a fresh interpreter.
    if not _train_in_fresh_interpreters(_TRAIN_SUPERVISED, str(corpus), str(tmp_path / "s.bin"),
                                        tries=10):
        pytest.skip("this fastText build failed to train a supervised model ten times")
    model = fasttext.load_model(str(tmp_path / "s.bin"))
    vectors = read_fasttext_bin(tmp_path / "s.bin")
    assert vectors.subwords.labels == list(model.labels) == ["__label__a", "__label__b"]
    assert vectors.subwords.label_counts == [200, 200]
    for word in list(model.words) + OOV:
        np.testing.assert_array_equal(vectors[word], model.get_word_vector(word))
    write_fasttext_bin(vectors, tmp_path / "ours.bin")
    assert (tmp_path / "ours.bin").read_bytes() == (tmp_path / "s.bin").read_bytes()
    model.quantize(input=None, qnorm=True, dsub=2, retrain=False)
    model.save_model(str(tmp_path / "s.ftz"))
    quantised = read_fasttext_bin(tmp_path / "s.ftz")
    for word in list(model.words) + OOV:
        np.testing.assert_array_equal(quantised[word], model.get_word_vector(word))


@pytest.mark.parametrize(("cutoff", "qout"), [(0, False), (400, True)])
def test_quantised_ftz_reads_like_fasttext(tmp_path, cutoff, qout) -> None:
    vectors = _supervised(nwords=300, nlabels=300)
    write_fasttext_bin(vectors, tmp_path / "sup.bin")
    model = fasttext.load_model(str(tmp_path / "sup.bin"))
    model.quantize(input=None, qnorm=True, qout=qout, dsub=2, retrain=False, cutoff=cutoff)
    model.save_model(str(tmp_path / "sup.ftz"))
    full = read_fasttext_model(tmp_path / "sup.ftz")
    assert full.quantised and (full.pruneidx is not None) == (cutoff > 0)
    q = read_fasttext_bin(tmp_path / "sup.ftz")
    assert q.keys == list(model.words)
    assert q.matrix.tobytes() == np.stack([model.get_word_vector(w) for w in q.keys]).tobytes()
    for word in OOV:
        built = q.get(word)  # None where every n-gram was pruned (fastText: a zero vector)
        want = model.get_word_vector(word)
        np.testing.assert_array_equal(np.zeros_like(want) if built is None else built, want)
    if cutoff:  # fastText only accepts pruned buckets quantised: we write the words alone
        with pytest.warns(UserWarning, match="pruned"):
            write_fasttext_bin(q, tmp_path / "words.bin")
        again = fasttext.load_model(str(tmp_path / "words.bin"))
        np.testing.assert_array_equal(again.get_word_vector(q.keys[3]), q[q.keys[3]])
    else:
        write_fasttext_bin(q, tmp_path / "dense.bin")
        again = fasttext.load_model(str(tmp_path / "dense.bin"))
        for word in q.keys[:20] + OOV:
            np.testing.assert_array_equal(again.get_word_vector(word), q[word])


def test_quantised_ftz_decoded_by_hand(tmp_path) -> None:
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
    vectors = read_fasttext_bin(path)
    table = centroids.reshape(nsubq, 256, dsub)
    for row, word in enumerate(["red", "blue"]):
        by_hand = np.concatenate([table[m, codes[row, m]] for m in range(nsubq)]) * norm_centroids[norm_codes[row]]
        np.testing.assert_allclose(vectors[word], by_hand, rtol=1e-6)
        np.testing.assert_allclose(fasttext.load_model(str(path)).get_word_vector(word), by_hand, rtol=1e-6)


def test_version_11_supervised_models_have_no_char_ngrams(tmp_path) -> None:
    out = tmp_path / "v12.bin"
    vectors = _supervised()
    write_fasttext_bin(vectors, out)
    v11 = tmp_path / "v11.bin"
    v11.write_bytes(struct.pack("<2i", MAGIC, 11) + out.read_bytes()[8:])
    old = read_fasttext_bin(v11)
    assert old.subwords.maxn == 0
    np.testing.assert_array_equal(old["good"], vectors.subwords.input_matrix[1])
    np.testing.assert_array_equal(fasttext.load_model(str(v11)).get_word_vector("good"), old["good"])


def test_invalid_utf8_words(tmp_path) -> None:
    """fastText stores bytes: a cp1252 word is readable with unicode_errors, hashed as bytes."""
    bucket = 100
    rng = np.random.default_rng(5)
    sub = FastTextSubwords(rng.standard_normal((2 + bucket, 3)).astype(np.float32),
                           ["ok", "caf\udce9"], 2, 3, bucket)  # surrogateescape of b"caf\xe9"
    out = tmp_path / "latin.bin"
    write_fasttext_bin(Vectors(sub.words, sub.word_vectors(), subwords=sub), out)
    assert b"caf\xe9\x00" in out.read_bytes()
    # fastText opens it, so embedlab does by default (issue 12): one warning, escaped key,
    # the file's bytes hashed, and written back byte for byte.
    with pytest.warns(UnicodeWarning, match=r"latin\.bin: 1 dictionary entries are not valid utf-8"):
        escaped = read_fasttext_bin(out)
    assert escaped.keys == ["ok", "caf\\xe9"]
    np.testing.assert_array_equal(escaped["caf\\xe9"], sub.word_vectors()[1])
    np.testing.assert_array_equal(escaped.top(1)["caf\\xe9"], sub.word_vectors()[1])
    again = tmp_path / "again.bin"
    write_fasttext_bin(escaped, again)
    assert again.read_bytes() == out.read_bytes()
    vectors = read_fasttext_bin(out, unicode_errors="replace")
    assert vectors.keys == ["ok", "caf\ufffd"]
    # pybind cannot pass those bytes to fastText; its input matrix says the same thing.
    matrix = fasttext.load_model(str(out)).get_input_matrix()
    rows = [1] + [2 + h for h in ngram_buckets_reference(b"caf\xe9", 2, 3, bucket)]
    np.testing.assert_allclose(vectors["caf\ufffd"], matrix[rows].mean(axis=0), rtol=1e-6)


# ---------------------------------------------------------------- bad input
def test_truncated_files_name_the_byte(official, tmp_path) -> None:
    data = official.read_bytes()
    for cut in (6, 30, 80, 200, len(data) // 2, len(data) - 3):
        path = tmp_path / f"cut{cut}.bin"
        path.write_bytes(data[:cut])
        with pytest.raises(FormatError, match=rf"cut{cut}\.bin: byte \d+: expected .*(truncated|end of the file)"):
            read_fasttext_bin(path)
    longer = tmp_path / "longer.bin"
    longer.write_bytes(data + b"\x00")
    # fastText opens it, ignoring the extra byte, so embedlab does too (issue 12), and says so.
    with pytest.warns(UserWarning, match=rf"byte {len(data)}: more bytes follow the output matrix"):
        read_fasttext_bin(longer)


def test_wrong_version_and_inconsistent_sizes(official, tmp_path) -> None:
    data = official.read_bytes()
    wrong = tmp_path / "v99.bin"
    wrong.write_bytes(struct.pack("<2i", MAGIC, 99) + data[8:])
    with pytest.raises(FormatError, match=r"v99\.bin: byte 4: fastText file version 99 is not supported"):
        read_fasttext_bin(wrong)
    dict_at = 8 + 48 + 8
    nwords = struct.unpack_from("<i", data, dict_at + 4)[0]
    bad = bytearray(data)
    struct.pack_into("<ii", bad, dict_at + 4, nwords - 1, 1)  # one word declared as a label
    (tmp_path / "dict.bin").write_bytes(bytes(bad))
    with pytest.raises(FormatError, match=rf"byte {dict_at}: expected {nwords - 1} words and 1 labels"):
        read_fasttext_bin(tmp_path / "dict.bin")
    bad = bytearray(data)
    struct.pack_into("<i", bad, 8 + 8 * 4, 1999)  # bucket 1999: the matrix has 2000 bucket rows
    (tmp_path / "bucket.bin").write_bytes(bytes(bad))
    with pytest.raises(FormatError, match=rf"expected an input matrix of {nwords + 1999} x 10"):
        read_fasttext_bin(tmp_path / "bucket.bin")
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"hello world, this is not a model at all" * 3)
    with pytest.raises(FormatError, match="expected the model argument 'dim'.*oldest fastText format"):
        read_fasttext_bin(garbage)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_fuzz_reader_random_bytes(tmp_path, data: bytes) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(struct.pack("<2i", MAGIC, VERSION) + data)
    with contextlib.suppress(EmbedlabError):
        read_fasttext_bin(path)
    path.write_bytes(data)
    with contextlib.suppress(EmbedlabError):
        read_fasttext_bin(path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzz_reader_damaged_model(tmp_path, data) -> None:
    """Bytes of a real (small) model overwritten at random places."""
    path = tmp_path / "small.bin"
    if not path.exists():
        write_fasttext_bin(_supervised(bucket=20), path)
    original = path.read_bytes()
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(damaged) - 1))
        damaged[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(damaged)))
    target = tmp_path / "damaged.bin"
    target.write_bytes(bytes(damaged[:cut]) if data.draw(st.booleans()) else bytes(damaged))
    with contextlib.suppress(EmbedlabError):
        read_fasttext_bin(target)


@pytest.mark.parametrize("rows", [1 << 36, 1 << 38, 50_000_000])
def test_compressed_file_claiming_a_huge_matrix(tmp_path, rows) -> None:
    """A gzip stream has no size to check a claim against: the claim must still fail cleanly."""
    head = struct.pack("<2i", MAGIC, VERSION) + struct.pack("<12i", 10, 5, 5, 1, 5, 1, 2, 2, 0, 0, 0, 100)
    head += struct.pack("<d", 1e-4) + struct.pack("<3iqq", 1, 1, 0, 1, -1) + b"a\x00" + struct.pack("<qb", 1, 0)
    head += struct.pack("<?qq", False, rows, 10)
    path = tmp_path / "huge.bin.gz"
    path.write_bytes(gzip.compress(head + bytes(100)))
    with pytest.raises(FormatError, match=r"huge\.bin\.gz: byte \d+: expected"):
        read_fasttext_bin(path)


# ---------------------------------------------------------------- issue 12: a drop-in for fastText
def _unsupervised(minn: int = 3, maxn: int = 5, bucket: int = 300, dim: int = 6) -> Vectors:
    """A skipgram model with subwords and an output layer, built from random rows."""
    rng = np.random.default_rng(7)
    words = ["</s>", "the", "cat", "naïve", "日本語", "film"] + [f"w{i}" for i in range(20)]
    args = {"dim": dim, "ws": 5, "epoch": 5, "min_count": 1, "neg": 5, "word_ngrams": 1,
            "loss": 2, "model": 2, "bucket": bucket, "minn": minn, "maxn": maxn,
            "lr_update_rate": 100, "t": 1e-4}
    sub = FastTextSubwords(
        rng.standard_normal((len(words) + bucket, dim)).astype(np.float32), words, minn, maxn,
        bucket, output_matrix=rng.standard_normal((len(words), dim)).astype(np.float32), args=args,
    )
    return Vectors(words, sub.word_vectors(), counts=list(range(len(words), 0, -1)), subwords=sub)


@pytest.mark.parametrize("version", [10, 11, 12])
@pytest.mark.parametrize("make", [_unsupervised, _supervised])
def test_read_and_written_back_is_byte_identical(tmp_path, version, make) -> None:
    out = tmp_path / "m.bin"
    write_fasttext_bin(make(), out)
    original = struct.pack("<2i", MAGIC, version) + out.read_bytes()[8:]
    out.write_bytes(original)
    fasttext.load_model(str(out))  # the official library opens it
    again = tmp_path / "again.bin"
    write_fasttext_bin(read_fasttext_bin(out), again)
    assert again.read_bytes() == original  # version 11 stays 11, its maxn is kept
    vectors, model = read_fasttext_bin(out), fasttext.load_model(str(out))
    for word in ["good", "cat", "naïve", "unseen", ""]:
        np.testing.assert_array_equal(vectors[word], model.get_word_vector(word))


def test_trailing_bytes_are_ignored_as_fasttext_does(tmp_path) -> None:
    out = tmp_path / "m.bin"
    write_fasttext_bin(_unsupervised(), out)
    out.write_bytes(out.read_bytes() + b"\x00junk")
    model = fasttext.load_model(str(out))
    with pytest.warns(UserWarning, match=r"m\.bin: byte \d+: more bytes follow the output matrix"):
        vectors = read_fasttext_bin(out)
    np.testing.assert_array_equal(vectors["cat"], model.get_word_vector("cat"))


def test_words_without_ngrams_get_fasttexts_zero_vector(tmp_path) -> None:
    out = tmp_path / "m.bin"
    write_fasttext_bin(_unsupervised(minn=3), out)
    model = fasttext.load_model(str(out))
    vectors = read_fasttext_bin(out)
    for word in ["", "a", "</s>x"]:  # "<>" holds no n-gram of 3 to 5 characters
        np.testing.assert_array_equal(vectors[word], model.get_word_vector(word))
    np.testing.assert_array_equal(vectors[""], np.zeros(6, np.float32))
    assert not vectors.has_vector("") and "" not in vectors
    assert vectors.has_vector("zzqxunseen") and "zzqxunseen" not in vectors  # n-grams: yes
    assert vectors.has_vector("cat") and "cat" in vectors


@pytest.mark.parametrize("version", [11, 12])
def test_unknown_words_of_a_supervised_model_behave_as_in_fasttext(tmp_path, version) -> None:
    out = tmp_path / "sup.bin"
    write_fasttext_bin(_supervised(), out)
    out.write_bytes(struct.pack("<2i", MAGIC, version) + out.read_bytes()[8:])
    model = fasttext.load_model(str(out))
    vectors = read_fasttext_bin(out)
    for word in ["", "unseen", "日本", "goodish", "x"]:
        np.testing.assert_array_equal(vectors[word], model.get_word_vector(word))
    if version == 11:  # no character n-grams: every unknown word is the zero vector
        assert not vectors.has_vector("unseen")


def test_supervised_model_with_invalid_utf8_words_opens_by_default(tmp_path) -> None:
    vectors = _supervised()
    out = tmp_path / "sup.bin"
    write_fasttext_bin(vectors, out)
    data = out.read_bytes().replace(b"good\x00", b"g\xf6od\x00").replace(b"film\x00", b"f\xefm\x00")
    out.write_bytes(data)
    model = fasttext.load_model(str(out))
    with pytest.warns(UnicodeWarning, match=r"sup\.bin: 2 dictionary entries are not valid utf-8") as seen:
        loaded = read_fasttext_bin(out)
    assert len(seen) == 1  # warned once, with the count
    assert loaded.keys[1:4] == ["g\\xf6od", "bad", "f\\xefm"]
    matrix = model.get_input_matrix()
    for i, raw in ((1, b"g\xf6od"), (3, b"f\xefm")):  # fastText's average over the file's bytes
        rows = [i] + [len(loaded) + h for h in ngram_buckets_reference(raw, 2, 4, 1000)]
        np.testing.assert_array_equal(loaded.matrix[i], _fasttext_mean(matrix, rows))
    again = tmp_path / "again.bin"
    write_fasttext_bin(loaded, again)
    assert again.read_bytes() == data


def _fasttext_mean(matrix: np.ndarray, rows: list[int]) -> np.ndarray:
    total = np.zeros(matrix.shape[1], np.float32)
    for row in rows:
        total += matrix[row]
    return total * np.float32(1.0 / len(rows))


@pytest.mark.parametrize("take", ["top", "subset"])
def test_top_and_subset_keep_each_words_vector_in_memory_and_on_disk(tmp_path, take) -> None:
    vectors = _unsupervised()
    out = tmp_path / "m.bin"
    write_fasttext_bin(vectors, out)
    full = read_fasttext_bin(out)
    part = full.top(8) if take == "top" else full.subset(["w5", "film", "the", "w19"])
    for word in part.keys:
        np.testing.assert_array_equal(part[word], full[word])
    small = tmp_path / "part.bin"
    write_fasttext_bin(part, small)
    back, model = read_fasttext_bin(small), fasttext.load_model(str(small))
    assert back.keys == part.keys == list(model.words)
    for word in part.keys + ["zzqxunseen", "naïvety"]:
        assert back[word].tobytes() == part[word].tobytes() == model.get_word_vector(word).tobytes()
