"""Word2Vec: kernel vs reference, sampling tables, determinism, learning, errors, resume."""

from __future__ import annotations

import math

import numpy as np
import pytest

from embedlab import Corpus, DataError, FormatError, InvalidParameterError, Vectors
from embedlab.train import Word2Vec
from embedlab.train import _w2v_kernels as K
from embedlab.train import _w2v_reference as R
from embedlab.train._sampling import alias_table, huffman_codes, keep_probabilities
from kernel_impls import implementations

# Each test that takes ``w2v`` runs twice: on the numba kernels, then with the plain reference
# standing in for them everywhere (the trainer included).
w2v = implementations("embedlab.train._w2v_kernels")


def topic_corpus(sentences: int = 400, seed: int = 0) -> list[list[str]]:
    """Two topics whose words only ever share a sentence with their own topic."""
    rng = np.random.default_rng(seed)
    topics = [[f"a{i}" for i in range(8)], [f"b{i}" for i in range(8)]]
    return [list(rng.choice(topics[s % 2], size=12)) for s in range(sentences)]


def small(**options: object) -> Word2Vec:
    base: dict[str, object] = {"vector_size": 16, "window": 3, "min_count": 1, "epochs": 3, "workers": 1,
                               "progress": False, "sample": 0.0}
    base.update(options)
    return Word2Vec(**base)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- one step, two ways
@pytest.mark.parametrize("step", ["batch_update", "mean_update"])
def test_kernel_step_matches_numpy_reference(step: str) -> None:
    rng = np.random.default_rng(3)
    w_in = rng.normal(0, 0.3, (12, 7)).astype(np.float32)
    w_out = rng.normal(0, 0.3, (12, 7)).astype(np.float32)
    inputs = np.array([1, 4, 4, 9], dtype=np.int32)  # a repeated context word
    outputs = np.array([2, 5, 7, 5, 0], dtype=np.int32)  # a repeated negative
    labels = np.array([1, 0, 0, 0, 0], dtype=np.int8)
    if step == "batch_update":
        scratch = (np.empty((4, 5), np.float32), np.empty((4, 7), np.float32))
    else:
        scratch = (np.empty(7, np.float32), np.empty(7, np.float32))
    a_in, a_out = w_in.copy(), w_out.copy()
    loss = getattr(K, step)(a_in, a_out, inputs, 4, outputs, labels, 5, 0.05, *scratch)
    b_in, b_out = w_in.copy(), w_out.copy()
    ref_loss = getattr(R, step)(b_in, b_out, inputs, 4, outputs, labels, 5, 0.05, *scratch)
    np.testing.assert_allclose(a_in, b_in, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a_out, b_out, rtol=1e-5, atol=1e-6)
    assert loss == pytest.approx(ref_loss, rel=1e-5)
    assert not np.array_equal(a_in, w_in) and not np.array_equal(a_out, w_out)


def test_shared_output_step_matches_numpy_reference() -> None:
    # predict_from_hidden is the per-output update word2vec shares with fastText's skip-gram;
    # err accumulates on top of what it holds (fastText sums it over a whole window).
    rng = np.random.default_rng(5)
    w_out = rng.normal(0, 0.3, (10, 6)).astype(np.float32)
    hidden = rng.normal(0, 0.5, 6).astype(np.float32)
    outputs = np.array([3, 8, 3, 1], dtype=np.int32)
    labels = np.array([1, 0, 0, 0], dtype=np.int8)
    start_err = rng.normal(0, 0.1, 6).astype(np.float32)
    a_out, a_err = w_out.copy(), start_err.copy()
    loss = K.predict_from_hidden(a_out, hidden, outputs, labels, 4, 0.05, a_err)
    b_out, b_err = w_out.copy(), start_err.copy()
    ref_loss = R.predict_from_hidden(b_out, hidden, outputs, labels, 4, 0.05, b_err)
    np.testing.assert_allclose(a_out, b_out, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a_err, b_err, rtol=1e-5, atol=1e-6)
    assert loss == pytest.approx(ref_loss, rel=1e-5)
    assert not np.array_equal(a_err, start_err)


