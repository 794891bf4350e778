"""Run a test on a kernel module and on its plain reference (implicit's ``use_native`` idea).

``implementations("embedlab.train._glove_kernels")`` is a fixture with two parameters: the
kernel module itself, then ``_glove_reference`` standing in for it everywhere for the test's
duration (``sys.modules`` and every name a caller already imported from it), so a test that
trains a whole model trains it on the reference.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest


def reference_name(kernels_name: str) -> str:
    """``pkg._X_kernels`` -> ``pkg._X_reference``."""
    assert kernels_name.endswith("_kernels"), kernels_name
    return kernels_name[: -len("_kernels")] + "_reference"


def use_reference(monkeypatch: pytest.MonkeyPatch, kernels_name: str) -> ModuleType:
    """Make every caller of ``kernels_name`` run on its reference until the test ends."""
    kernels = importlib.import_module(kernels_name)
    reference = importlib.import_module(reference_name(kernels_name))
    monkeypatch.setitem(sys.modules, kernels_name, reference)
    parent, _, leaf = kernels_name.rpartition(".")
    monkeypatch.setattr(sys.modules[parent], leaf, reference)
    functions = {id(getattr(kernels, name)): getattr(reference, name)
                 for name in reference.__all__ if callable(getattr(kernels, name))}
    for name, module in list(sys.modules.items()):
        # Other kernel modules keep their compiled callees: numba cannot call Python functions.
        if not name.startswith("embedlab.") or name.endswith(("_kernels", "_reference")):
            continue
        for attr, value in list(vars(module).items()):
            if value is kernels:
                monkeypatch.setattr(module, attr, reference)
            elif callable(value) and id(value) in functions:
                monkeypatch.setattr(module, attr, functions[id(value)])
    return reference


def implementations(kernels_name: str) -> Callable[..., Any]:
    """A fixture giving the kernel module, then its reference standing in for it."""

    @pytest.fixture(params=["kernels", "reference"])
    def fixture(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
        if request.param == "kernels":
            return importlib.import_module(kernels_name)
        return use_reference(monkeypatch, kernels_name)

    return fixture
