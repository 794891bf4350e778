"""The exceptions embedlab raises.

Every error a user can cause derives from :class:`EmbedlabError`, so one ``except`` clause
catches them all. The subclasses also derive from the matching built-in exception
(``ValueError``, ``KeyError`` ...) so code written against the built-ins keeps working.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class EmbedlabError(Exception):
    """Base class of every error embedlab raises on purpose."""


class InvalidParameterError(EmbedlabError, ValueError):
    """A parameter has a value outside what the function accepts."""


class DataError(EmbedlabError, ValueError):
    """Input data is inconsistent: mismatched lengths, empty data, unknown labels, NaN ..."""


class UnknownKeyError(EmbedlabError, KeyError):
    """A key (word, item, node) is not in the vocabulary or the vectors."""

    def __init__(self, key: object, suggestions: Sequence[str] = (), what: str = "key") -> None:
        self.key = key
        self.suggestions = list(suggestions)
        message = f"{what} {key!r} is not in the vocabulary"
        if self.suggestions:
            message += "; did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return str(self.args[0])


class FormatError(EmbedlabError, ValueError):
    """A file does not follow the format it claims (or that was detected)."""

    def __init__(self, message: str, path: object = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message)


class WriteError(EmbedlabError, OSError):
    """A file or folder could not be written: no such place, no permission, no space left."""

    def __init__(self, path: object, cause: OSError) -> None:
        self.path = path
        reason = cause.strerror or str(cause)
        super().__init__(f"{path}: cannot write here ({reason}); choose a place you can write to")

    def __str__(self) -> str:  # OSError would print its own (errno, strerror) form
        return str(self.args[0])


def writing(path: object) -> _Writing:
    """``with writing(path): ...`` turns an OSError of the block into a :class:`WriteError`."""
    return _Writing(path)


class _Writing:
    def __init__(self, path: object) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, OSError) and not isinstance(exc, EmbedlabError):
            raise WriteError(self.path, exc) from None


class DatasetError(EmbedlabError):
    """A named dataset is unknown, cannot be fetched, or fails its checksum."""


class MissingExtraError(EmbedlabError, ImportError):
    """An optional dependency is not installed."""

    def __init__(self, module: str, extra: str) -> None:
        super().__init__(
            f"this feature needs the optional package {module!r}; "
            f"install it with: pip install 'embedlab[{extra}]'"
        )


def check_param(ok: bool, name: str, owner: str, expected: str, got: Any) -> None:
    """Raise the one-sentence parameter error used across embedlab unless ``ok``.

    >>> check_param(False, "window", "Word2Vec", "an int >= 1", 0)
    Traceback (most recent call last):
    ...
    embedlab.errors.InvalidParameterError: The 'window' parameter of Word2Vec must be an int >= 1. Got 0 instead.
    """
    if not ok:
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be {expected}. Got {got!r} instead."
        )


def require(module: str, extra: str) -> Any:
    """Import an optional dependency or raise :class:`MissingExtraError` naming the extra."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(module, extra) from exc