def _chunk_inputs() -> tuple[np.ndarray, ...]:
    """A 300-word corpus of 20 sentences over 20 words, and its sampling tables."""
    rng = np.random.default_rng(0)
    counts = rng.integers(1, 50, 20)
    ids = rng.integers(0, 20, 300).astype(np.int32)
    bounds = np.arange(0, 301, 15, dtype=np.int64)
    return (ids, bounds, keep_probabilities(counts, 0.02), *alias_table(counts, 0.75),
            *huffman_codes(counts))


@pytest.mark.parametrize("cbow", [False, True])
@pytest.mark.parametrize("negative,hs", [(5, False), (0, True), (3, True)])
def test_train_chunk_matches_the_reference(cbow: bool, negative: int, hs: bool) -> None:
    """Same random draws on both sides: same counts, and matrices equal up to float rounding."""
    ids, bounds, keep, alias_prob, alias_index, points, codes, lengths = _chunk_inputs()
    rng = np.random.default_rng(1)
    start = [rng.normal(0, 0.1, (rows, 8)).astype(np.float32) for rows in (20, 20, 19 if hs else 0)]
    results = []
    for impl in (K, R):
        matrices = [m.copy() for m in start]
        loss, predictions, trained = impl.train_chunk(
            *matrices, ids, bounds, 0, 20, keep, alias_prob, alias_index, points, codes, lengths,
            cbow, negative, 3, 0.05, 0.01, np.uint64(123))
        results.append((loss, predictions, trained, matrices))
    (loss, predictions, trained, got), (ref_loss, ref_predictions, ref_trained, want) = results
    assert (predictions, trained) == (ref_predictions, ref_trained)
    assert 0 < trained < 300  # subsampling dropped some words
    assert loss == pytest.approx(ref_loss, rel=1e-5)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-4)
    assert not np.array_equal(got[0], start[0])


