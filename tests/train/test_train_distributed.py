"""Word2Vec and FastText across 2 processes under torchrun (gloo over 127.0.0.1)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from embedlab import InvalidParameterError, Vectors
from embedlab.graph import Graph, random_walks
from embedlab.train import FastText, Word2Vec, _corpus, _shards

HERE = Path(__file__).parent
SRC = HERE.parents[1] / "src"


def topic_lines(sentences: int = 600, seed: int = 0) -> list[str]:
    """Two topics whose words only ever share a sentence with their own topic."""
    rng = np.random.default_rng(seed)
    topics = [[f"a{i}" for i in range(8)], [f"b{i}" for i in range(8)]]
    return [" ".join(rng.choice(topics[s % 2], size=12)) for s in range(sentences)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "topics.txt"
    corpus.write_text("\n".join(topic_lines()) + "\n")
    return corpus


def torchrun(tmp_path: Path, trainer: str, processes: int) -> list[Vectors]:
    corpus = write_corpus(tmp_path)
    out = tmp_path / f"out{processes}"
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
           "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", f"--nproc_per_node={processes}",
               "--master_addr=127.0.0.1", f"--master_port={free_port()}",
               str(HERE / "distributed_fit.py"), str(corpus), str(out), trainer]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    return [Vectors((out / f"rank{r}.words").read_text().split("\n"), np.load(out / f"rank{r}.npy"))
            for r in range(processes)]


def separation(vectors: Vectors) -> float:
    """Mean cosine within a topic minus mean cosine across topics."""
    unit = vectors.matrix / np.linalg.norm(vectors.matrix, axis=1, keepdims=True)
    topic = np.array([key[0] == "a" for key in vectors.keys])
    cos = unit @ unit.T
    same = cos[topic[:, None] == topic[None, :]].mean()
    other = cos[topic[:, None] != topic[None, :]].mean()
    return float(same - other)


@pytest.mark.parametrize("trainer", ["word2vec", "fasttext"])
def test_two_ranks_end_identical_and_learn_the_topics(tmp_path: Path, trainer: str) -> None:
    # One process, in this interpreter: the options of distributed_fit.py.
    options: dict[str, object] = {"vector_size": 16, "window": 3, "min_count": 1, "epochs": 4,
                                  "workers": 2, "progress": False, "sample": 0.0}
    model = (Word2Vec(**options) if trainer == "word2vec"  # type: ignore[arg-type]
             else FastText(bucket=2000, minn=2, maxn=3, **options))  # type: ignore[arg-type]
    one = model.fit(write_corpus(tmp_path))
    rank0, rank1 = torchrun(tmp_path, trainer, 2)
    assert rank0.keys == rank1.keys == one.keys  # the shares' vocabulary is the corpus'
    np.testing.assert_array_equal(rank0.matrix, rank1.matrix)  # averaged at every epoch's end
    assert separation(one) > 0.5
    assert separation(rank0) > 0.8 * separation(one)


def test_node2vec_ranks_walk_their_shares_and_end_identical(tmp_path: Path) -> None:
    rank0, rank1 = torchrun(tmp_path, "node2vec", 2)
    np.testing.assert_array_equal(rank0.matrix, rank1.matrix)
    assert rank0.keys == rank1.keys and len(rank0.keys) == 16
    shares = sorted(tmp_path.glob("out2/walks*.npy"), key=lambda p: int(p.stem[5:]))
    assert [int(p.stem[5:]) for p in shares] == [0, 80]  # 160 walks, 80 a rank
    edges = [(a, b) for part in (0, 8) for a in range(part, part + 8) for b in range(a + 1, part + 8)]
    whole = random_walks(Graph.from_edges([a for a, _ in edges] + [0], [b for _, b in edges] + [8],
                                          nodes=range(16)), p=0.5, q=2.0, walk_length=20,
                         walks_per_node=10, seed=0)
    np.testing.assert_array_equal(np.concatenate([np.load(p) for p in shares]), whole.nodes)


def test_walk_shares_are_the_walks_in_order() -> None:
    edges = [(0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 5), (5, 3)]
    graph = Graph.from_edges([a for a, _ in edges], [b for _, b in edges], nodes=range(6))
    whole = random_walks(graph, p=0.5, q=2.0, walk_length=7, walks_per_node=3, seed=5)
    for ranks in (2, 4, 5):
        shares = [random_walks(graph, p=0.5, q=2.0, walk_length=7, walks_per_node=3, seed=5,
                               rank=r, ranks=ranks) for r in range(ranks)]
        assert [s.first_walk for s in shares] == [18 * r // ranks for r in range(ranks)]
        np.testing.assert_array_equal(np.concatenate([s.nodes for s in shares]), whole.nodes)
        np.testing.assert_array_equal(np.concatenate([s.lengths for s in shares]), whole.lengths)
        assert all(s.rank_share for s in shares) and not whole.rank_share
    with pytest.raises(InvalidParameterError, match="'rank' parameter of random_walks must be < ranks"):
        random_walks(graph, rank=2, ranks=2)


def test_byte_shares_are_the_corpus_in_order(tmp_path: Path) -> None:
    lines = [f"w{i} x{i % 7} " + "y " * (i % 5) for i in range(101)]
    path = tmp_path / "c.txt"
    path.write_text("\n".join(lines))  # no final newline
    whole = _corpus.scan(path)
    for ranks in (2, 3, 7):
        shares = [_corpus.scan(path, part=(r, ranks)) for r in range(ranks)]
        tokens = [[s.word(int(i)) for i in s.ids] for s in shares]
        assert sum(tokens, []) == [whole.word(int(i)) for i in whole.ids]
        assert sum(len(s.line_ends) for s in shares) == len(lines)
        merged = _corpus.merge_counts([s.word_counts() for s in shares])
        assert list(merged) == whole.word_counts()[0]
        assert list(merged.values()) == whole.counts.tolist()


def test_ranks_read_stripes_from_all_over_the_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A corpus in two sections (as Brown is by genre): cut in halves, rank 0 would read only
    # the first; dealt in stripes, every rank reads lines from both.
    monkeypatch.setattr(_shards, "STRIPE", 64)
    lines = [f"{'a' if i < 50 else 'b'}{i} x{i % 7} " + "y " * (i % 5) for i in range(100)]
    path = tmp_path / "c.txt"
    path.write_text("\n".join(lines))  # no final newline
    whole = _corpus.scan(path)
    for ranks in (2, 3):
        shares = [_corpus.scan(path, part=(r, ranks)) for r in range(ranks)]
        firsts = [[s.word(int(i)) for i in s.ids[np.concatenate([[0], s.line_ends[:-1]])]] for s in shares]
        for first_words in firsts:
            assert {w[0] for w in first_words} == {"a", "b"}  # both sections
            assert first_words == sorted(first_words, key=lambda w: int(w[1:]))  # in corpus order
        assert sorted(sum(firsts, []), key=lambda w: int(w[1:])) == [line.split()[0] for line in lines]
        # Where words first occur puts the merged vocabulary in the one-process order.
        merged = _corpus.merge_counts([s.word_counts() for s in shares], [s.first_seen() for s in shares])
        assert list(merged) == whole.word_counts()[0]
        assert list(merged.values()) == whole.counts.tolist()
        assert list(_corpus.merge_counts([s.word_counts() for s in shares])) != list(merged)


def test_a_stripe_where_no_line_starts_is_read_by_nobody(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_shards, "STRIPE", 16)
    lines = ["short one", "a long line " * 20, "tail words here", "x " * 30, "end"]
    path = tmp_path / "c.txt"
    path.write_text("\n".join(lines) + "\n")
    for ranks in (2, 3, 4):
        shares = [_corpus.scan(path, part=(r, ranks)) for r in range(ranks)]
        assert sum(len(s.line_ends) for s in shares) == len(lines)  # each line once
        assert sum(len(s.ids) for s in shares) == sum(len(line.split()) for line in lines)


def test_first_seen_counts_tokens_into_each_piece(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_shards, "STRIPE", 4)
    path = tmp_path / "c.txt"
    path.write_text("p q\nr p\ns t\nq u\n")  # 4 lines of 4 bytes: a line a stripe
    rank1 = _corpus.scan(path, part=(1, 2))  # lines 2 and 4: "r p", "q u"
    assert rank1.word_counts()[0] == ["r", "p", "q", "u"]
    # (file 0, the byte where the piece starts, tokens into the piece)
    assert rank1.first_seen().tolist() == [[0, 4, 0], [0, 4, 1], [0, 12, 0], [0, 12, 1]]
