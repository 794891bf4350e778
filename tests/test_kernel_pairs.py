"""The one layout of kernels: ``pkg/_X_kernels.{py,c}`` beside ``pkg/_X_reference.py``, exporting
the same names with the same signatures, so the reference can stand in for the kernel."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from kernel_impls import reference_name

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "embedlab"


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(SRC).with_suffix("").parts)


KERNELS = sorted({module_name(p) for p in PACKAGE.rglob("_*_kernels.py")}
                 | {module_name(p) for p in PACKAGE.rglob("_*_kernels.c")})


def test_every_kernel_and_reference_follows_the_layout() -> None:
    assert len(KERNELS) >= 7, KERNELS
    for path in PACKAGE.rglob("_*"):
        if path.suffix not in (".py", ".c"):
            continue
        stem = path.stem
        if "kernel" in stem:
            assert stem.endswith("_kernels") and stem != "_kernels", f"{path}: name it _X_kernels"
            assert path.with_name(stem[: -len("_kernels")] + "_reference.py").exists(), \
                f"{path} has no _reference.py beside it"
        if "reference" in stem:
            twin = stem[: -len("_reference")] + "_kernels"
            assert stem.endswith("_reference") and (
                path.with_name(twin + ".py").exists() or path.with_name(twin + ".c").exists()
            ), f"{path} has no _kernels module beside it"


def public_names(module: object) -> list[str]:
    """A Python module's ``__all__``; a C module's public names (it has no ``__all__``)."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith("_")]
    return sorted(names)


def parameters(function: object) -> list[tuple[str, object, object]]:
    signature = inspect.signature(function)  # type: ignore[arg-type]
    return [(p.name, p.kind, p.default) for p in signature.parameters.values()]


@pytest.mark.parametrize("name", KERNELS)
def test_reference_exports_the_kernels_names_with_identical_signatures(name: str) -> None:
    kernels = importlib.import_module(name)
    reference = importlib.import_module(reference_name(name))
    assert public_names(kernels) == public_names(reference)
    assert public_names(kernels), name
    for attr in public_names(kernels):
        k, r = getattr(kernels, attr), getattr(reference, attr)
        if callable(k):
            assert parameters(k) == parameters(r), f"{name}.{attr}"
            assert k.__doc__ and r.__doc__, f"{name}.{attr} needs a docstring on both sides"
        else:
            assert k == r, f"{name}.{attr}"


def test_c_kernels_stub_declares_what_the_module_has() -> None:
    for name in KERNELS:
        module = importlib.import_module(name)
        stub = Path(module.__file__ or "").parent / (name.rpartition(".")[2] + ".pyi")
        if not stub.exists():
            continue
        declared: dict[str, list[str]] = {}
        for node in ast.parse(stub.read_text()).body:
            if isinstance(node, ast.FunctionDef):
                declared[node.name] = [a.arg for a in node.args.posonlyargs + node.args.args]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                declared[node.target.id] = []
        assert sorted(declared) == public_names(module)
        for attr, names in declared.items():
            if names:
                assert [p[0] for p in parameters(getattr(module, attr))] == names, attr


def test_references_import_without_numba() -> None:
    """A reference stands in where the kernel cannot run: it never imports numba itself."""
    names = [reference_name(n) for n in KERNELS]
    code = f"import importlib, sys\nfor n in {names!r}: importlib.import_module(n)\n" \
           "print(sorted(m for m in ('numba', 'torch') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(SRC), "PATH": ""})
    assert out.stdout.strip() == "[]"