def test_draw_examples_matches_the_reference() -> None:
    ids, bounds, keep, alias_prob, alias_index, *_ = _chunk_inputs()
    got = K.draw_examples(ids, bounds, 0, 20, keep, alias_prob, alias_index, 5, 3, 0.05, 0.01, np.uint64(7))
    want = R.draw_examples(ids, bounds, 0, 20, keep, alias_prob, alias_index, 5, 3, 0.05, 0.01, 7)
    for a, b in zip(got, want, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    assert len(got[0]) > 250


def test_random_draws_by_hand(w2v) -> None:  # type: ignore[no-untyped-def]
    # splitmix64 from state 0 (its published first output), then the draws built on it.
    state, z = w2v.next_random(np.uint64(0))
    assert (int(state), int(z)) == (0x9E3779B97F4A7C15, 0xE220A8397B1DCDAF)
    # A word with keep 0 never survives; keep 1 always does and draws nothing.
    sentence = np.zeros(4, np.int32)
    keep = np.array([1.0, 0.0])
    state, n = w2v.subsample(np.array([0, 1, 0, 1], np.int32), 0, 4, keep, np.uint64(5), sentence)
    assert n == 2 and sentence[:2].tolist() == [0, 0]
    assert int(state) == (5 + 2 * 0x9E3779B97F4A7C15) % 2**64
    # The window radius is 1..window and the span is clipped to the sentence.
    for seed in range(20):
        _, lo, hi = w2v.window_span(np.uint64(seed), 1, 3, 2)
        assert (lo, hi) in [(0, 3)] and hi - lo <= 3
    # An alias table whose only mass is on word 2 always draws word 2.
    _, word = w2v.draw_negative(np.uint64(9), np.array([0.0, 0.0, 1.0]), np.array([2, 2, 2], np.int32))
    assert word == 2


def test_cbow_step_by_hand_adds_the_whole_error_to_each_context_word(w2v) -> None:  # type: ignore[no-untyped-def]
    # Two context words average to h = (0.5, 0.5); the positive output (1, 1) scores 1, so
    # g = alpha * (1 - sigmoid(1)). The output moves by g * h; each context word by the whole
    # g * (1, 1), not divided by the two of them (word2vec's and gensim's cbow_mean=1).
    w_in = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    w_out = np.array([[1.0, 1.0]], dtype=np.float32)
    loss = w2v.mean_update(w_in, w_out, np.array([0, 1], np.int32), 2, np.array([0], np.int32),
                       np.array([1], np.int8), 1, 0.1, np.empty(2, np.float32), np.empty(2, np.float32))
    g = 0.1 * (1 - 1 / (1 + math.exp(-1.0)))
    # The kernels read sigmoid from a table (bins 16/4096 wide): g is exact to about 5e-5.
    np.testing.assert_allclose(w_in, [[1 + g, g], [g, 1 + g]], atol=1e-4)
    np.testing.assert_allclose(w_out, [[1 + g / 2, 1 + g / 2]], atol=1e-4)
    assert loss == pytest.approx(math.log1p(math.exp(-1.0)), abs=3e-3)


# ---------------------------------------------------------------------- tables
def test_keep_probabilities_follow_word2vecs_formula() -> None:
    counts = np.array([1000, 10, 1])
    keep = keep_probabilities(counts, 1e-2)
    t = 1e-2 * 1011
    assert keep[0] == pytest.approx((math.sqrt(1000 / t) + 1) * t / 1000)
    assert keep[1] == keep[2] == 1.0
    assert (keep_probabilities(counts, 0) == 1).all()


def test_alias_table_gives_each_word_its_share() -> None:
    counts = np.array([16, 81, 1, 256])
    prob, alias = alias_table(counts, 0.75)
    n = len(counts)
    share = prob / n
    for slot in range(n):
        share[alias[slot]] += (1 - prob[slot]) / n
    expected = counts**0.75 / (counts**0.75).sum()
    np.testing.assert_allclose(share, expected, atol=1e-12)


def test_huffman_codes_by_hand() -> None:
    # counts 4,2,1,1: depths 1,2,3,3; codes form a prefix-free set; 3 inner nodes.
    points, codes, lengths = huffman_codes(np.array([4, 2, 1, 1]))
    assert lengths.tolist() == [1, 2, 3, 3]
    words = ["".join(str(c) for c in codes[w, : lengths[w]]) for w in range(4)]
    assert len(set(words)) == 4
    assert all(not b.startswith(a) for a in words for b in words if a != b)
    assert (points[:, 0] == 2).all()  # every path starts at the root, row V-2
    assert points.max() <= 2


# ---------------------------------------------------------------------- fit
def test_fit_returns_vectors_in_frequency_order_with_counts() -> None:
    corpus = [["b", "a", "c"], ["a", "b", "a"], ["a", "d"]]
    vectors = small(min_count=2).fit(corpus)
    assert isinstance(vectors, Vectors)
    assert vectors.keys == ["a", "b"]
    assert vectors.counts is not None and vectors.counts.tolist() == [4, 2]
    assert vectors.dim == 16


@pytest.mark.parametrize("mode,hs,negative", [("skipgram", False, 5), ("cbow", False, 5),
                                              ("skipgram", True, 0), ("cbow", True, 0),
                                              ("skipgram", True, 3)])
def test_learns_topics_and_loss_falls(w2v, mode: str, hs: bool, negative: int) -> None:  # type: ignore[no-untyped-def]
    if hs and w2v is R:
        pytest.skip("hierarchical softmax on the reference takes 20 s here; "
                    "test_train_chunk_matches_the_reference checks it update for update")
    model = small(mode=mode, hs=hs, negative=negative, epochs=8, learning_rate=0.05)
    vectors = model.fit(topic_corpus())
    same = vectors.similarity("a0", "a1")
    other = vectors.similarity("a0", "b1")
    assert same > other + 0.3, (same, other)
    assert len(model.losses) == 8
    assert model.losses[-1] < model.losses[0]


def test_loss_of_an_untrained_model_is_log2_per_output(w2v) -> None:  # type: ignore[no-untyped-def]
    # With alpha ~ 0 nothing moves: every output row stays 0, every score 0, every output
    # costs log 2. Skip-gram predicts 1 + negative outputs per pair (a negative equal to the
    # centre word is skipped, which is rare with 400 words).
    words = [f"w{i}" for i in range(400)]
    rng = np.random.default_rng(0)
    corpus = [list(rng.choice(words, 20)) for _ in range(200)]
    model = small(epochs=1, negative=5, learning_rate=1e-12, min_learning_rate=0.0)
    model.fit(corpus)
    assert model.losses[0] == pytest.approx(6 * math.log(2), rel=0.01)


def test_one_worker_is_bit_identical_run_to_run(w2v) -> None:  # type: ignore[no-untyped-def]
    corpus = topic_corpus(200)
    a = small(seed=7, sample=1e-2).fit(corpus).matrix
    b = small(seed=7, sample=1e-2).fit(corpus).matrix
    c = small(seed=8, sample=1e-2).fit(corpus).matrix
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_two_workers_train() -> None:
    corpus = topic_corpus(800)
    vectors = small(workers=2, epochs=6, learning_rate=0.05).fit(corpus)
    assert np.isfinite(vectors.matrix).all()
    assert vectors.similarity("a0", "a1") > vectors.similarity("a0", "b1")


def test_accepts_a_corpus_a_path_and_a_generator(tmp_path) -> None:  # type: ignore[no-untyped-def]
    lines = [" ".join(s) for s in topic_corpus(50)]
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(lines) + "\n")
    from_path = small().fit(str(path))
    from_corpus = small().fit(Corpus(lines))
    from_generator = small().fit(s.split() for s in lines)
    assert np.array_equal(from_path.matrix, from_corpus.matrix)
    assert np.array_equal(from_path.matrix, from_generator.matrix)


