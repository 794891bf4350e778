"""Parameters declared once: a small vocabulary of constraints and the one check that reads it.

Every public class lists its parameters in a class attribute ``_parameter_constraints``
(scikit-learn's idea): the parameter name, then the constraints of which at least one must
hold. ``validate_params(self)`` checks them all, in that order, and raises the one sentence
used across embedlab::

    The 'window' parameter of Word2Vec must be an int >= 1. Got 0 instead.

Estimators call it at the start of ``fit`` (constructors only store their arguments), so the
same rule holds everywhere and ``model.window = 0`` after construction is caught too. The
common test (tests/test_params.py) walks every public class and every entry of its table,
feeds an invalid value and expects that sentence.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import numpy as np

from .errors import InvalidParameterError, check_param

Closed = Literal["both", "left", "right", "neither"]


class Constraint:
    """One acceptable kind of value; ``description`` completes "must be ..."."""

    description = "valid"

    def is_satisfied_by(self, value: object) -> bool:
        raise NotImplementedError

    def invalid_example(self) -> object:
        """A value this constraint rejects (the common test feeds it)."""
        return object()


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class Interval(Constraint):
    """An int or a finite real number between ``left`` and ``right`` (``None``: unbounded).

    ``Interval(int, 1, None)`` reads "an int >= 1"; ``Interval(float, 0, 1, closed="left")``
    reads "a number in [0, 1)". Reals must be finite: ``inf`` and ``nan`` never pass, so a
    learning rate of ``inf`` is refused here instead of surfacing later as NaN vectors.
    """

    def __init__(self, kind: type, left: float | None, right: float | None,
                 closed: Closed = "both") -> None:
        if kind not in (int, float):
            raise TypeError("Interval takes int or float")
        self.kind = kind
        self.left = left
        self.right = right
        self.closed = closed
        noun = "an int" if kind is int else "a number"
        low_op = ">=" if closed in ("both", "left") else ">"
        high_op = "<=" if closed in ("both", "right") else "<"
        if left is not None and right is not None:
            if kind is int and closed == "both":
                self.description = f"{noun} in {left} .. {right}"
            else:
                opening = "[" if closed in ("both", "left") else "("
                ending = "]" if closed in ("both", "right") else ")"
                self.description = f"{noun} in {opening}{left}, {right}{ending}"
        elif left is not None:
            self.description = f"{noun} {low_op} {left}"
        elif right is not None:
            self.description = f"{noun} {high_op} {right}"
        else:
            self.description = noun if kind is int else "a finite number"

    def is_satisfied_by(self, value: object) -> bool:
        if self.kind is int:
            if not _is_int(value):
                return False
        elif not _is_real(value) or not math.isfinite(float(value)):  # type: ignore[arg-type]
            return False
        number = float(value)  # type: ignore[arg-type]
        left_open = self.closed in ("right", "neither")
        right_open = self.closed in ("left", "neither")
        too_low = self.left is not None and (number < self.left or (left_open and number == self.left))
        too_high = self.right is not None and (number > self.right or (right_open and number == self.right))
        return not (too_low or too_high)

    def invalid_example(self) -> object:
        if self.left is not None:
            return self.left - 1 if self.kind is int else float(self.left) - 1.0
        if self.right is not None:
            return self.right + 1 if self.kind is int else float(self.right) + 1.0
        return "1" if self.kind is int else float("nan")


class Options(Constraint):
    """One of a few values, e.g. ``Options({"skipgram", "cbow"})``: "'skipgram' or 'cbow'"."""

    def __init__(self, values: Iterable[object]) -> None:
        # A set has no order: sort it so the message is stable; a list or tuple keeps its own.
        self.values = tuple(sorted(values, key=repr) if isinstance(values, set | frozenset) else values)
        shown = [repr(v) for v in self.values]
        self.description = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]

    def is_satisfied_by(self, value: object) -> bool:
        return isinstance(value, str | int | float | bool | type(None)) and any(
            value == v and type(value) is type(v) for v in self.values
        )

    def invalid_example(self) -> object:
        return "no-such-option"


class Boolean(Constraint):
    description = "True or False"

    def is_satisfied_by(self, value: object) -> bool:
        return isinstance(value, bool | np.bool_)

    def invalid_example(self) -> object:
        return "yes"


class NoneValue(Constraint):
    description = "None"

    def is_satisfied_by(self, value: object) -> bool:
        return value is None


class IsCallable(Constraint):
    description = "a callable"

    def is_satisfied_by(self, value: object) -> bool:
        return callable(value)

    def invalid_example(self) -> object:
        return 3


class FilePath(Constraint):
    description = "a path (str or os.PathLike)"

    def is_satisfied_by(self, value: object) -> bool:
        return isinstance(value, str | os.PathLike) and str(value) != ""

    def invalid_example(self) -> object:
        return 3


class String(Constraint):
    description = "a non-empty string"

    def is_satisfied_by(self, value: object) -> bool:
        return isinstance(value, str) and value != ""

    def invalid_example(self) -> object:
        return 3


class InstanceOf(Constraint):
    """An instance of ``kind`` (named in the message as ``name``, e.g. "an embedlab.Vectors")."""

    def __init__(self, kind: type | tuple[type, ...], name: str) -> None:
        self.kind = kind
        self.description = name

    def is_satisfied_by(self, value: object) -> bool:
        return isinstance(value, self.kind)

    def invalid_example(self) -> object:
        return 3.5


class Device(Constraint):
    """A torch device name: ``'cpu'``, ``'cuda'`` or ``'cuda:N'`` (or a ``torch.device``)."""

    description = "'cpu', 'cuda' or 'cuda:N'"

    def is_satisfied_by(self, value: object) -> bool:
        if type(value).__name__ == "device" and type(value).__module__ == "torch":
            return True
        if not isinstance(value, str):
            return False
        if value in ("cpu", "cuda"):
            return True
        return value.startswith("cuda:") and value[5:].isdigit()

    def invalid_example(self) -> object:
        return "tpu"


class SequenceOf(Constraint):
    """A non-empty list or tuple whose every item satisfies ``item``."""

    def __init__(self, item: Constraint, allow_empty: bool = False) -> None:
        self.item = item
        self.allow_empty = allow_empty
        qualifier = "a" if allow_empty else "a non-empty"
        self.description = f"{qualifier} sequence of {_plural(item.description)}"

    def is_satisfied_by(self, value: object) -> bool:
        if not isinstance(value, list | tuple):
            return False
        return (self.allow_empty or len(value) > 0) and all(self.item.is_satisfied_by(v) for v in value)

    def invalid_example(self) -> object:
        return () if not self.allow_empty else 3


def _plural(description: str) -> str:
    for article in ("an ", "a "):
        if description.startswith(article):
            noun, _, rest = description[len(article):].partition(" ")
            return f"{noun}s {rest}".strip()
    return description


ConstraintSpec = Constraint | None
Table = Mapping[str, list[ConstraintSpec]]


def as_constraints(specs: list[ConstraintSpec]) -> list[Constraint]:
    """``None`` in a table stands for :class:`NoneValue` (as in scikit-learn)."""
    return [NoneValue() if spec is None else spec for spec in specs]


def describe(specs: list[ConstraintSpec]) -> str:
    """"an int >= 1 or None": the constraints joined, None last."""
    constraints = as_constraints(specs)
    constraints.sort(key=lambda c: isinstance(c, NoneValue))
    parts = [c.description for c in constraints]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


class _TypeName:
    """Shown in place of a value whose repr would not fit in one sentence (an array...)."""

    def __init__(self, value: object) -> None:
        name = type(value).__name__
        self.text = f"{'an' if name[0] in 'aeiou' else 'a'} {name} object"

    def __repr__(self) -> str:
        return self.text


def _shown(value: object) -> object:
    if isinstance(value, bool | int | float | str | bytes | type(None) | np.generic):
        return value
    if isinstance(value, list | tuple) and len(value) <= 8 and all(
            isinstance(v, bool | int | float | str | type(None)) for v in value):
        return value
    return _TypeName(value)


def check_value(name: str, value: object, specs: list[ConstraintSpec], owner: str) -> None:
    """Raise the one-sentence :class:`InvalidParameterError` unless one constraint holds."""
    ok = any(c.is_satisfied_by(value) for c in as_constraints(specs))
    check_param(ok, name, owner, describe(specs), _shown(value))


def validate_params(obj: Any, owner: str | None = None, table: Table | None = None) -> None:
    """Check every parameter of ``obj`` declared in its ``_parameter_constraints`` table."""
    owner = owner or type(obj).__name__
    table = type(obj)._parameter_constraints if table is None else table
    for name, specs in table.items():
        check_value(name, getattr(obj, name), specs, owner)


def validate_arguments(owner: str, table: Table, values: Mapping[str, object]) -> None:
    """The same check for a function's arguments (``values`` as given)."""
    for name, specs in table.items():
        if name in values:
            check_value(name, values[name], specs, owner)


