"""The one-pass corpus scan: the same tokens, vocabulary and ids as the Python path."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from embedlab import Corpus, DataError, FormatError
from embedlab.text import tokenize, whitespace_tokenize
from embedlab.train import Word2Vec, _corpus, _encoded, _scan, _scan_table, _unicode_tables
from kernel_impls import implementations

# Each test that takes ``corpus_kernels`` runs on the C kernels, then on the reference.
corpus_kernels = implementations("embedlab.train._corpus_kernels")

TRICKY = [
    "Don't STOP believin' — l'été à Paris, naïve CAFÉ au-lait",
    "ÀÉÎÕÜ ÆØÅ straße STRASSE ǅemal ǈubljana Ⱥⱥ ȾOKEN",  # title-case digraphs, 2 -> 3 byte lowers
    "İstanbul'da ΟΔΥΣΣΕΥΣ σοφός ΣΟΦΟΣ",  # dotted I and final sigma: left to Python
    "rock’n’roll it's 'quoted' o'' ''a x'y'z don’t’",
    "digits: ٣٤٥ ①② ½ x²  mixed_under_score snake__case",
    "emoji 🙂 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 outside the BMP; 中文字符 日本語テキスト",
    "nbsp\u00a0here\u2003em\u3000ideo\u2028sep\x85nel\x1cfs\tTab\x0bvt",
    "combining e\u0301 and dot\u0307 marks; zero\u200bwidth; ﬁ ligature ＦＵＬＬ",
    "",
    "   ",
    "ALL CAPS LINE WITH ASCII ONLY 123 456",
    "trailing apostrophe' and 'leading",
]


def write(tmp_path: Path, lines: list[str], name: str = "c.txt", end: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes(end.join(lines).encode("utf-8"))
    return path


def python_tokens(lines: list[str], split: bool) -> list[list[str]]:
    tok = whitespace_tokenize if split else tokenize
    return [tok(line.rstrip("\r\n")) for line in lines]


def scanned_tokens(scanned: _corpus.Scanned) -> list[list[str]]:
    ends = [0, *(int(e) for e in scanned.line_ends)]
    words = [scanned.word(int(i)) for i in scanned.ids]
    return [words[a:b] for a, b in zip(ends, ends[1:], strict=False)]


@pytest.mark.parametrize("split", [False, True])
def test_tricky_unicode_gives_the_python_tokens(corpus_kernels: object, tmp_path: Path, split: bool) -> None:
    lines = TRICKY + ["\r".join(TRICKY) + "\r"]
    scanned = _corpus.scan(write(tmp_path, lines), split_only=split)
    assert scanned_tokens(scanned) == python_tokens(lines, split)


def test_every_bmp_character_between_letters(corpus_kernels: object, tmp_path: Path) -> None:
    # Each line puts one code point between two words; the scan must split (or not) as the
    # tokenizer does, for all 63k of them (in the kernels; the reference gets one line in 64).
    step = 1 if corpus_kernels.__name__.endswith("_kernels") else 64  # type: ignore[attr-defined]
    codes = [c for c in range(1, 0x10000, step) if not 0xD800 <= c < 0xE000 and c != 10]
    lines = [f"Ab{chr(c)}Cd {chr(c)}x" for c in codes]
    scanned = _corpus.scan(write(tmp_path, lines))
    assert scanned_tokens(scanned) == python_tokens(lines, False)


def test_unicode_tables_agree_with_python() -> None:
    lower, kinds = _unicode_tables.unicode_tables()
    for c in [*range(0, 0x3000), *range(0xA000, 0xD800), *range(0xF900, 0x10000)]:
        ch = chr(c)
        if c in (0x130, 0x3A3):
            assert kinds[c] == _unicode_tables.CONTEXT
            continue
        assert chr(lower[c]) == ch.lower(), hex(c)
        assert (kinds[c] == _unicode_tables.SPACE) == ch.isspace() or ch in "'\u2019", hex(c)
        if kinds[c] != _unicode_tables.SPACE and ch not in "'\u2019" and c:
            assert (kinds[c] == _unicode_tables.ALNUM) == ch.lower().isalnum(), hex(c)


def test_counts_ids_and_first_seen_order_by_hand(corpus_kernels: object, tmp_path: Path) -> None:
    scanned = _corpus.scan(write(tmp_path, ["b a b", "", "c a b", "a"]))
    assert [scanned.word(i) for i in range(3)] == ["b", "a", "c"]
    assert scanned.counts.tolist() == [3, 3, 1]
    assert scanned.ids.tolist() == [0, 1, 0, 2, 1, 0, 1]
    assert scanned.line_ends.tolist() == [3, 3, 6, 7]
    words, counts = scanned.vocabulary(2, None, "T")
    assert words == ["b", "a"] and counts.tolist() == [3, 3]  # a tie keeps first-seen order
    encoded = scanned.encode({"b": 0, "a": 1})
    assert encoded.ids.tolist() == [0, 1, 0, 1, 0, 1]
    assert encoded.bounds.tolist() == [0, 3, 5, 6] and encoded.raw_words == 7


def test_growth_across_blocks_and_files(corpus_kernels: object, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # Tiny blocks and many distinct words force every array to grow and the table to rehash.
    monkeypatch.setattr(_scan, "BLOCK", 97)
    folder = tmp_path / "corpus"
    folder.mkdir()
    rng = np.random.default_rng(0)
    lines = [" ".join(f"w{int(x)}" for x in rng.integers(0, 40_000 if corpus_kernels.__name__.endswith("_kernels") else 3000, 25))  # type: ignore[attr-defined]
             for _ in range(200)]
    write(folder, lines[:120], "a.txt")
    with gzip.open(folder / "b.txt.gz", "wb") as handle:
        handle.write("\n".join(lines[120:]).encode())  # no final newline
    streamed = _corpus.Streamed(Corpus(folder))
    scanned = _corpus.prepare(Corpus(folder))
    assert isinstance(scanned, _corpus.Scanned)
    words, counts = scanned.vocabulary(2, None, "T")
    words2, counts2 = streamed.vocabulary(2, None, "T")
    assert words == words2 and counts.tolist() == counts2.tolist()
    index = {w: i for i, w in enumerate(words)}
    a, b = scanned.encode(index), streamed.encode(index)
    assert a.ids.tolist() == b.ids.tolist() and a.bounds.tolist() == b.bounds.tolist()
    assert a.raw_words == b.raw_words == 200 * 25


def test_long_lines_are_cut_as_before(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(_encoded, "MAX_SENTENCE", 4)
    lines = ["a b zz c d e f g h i", "q", "a b c d", "zz zz", "a b c d e"]
    path = write(tmp_path, lines)
    index = {w: i for i, w in enumerate("abcdefghi")}
    a, b = _corpus.scan(path).encode(index), _corpus.Streamed(path).encode(index)
    assert a.bounds.tolist() == b.bounds.tolist() == [0, 4, 8, 9, 13, 17, 18]
    assert a.ids.tolist() == b.ids.tolist()


def test_errors_name_the_line_as_the_python_reader_does(corpus_kernels: object, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine line\nalso fine\nbroken \xff byte\n")
    with pytest.raises(FormatError, match=r"bad.txt:3: not valid utf-8"):
        _corpus.scan(bad)
    nul = tmp_path / "nul.txt"
    nul.write_bytes(b"one\ntwo\x00\n")
    with pytest.raises(FormatError, match=r"nul.txt:2: found a NUL byte"):
        _corpus.scan(nul)
    with pytest.raises(DataError, match="empty"):
        _corpus.scan(write(tmp_path, ["", " ,; "], "empty.txt")).vocabulary(1, None, "T")


def test_prepare_picks_the_scan_only_where_it_gives_the_same_tokens(tmp_path: Path) -> None:
    path = write(tmp_path, ["a b"])
    assert isinstance(_corpus.prepare(path), _corpus.Scanned)
    assert isinstance(_corpus.prepare(Corpus(path, tokenizer=whitespace_tokenize)), _corpus.Scanned)
    assert isinstance(_corpus.prepare(Corpus(path, tokenizer=str.split)), _corpus.Streamed)
    assert isinstance(_corpus.prepare(Corpus(path, encoding="latin-1")), _corpus.Streamed)
    assert isinstance(_corpus.prepare([["a", "b"]]), _corpus.Streamed)


def test_word2vec_from_a_file_equals_word2vec_from_token_lists(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    lines = [" ".join(rng.choice(["Ab", "cd", "EF", "gh", "ij's", "ÉTÉ"], 9)) for _ in range(60)]
    path = write(tmp_path, lines)
    options = {"vector_size": 8, "min_count": 1, "epochs": 2, "workers": 1, "progress": False}
    from_file = Word2Vec(**options).fit(path)  # type: ignore[arg-type]
    from_lists = Word2Vec(**options).fit([tokenize(line) for line in lines])  # type: ignore[arg-type]
    assert from_file.keys == from_lists.keys
    np.testing.assert_array_equal(from_file.matrix, from_lists.matrix)


def test_threads_share_a_block_and_their_tables_merge_in_order(
        corpus_kernels: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Pieces of ~300 bytes on 3 threads: words first seen in later pieces, counts summed.
    monkeypatch.setattr(_scan_table, "MIN_PIECE", 300)
    monkeypatch.setattr(_scan_table, "workers", lambda: 3)
    rng = np.random.default_rng(4)
    lines = [" ".join(f"w{int(x)}" for x in rng.zipf(1.5, 12) % 500) for _ in range(90)]
    path = write(tmp_path, lines)
    scanned = _corpus.scan(path)
    assert scanned_tokens(scanned) == python_tokens(lines, True)
    counts = _corpus.Streamed(path).word_counts()
    assert scanned.word_counts()[0] == counts[0]
    assert scanned.counts.tolist() == counts[1].tolist()


def test_an_error_in_a_later_thread_names_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_scan_table, "MIN_PIECE", 100)
    monkeypatch.setattr(_scan_table, "workers", lambda: 4)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"".join(b"line %d is fine\n" % i for i in range(60)) + b"bad \xff\n" + b"ok\n")
    with pytest.raises(FormatError, match=r"bad.txt:61: not valid utf-8"):
        _corpus.scan(bad)


def grown_table(words: int = 64, ids: int = 256) -> _scan_table.ScanTable:
    table = _scan_table.ScanTable()
    table.grow(max(words, ids))
    return table


def test_the_c_scanner_and_its_reference_leave_the_same_state(tmp_path: Path) -> None:
    # Call for call on the tricky lines: the same statuses, positions and every array.
    from embedlab.train import _corpus_kernels, _corpus_reference

    lower, kinds = _unicode_tables.unicode_tables()
    data = np.frombuffer("\n".join(TRICKY[:2] + TRICKY[3:5] + ["a B a"]).encode(), dtype=np.uint8)
    for split in (False, True):
        tables = [grown_table(), grown_table()]
        results = [module.scan_lines(data, 0, len(data), lower, kinds, split, *table.state())
                   for module, table in zip((_corpus_kernels, _corpus_reference), tables, strict=True)]
        assert results[0] == results[1] == (_scan_table.DONE, len(data))
        used = int(tables[0].sizes[1])  # past it the arena is scratch: the last token read
        for a, b in zip(tables[0].state(), tables[1].state(), strict=True):
            np.testing.assert_array_equal(a[:used] if a is tables[0].arena else a,
                                          b[:used] if b is tables[1].arena else b)
        # A table too small for the first line: ROOM at its start, nothing changed.
        small = [_scan_table.ScanTable(), _scan_table.ScanTable()]
        for table in small:
            table.ids = table.ids[:3]
        assert [module.scan_lines(data, 0, len(data), lower, kinds, split, *table.state())
                for module, table in zip((_corpus_kernels, _corpus_reference), small, strict=True)
                ] == [(_scan_table.ROOM, 0)] * 2
        assert small[0].sizes.tolist() == small[1].sizes.tolist() == [0, 0, 0, 0]


def test_a_line_the_tables_cannot_settle_comes_back_as_hard(corpus_kernels: object) -> None:
    lower, kinds = _unicode_tables.unicode_tables()
    table = grown_table()
    data = np.frombuffer("ok line\nΣΟΦΟΣ\nafter\n".encode(), dtype=np.uint8)
    kernels: Any = corpus_kernels
    assert kernels.scan_lines(data, 0, len(data), lower, kinds, False, *table.state()) == (kernels.HARD, 8)
    assert table.sizes.tolist()[2:] == [2, 1]  # "ok", "line"; one line
    # Split on white space only, nothing needs the context: the same line is easy.
    assert kernels.scan_lines(data, 8, len(data), lower, kinds, True, *table.state()) == (kernels.DONE, len(data))
    assert [table.ids[i] for i in range(int(table.sizes[2]))] == [0, 1, 2, 3]


def test_bad_calls_raise_the_same_errors_on_both(corpus_kernels: object) -> None:
    kernels: Any = corpus_kernels
    lower, kinds = _unicode_tables.unicode_tables()
    data = np.frombuffer(b"a b\n", dtype=np.uint8)

    def scan(table: _scan_table.ScanTable, **change: Any) -> Any:
        args = {"data": data, "start": 0, "end": len(data), "lower": lower, "kinds": kinds}
        args.update(change)
        return kernels.scan_lines(args["data"], args["start"], args["end"], args["lower"],
                                  args["kinds"], False, *table.state())

    with pytest.raises(ValueError, match=r"^start:end is out of range for data$"):
        scan(grown_table(), end=5)
    with pytest.raises(ValueError, match=r"^lower and kinds must cover the 65536 code points"):
        scan(grown_table(), lower=lower[:100])
    table = grown_table()
    table.ids = table.ids.astype(np.float64)
    with pytest.raises(ValueError, match=r"^ids: expected items of 4 bytes$"):
        scan(table)
    table = grown_table()
    table.slots = table.slots[:3]
    with pytest.raises(ValueError, match=r"^table_slots must be a power of two long$"):
        scan(table)
    table = grown_table()
    table.sizes[0] = len(table.counts) + 1
    with pytest.raises(ValueError, match=r"^sizes is out of range for the arrays given$"):
        scan(table)
    table = grown_table()  # a slot naming word 5 of a table that holds none
    table.slots[:] = 5
    with pytest.raises(ValueError, match=r"^table_slots names a word the table does not hold$"):
        scan(table)
    table = grown_table()
    with pytest.raises(ValueError, match=r"^token_ends must rise within token_bytes$"):
        kernels.intern_tokens(np.zeros(4, np.uint8), np.array([3, 2], np.int64), *table.state())
    with pytest.raises(ValueError, match=r"^n_src is out of range for the arrays given$"):
        kernels.absorb(table.hashes, table.starts, table.lengths, table.counts, table.arena, 10**9,
                       *table.state()[:7], np.zeros(4, np.int32))
    with pytest.raises(ValueError, match=r"^table_slots must be all -1$"):
        kernels.rehash(np.zeros(8, np.int32), table.hashes, 0)