def test_callbacks_see_every_epoch_and_train_continues() -> None:
    seen: list[tuple[int, float]] = []
    model = small(epochs=2, callbacks=[lambda m, epoch, loss: seen.append((epoch, loss))])
    first = model.fit(topic_corpus(100))
    assert [e for e, _ in seen] == [0, 1]
    assert seen[1][1] == model.losses[1]
    more = model.train(topic_corpus(100, seed=1) + [["unseen", "words"]], epochs=3)
    assert len(model.losses) == 5
    assert more.keys == first.keys
    assert not np.array_equal(first.matrix, more.matrix)


@pytest.mark.parametrize("threads", [{"workers": 1}, {"workers": 2, "thread_updates": "replicas"}])
def test_resume_from_checkpoint_matches_uninterrupted_run(tmp_path, monkeypatch, threads) -> None:  # type: ignore[no-untyped-def]
    from embedlab.train import word2vec as w2v_module

    monkeypatch.setattr(w2v_module, "WORDS_PER_JOB", 300)  # several jobs a thread, and merges
    corpus = topic_corpus(150)
    whole = small(epochs=4, seed=3, **threads).fit(corpus)
    checkpoint = tmp_path / "w2v.ckpt.npz"

    def crash(model: Word2Vec, epoch: int, loss: float) -> None:
        if epoch == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        small(epochs=4, seed=3, checkpoint=checkpoint, checkpoint_every=1, callbacks=[crash], **threads).fit(corpus)
    model = small(epochs=4, seed=3, checkpoint=checkpoint, checkpoint_every=1, **threads)
    resumed = model.fit(corpus, resume=checkpoint)
    assert np.array_equal(whole.matrix, resumed.matrix)
    assert len(model.losses) == 4
    with pytest.raises(InvalidParameterError, match="other parameters"):
        small(epochs=4, seed=4).fit(corpus, resume=checkpoint)


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize("options,message", [
    ({"window": 0}, "The 'window' parameter of Word2Vec must be an int >= 1. Got 0 instead."),
    ({"vector_size": 0}, "The 'vector_size' parameter of Word2Vec must be an int >= 1. Got 0 instead."),
    ({"negative": -1}, "The 'negative' parameter of Word2Vec must be an int >= 0. Got -1 instead."),
    ({"mode": "sg"}, "The 'mode' parameter of Word2Vec must be 'skipgram' or 'cbow'. Got 'sg' instead."),
    ({"sample": -1.0}, "The 'sample' parameter of Word2Vec must be a number >= 0. Got -1.0 instead."),
    ({"negative": 0}, "needs negative > 0 or hs=True"),
])
def test_bad_parameters_are_one_clear_sentence(options: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        Word2Vec(**options).fit([["a", "b"]])  # type: ignore[arg-type]
    assert message in str(info.value)


def test_empty_corpus_and_rare_words_are_data_errors() -> None:
    with pytest.raises(DataError, match="empty"):
        small().fit([])
    with pytest.raises(DataError, match="no word occurs min_count=5 times"):
        small(min_count=5).fit([["a", "b", "a"]])
    with pytest.raises(DataError, match="not a token list"):
        small().fit(["a plain string per line"])


def test_binary_file_is_a_format_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "model.bin"
    path.write_bytes(b"\x00\x01\x02binary\x00")
    with pytest.raises(FormatError, match="binary"):
        small().fit(str(path))


# ---------------------------------------------------------------------- torch path, on the CPU
@pytest.mark.parametrize("mode", ["skipgram", "cbow"])
def test_torch_path_with_batches_of_one_makes_the_kernels_updates(mode: str) -> None:
    pytest.importorskip("torch")
    from embedlab.train.torch_path import torch_job

    # One negative: CBOW's kernel updates output rows one after another, so a negative drawn
    # twice would see its own first update there and not in the batched path.
    corpus = topic_corpus(16)
    cpu = small(mode=mode, epochs=1, sample=1e-2, seed=4, negative=1)
    expected = cpu.fit(corpus)
    model = small(mode=mode, epochs=1, sample=1e-2, seed=4, negative=1)
    model._run_job_factory = lambda encoded: torch_job(model, encoded, device="cpu", batch_size=1)  # type: ignore[method-assign]
    got = model.fit(corpus)
    np.testing.assert_allclose(got.matrix, expected.matrix, rtol=1e-3, atol=1e-4)
    assert model.losses == pytest.approx(cpu.losses, rel=1e-3)  # exact sigmoid vs the table


def test_torch_path_in_batches_still_learns() -> None:
    pytest.importorskip("torch")
    from embedlab.train.torch_path import torch_job

    model = small(epochs=6, learning_rate=0.05)
    model._run_job_factory = lambda encoded: torch_job(model, encoded, device="cpu", batch_size=64)  # type: ignore[method-assign]
    vectors = model.fit(topic_corpus(150))
    assert vectors.similarity("a0", "a1") > vectors.similarity("a0", "b1") + 0.2


def test_cuda_without_a_gpu_is_a_clear_error() -> None:
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(InvalidParameterError, match="no CUDA device"):
        small(device="cuda").fit(topic_corpus(10))


def test_big_corpora_spill_to_a_memory_mapped_file(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from embedlab.train import _corpus, _encoded

    corpus = topic_corpus(100)
    expected = small().fit(corpus)
    monkeypatch.setattr(_encoded, "SPILL_IDS", 50)
    encoded = _corpus.encode(corpus, {w: i for i, w in enumerate(expected.keys)})
    assert isinstance(encoded.ids, np.memmap)
    encoded.close()
    assert np.array_equal(small().fit(corpus).matrix, expected.matrix)