def invalid_value(specs: list[ConstraintSpec]) -> object:
    """A value that none of ``specs`` accepts (for the common test)."""
    constraints = as_constraints(specs)
    constraints.sort(key=lambda c: isinstance(c, NoneValue))  # None's example says little
    candidates = [c.invalid_example() for c in constraints] + [object(), -7.5, "no-such-option", 3]
    for candidate in candidates:
        if not any(c.is_satisfied_by(candidate) for c in constraints):
            return candidate
    raise RuntimeError(f"no invalid value found for {describe(specs)}")  # pragma: no cover


# A few shared entries: every estimator spells these the same way.
SEED: list[ConstraintSpec] = [Interval(int, 0, None)]
PROGRESS: list[ConstraintSpec] = [Boolean()]
WORKERS: list[ConstraintSpec] = [Interval(int, 1, None)]


def check_vector_inputs(keys: object, matrix: object, owner: str = "Vectors") -> np.ndarray:
    """Refuse what cannot make vectors before numpy converts it: keys that are ``None`` or one
    string, a matrix that is ``None`` or holds complex, string or object values, and vectors
    of dimension 0.

    ``Vectors.__init__`` calls it first: ``np.asarray(m, np.float32)`` would turn ``None`` into
    NaN, drop the imaginary part of complex numbers and parse strings as numbers. Returns the
    matrix as an array (converted once, here), for the caller to go on with.
    """
    if keys is None or isinstance(keys, str | bytes) or not isinstance(keys, Iterable):
        shown = "None" if keys is None else type(keys).__name__
        raise InvalidParameterError(
            f"The 'keys' parameter of {owner} must be a sequence of keys (one per row). "
            f"Got {shown} instead."
        )
    if matrix is None:
        raise InvalidParameterError(
            f"The 'matrix' parameter of {owner} must be a 2-D array of real numbers. Got None instead."
        )
    array = matrix if isinstance(matrix, np.ndarray) else np.asarray(matrix)
    if array.dtype.kind not in "biuf":
        what = {"c": "complex", "U": "string", "S": "bytes", "O": "object", "M": "datetime",
                "m": "timedelta", "V": "structured"}.get(array.dtype.kind, str(array.dtype))
        raise InvalidParameterError(
            f"The 'matrix' parameter of {owner} must hold real numbers. Got {what} values "
            f"(dtype {array.dtype}) instead."
        )
    if array.ndim == 2 and array.shape[1] == 0:
        raise InvalidParameterError(
            f"The 'matrix' parameter of {owner} must have at least one column (vectors of "
            f"dimension >= 1). Got shape {array.shape} instead."
        )
    return array


__all__ = [
    "Boolean", "Constraint", "Device", "InstanceOf", "Interval", "IsCallable", "NoneValue",
    "FilePath", "Options", "SequenceOf", "String", "check_vector_inputs", "check_value", "describe",
    "invalid_value", "validate_arguments", "validate_params",
]
