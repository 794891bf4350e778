"""Public functions document their arguments, result and errors (Google style, rendered by
mkdocstrings in the API reference). Modules join DOCUMENTED once they are done; the check
keeps them done."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest

DOCUMENTED = [
    "embedlab",
    "embedlab._queries",
    "embedlab.crossmodal.captions",
    "embedlab.crossmodal.data",
    "embedlab.crossmodal.evaluate",
    "embedlab.crossmodal.model",
    "embedlab.crossmodal.plot",
    "embedlab.datasets",
    "embedlab.distributed",
    "embedlab.distributed.checkpoint",
    "embedlab.distributed.sharded_embedding",
    "embedlab.distributed.sharded_search",
    "embedlab.evaluate._intrinsic",
    "embedlab.evaluate.report",
    "embedlab.formats",
    "embedlab.formats.fasttext",
    "embedlab.formats.glove",
    "embedlab.formats.kumo",
    "embedlab.formats.native",
    "embedlab.formats.projector",
    "embedlab.formats.sniff",
    "embedlab.formats.word2vec",
    "embedlab.graph",
    "embedlab.graph._graph",
    "embedlab.graph.evaluate",
    "embedlab.graph.labels",
    "embedlab.graph.named",
    "embedlab.graph.node2vec",
    "embedlab.graph.walks",
    "embedlab.neighbors.index",
    "embedlab.neighbors.topk",
    "embedlab.nn",
    "embedlab.nn.classifier",
    "embedlab.nn.data",
    "embedlab.nn.embedding",
    "embedlab.nn.saving",
    "embedlab.nn.training",
    "embedlab.recsys",
    "embedlab.recsys.als",
    "embedlab.recsys.base",
    "embedlab.recsys.bayes",
    "embedlab.recsys.interactions",
    "embedlab.recsys.metrics",
    "embedlab.recsys.mf",
    "embedlab.recsys.movielens",
    "embedlab.recsys.split",
    "embedlab.sentences",
    "embedlab.sentences.distill",
    "embedlab.sentences.interop",
    "embedlab.sentences.model",
    "embedlab.sentences.search",
    "embedlab.sentences.tune",
    "embedlab.subwords",
    "embedlab.tag",
    "embedlab.tag.brown",
    "embedlab.tag.conll",
    "embedlab.tag.spans",
    "embedlab.tag.tagger",
    "embedlab.text",
    "embedlab.train.corpora",
    "embedlab.train.fasttext",
    "embedlab.train.glove",
    "embedlab.train.torch_path",
    "embedlab.train.word2vec",
    "embedlab.vectors",
    "embedlab.viz",
    "embedlab.viz.plot",
    "embedlab.viz.project",
    "embedlab.viz.projector",
    "embedlab.vocab",
    "embedlab.web",
]


def _public_functions(module_name: str) -> Iterator[tuple[str, Callable[..., Any]]]:
    module = importlib.import_module(module_name)
    for name, value in vars(module).items():
        if name.startswith("_") or not inspect.isfunction(value):
            continue
        if value.__module__ == module_name:  # defined here, not imported
            yield name, value


def _missing_sections(function: Callable[..., Any]) -> list[str]:
    doc = inspect.getdoc(function) or ""
    signature = inspect.signature(function)
    missing = []
    if any(p for p in signature.parameters if p not in ("self", "cls")) and "Args:" not in doc:
        missing.append("Args")
    if signature.return_annotation not in (None, "None") and "Returns:" not in doc:
        missing.append("Returns")
    source = inspect.getsource(function)
    if ("raise " in source or "check_param(" in source) and "Raises:" not in doc:
        missing.append("Raises")
    return missing


@pytest.mark.parametrize("module_name", DOCUMENTED)
def test_public_functions_are_documented(module_name: str) -> None:
    gaps = {
        name: missing
        for name, function in _public_functions(module_name)
        if (missing := _missing_sections(function))
    }
    assert not gaps, f"{module_name}: docstrings lack sections: {gaps}"
