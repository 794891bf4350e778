"""StaticModel: pooling by hand, bad input, save/load, and the peers (Model2Vec, WordLlama,
sentence-transformers' StaticEmbedding) agreeing vector for vector."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from embedlab import DataError, FormatError, InvalidParameterError, Vectors
from embedlab.sentences import StaticModel, TruncationWarning

pytest.importorskip("tokenizers")


@pytest.fixture
def three_words(wordpiece: Any) -> Any:
    """'cat' = (1, 0), 'dog' = (0, 2), 'sat' = (3, 3): means can be checked by hand."""

    def build(**options: Any) -> StaticModel:
        table = Vectors(["cat", "dog", "sat"], np.array([[1, 0], [0, 2], [3, 3]], dtype=np.float32))
        return StaticModel(wordpiece, table, **({"normalize": False} | options))

    return build


def test_mean_of_the_known_tokens_by_hand(three_words: Any) -> None:
    model = three_words()
    # 'the' has no row: it is skipped, not averaged in as zeros
    assert model.tokenize("The cat sat") == ["cat", "sat"]
    np.testing.assert_allclose(model.encode(["the cat sat", "dog"]), [[2, 1.5], [0, 2]])


def test_weights_and_weighted_mean_by_hand(three_words: Any) -> None:
    weighted = three_words(weights=[1.0, 1.0, 3.0])
    # mean: (1*(1,0) + 3*(3,3)) / 2 tokens; weighted: the same sum / (1 + 3)
    np.testing.assert_allclose(weighted.encode("cat sat"), [[5, 4.5]])
    as_weighted_mean = three_words(weights=[1.0, 1.0, 3.0], pooling="weighted")
    np.testing.assert_allclose(as_weighted_mean.encode("cat sat"), [[2.5, 2.25]])


def test_normalised_rows_have_unit_length(three_words: Any) -> None:
    vectors = three_words(normalize=True).encode(["cat sat", "dog dog cat"])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(vectors[0], np.array([4, 3]) / 5, rtol=1e-6)


def test_batches_give_the_same_rows(three_words: Any) -> None:
    model = three_words()
    texts = ["cat", "dog sat", "sat sat cat", "dog"] * 3
    np.testing.assert_array_equal(model.encode(texts, batch_size=1), model.encode(texts))


def test_empty_texts_are_an_error_unless_allowed(three_words: Any) -> None:
    model = three_words()
    with pytest.raises(DataError, match=r"text 1 \(and 1 more\) has no token with a vector"):
        model.encode(["cat", "", "the"])
    vectors = model.encode(["cat", "", "the"], allow_empty=True)
    np.testing.assert_array_equal(vectors[1:], 0)
    with pytest.raises(DataError, match="no texts to encode"):
        model.encode([])
    with pytest.raises(DataError, match="text 1 is a int, not a string"):
        model.encode(["cat", 3])  # type: ignore[list-item]


def test_long_texts_are_cut_and_counted(three_words: Any) -> None:
    model = three_words(max_tokens=2)
    with pytest.warns(TruncationWarning,
                      match=r"2 of 3 texts \(the first is text 0\) are longer than max_tokens=2 "
                            r"tokens: each keeps its first 2 tokens"):
        vectors = model.encode(["cat dog sat", "dog", "sat sat cat"])
    assert model.last_truncated == 2
    np.testing.assert_allclose(vectors[0], [0.5, 1.0])  # 'cat dog' only
    with pytest.raises(DataError, match="pass truncate=True"):
        model.encode(["cat dog sat"], truncate=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.encode(["cat dog"])
    assert model.last_truncated == 0


def test_bad_parameters_get_one_sentence(three_words: Any, wordpiece: Any) -> None:
    with pytest.raises(InvalidParameterError, match="The 'pooling' parameter of StaticModel"):
        three_words(pooling="max")
    with pytest.raises(InvalidParameterError, match="The 'max_tokens' parameter of StaticModel"):
        three_words(max_tokens=0)
    with pytest.raises(DataError, match=r"weights must hold one value per token vector \(3\)"):
        three_words(weights=[1.0])
    with pytest.raises(DataError, match="none of the 2 keys of the table is a token"):
        StaticModel(wordpiece, Vectors(["zzqq", "qqzz"], np.ones((2, 2))))


def test_save_and_load_round_trip(tmp_path: Path, three_words: Any, sentences: list[str]) -> None:
    model = three_words(weights=[0.5, 1.0, 2.0], pooling="weighted", max_tokens=70)
    model.save(tmp_path / "m")
    loaded = StaticModel.load(tmp_path / "m")
    assert (loaded.pooling, loaded.normalize, loaded.max_tokens) == ("weighted", False, 70)
    assert loaded.vectors.keys == ["cat", "dog", "sat"]
    np.testing.assert_array_equal(loaded.encode(sentences[:2]), model.encode(sentences[:2]))
    model.save(tmp_path / "m")  # a saved model may be replaced


def test_save_refuses_a_folder_that_is_something_else(tmp_path: Path, three_words: Any) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(DataError, match="is not a saved static model"):
        three_words().save(tmp_path / "photos")
    assert (tmp_path / "photos" / "cat.jpg").exists()


def test_mismatched_dims_on_load_are_a_format_error(tmp_path: Path, three_words: Any) -> None:
    three_words().save(tmp_path / "m")
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    config["dim"] = 3
    (tmp_path / "m" / "config.json").write_text(json.dumps(config))
    with pytest.raises(FormatError, match=r"the embeddings are 3 x 2 but config.json says 3 x 3"):
        StaticModel.load(tmp_path / "m")


def test_a_folder_of_something_else_is_a_format_error(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(FormatError, match="neither a saved static model nor a Model2Vec folder"):
        StaticModel.load(tmp_path)


def test_reads_a_folder_written_by_model2vec(tmp_path: Path, wordpiece: Any,
                                             sentences: list[str]) -> None:
    model2vec = pytest.importorskip("model2vec")
    table = np.random.default_rng(0).normal(size=(wordpiece.get_vocab_size(), 8)).astype(np.float32)
    theirs = model2vec.StaticModel(table, wordpiece, normalize=True)
    theirs.save_pretrained(str(tmp_path / "m2v"))
    ours = StaticModel.load(tmp_path / "m2v")
    np.testing.assert_allclose(ours.encode(sentences), theirs.encode(sentences), atol=1e-6)


def test_a_damaged_model2vec_folder_is_a_format_error(tmp_path: Path, wordpiece: Any) -> None:
    from safetensors.numpy import save_file

    rows = wordpiece.get_vocab_size()
    (tmp_path / "tokenizer.json").write_text(wordpiece.to_str(), encoding="utf-8")
    # shared rows (vocabulary quantisation) pointing past the table
    save_file({"embeddings": np.ones((10, 4), dtype=np.float32),
               "mapping": np.arange(rows, dtype=np.int64)}, str(tmp_path / "model.safetensors"))
    with pytest.raises(FormatError, match="'mapping' must hold row numbers below 10"):
        StaticModel.load(tmp_path)
    save_file({"embeddings": np.ones((rows, 4), dtype=np.float32),
               "weights": np.ones(5, dtype=np.float32)}, str(tmp_path / "model.safetensors"))
    with pytest.raises(FormatError, match=rf"'weights' has shape \(5,\); expected \({rows},\)"):
        StaticModel.load(tmp_path)
    save_file({"embeddings": np.ones((rows - 1, 4), dtype=np.float32)},
              str(tmp_path / "model.safetensors"))
    with pytest.raises(FormatError, match=f"has {rows - 1} embedding rows for {rows} tokenizer"):
        StaticModel.load(tmp_path)
    (tmp_path / "config.json").write_text("{bad", encoding="utf-8")
    with pytest.raises(FormatError, match="config.json: not valid JSON"):
        StaticModel.load(tmp_path)


def test_a_table_with_duplicate_tokens_is_refused(wordpiece: Any) -> None:
    with pytest.raises(DataError, match="duplicate"):
        StaticModel(wordpiece, Vectors(["cat", "cat"], np.ones((2, 2))))


def test_wordllama_table_matches_wordllama_embed(sentences: list[str]) -> None:
    wordllama = pytest.importorskip("wordllama")
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer
    from wordllama.inference import WordLlamaInference

    # WordLlama.load looks for its tokenizer in "tokenizer/", the wheel ships "tokenizers/":
    # build its inference object from the shipped files as load would.
    root = Path(wordllama.__file__).parent
    table = load_file(str(root / "weights" / "l2_supercat_256.safetensors"))["embedding.weight"]
    theirs = WordLlamaInference(table, Tokenizer.from_file(
        str(root / "tokenizers" / "l2_supercat_tokenizer_config.json")))
    ours = StaticModel.from_wordllama()
    assert (len(ours.vectors), ours.dim) == (32_000, 256)
    np.testing.assert_allclose(ours.encode(sentences), theirs.embed(sentences), atol=1e-5)


def test_export_to_sentence_transformers_static_embedding(small_model: StaticModel,
                                                          sentences: list[str]) -> None:
    exported = small_model.to_sentence_transformers()
    assert type(exported[0]).__name__ == "StaticEmbedding"
    theirs = exported.encode(sentences, convert_to_numpy=True)
    np.testing.assert_allclose(small_model.encode(sentences), theirs, atol=1e-5)


def test_a_vocab_txt_tokenizes_as_the_tokenizer_json(teacher_folder: Path,
                                                      sentences: list[str]) -> None:
    from embedlab.sentences._tokens import tokenizer_from_file

    from_json = tokenizer_from_file(teacher_folder / "tokenizer.json")
    from_vocab = tokenizer_from_file(teacher_folder / "vocab.txt")
    for text in [*sentences, "Héllo, WORLD! unaffordable"]:
        assert from_vocab.encode(text, add_special_tokens=False).ids == \
            from_json.encode(text, add_special_tokens=False).ids
