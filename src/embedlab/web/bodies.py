"""The request bodies the explorer accepts, as pydantic models (they also document /docs).

Bodies are read by :func:`read_body` (size-capped) and parsed by pydantic's own JSON parser,
which refuses what the standard library would choke on: nesting deeper than a few hundred
levels (``[`` x 20,000 raised ``RecursionError``) and escapes of lone surrogates (``"\\ud800"``
is no character: answering it failed to encode). Each is one 400 with a sentence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from ._errors import ApiError
from .state import MAX_KEY_CHARS, Limits

if TYPE_CHECKING:
    from fastapi import Request


class NeighborsBody(BaseModel):
    """``{"keys": ["king", "paris"], "k": 10, "exact": false}``."""

    # strict: ``true`` is not k=1, ``5.0`` is not 5, ``"yes"`` is not true
    model_config = ConfigDict(strict=True, extra="ignore")

    keys: list[str] = Field(description="The keys to answer for (1 to max_batch_keys, see /api/info).")
    k: int | None = Field(None, ge=1, description="How many neighbours (1 to max_k; default 10).")
    exact: bool = Field(False, description="Exact even when an approximate index is ready.")

    @field_validator("keys")
    @classmethod
    def _keys_within_limits(cls, keys: list[str], info: ValidationInfo) -> list[str]:
        limits = _limits(info)
        if not all(0 < len(key) <= MAX_KEY_CHARS for key in keys):
            raise ValueError(KEYS_SHAPE)
        if not 1 <= len(keys) <= limits.max_batch_keys:
            raise ValueError(f"give 1 to {limits.max_batch_keys} keys; got {len(keys)}")
        return keys

    @field_validator("k", mode="before")
    @classmethod
    def _k_within_limits(cls, k: Any, info: ValidationInfo) -> Any:
        limits = _limits(info)
        # an explicit null is not "the default"; the upper bound is the server's setting
        if k is None or (type(k) is int and k > limits.max_k):
            raise ValueError(f"k must be an int from 1 to {limits.max_k}; got {k!r}")
        return k


KEYS_SHAPE = f"keys must be non-empty strings of at most {MAX_KEY_CHARS} characters"


def _limits(info: ValidationInfo) -> Limits:
    context = info.context if isinstance(info.context, dict) else {}
    limits = context.get("limits")
    return limits if isinstance(limits, Limits) else Limits()


def _explain(exc: ValidationError, limits: Limits) -> str:
    """One sentence for the first problem pydantic found, in the words of the API's docs."""
    error = exc.errors(include_url=False)[0]
    kind, where = error["type"], error["loc"]
    if kind == "json_invalid":
        reason = str(error.get("ctx", {}).get("error", ""))
        if "surrogate" in reason or "hex escape" in reason:
            return ("the body is not valid JSON: a \\u escape names a lone surrogate, which is "
                    f"no character ({reason}); send keys as UTF-8 text")
        return f"the body is not valid JSON ({reason})"
    if kind == "value_error":  # our own validators' sentences
        return str(error["msg"]).removeprefix("Value error, ")
    if not where or kind in ("model_type", "missing") or where == ("keys",):
        return 'expected a JSON object {"keys": [...], "k": 10}'
    if where[0] == "keys":
        return KEYS_SHAPE
    if where[0] == "k":
        return f"k must be an int from 1 to {limits.max_k}; got {error['input']!r}"
    return f"exact must be true or false; got {error['input']!r}"


async def read_body(request: Request, limit: int) -> bytes:
    """The request's body, refused (400) as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(400, f"the body is larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(400, f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_neighbors_body(body: bytes, limits: Limits) -> NeighborsBody:
    """``body`` validated against :class:`NeighborsBody` and ``limits``, or a 400 that says why."""
    try:
        return NeighborsBody.model_validate_json(body, context={"limits": limits})
    except ValidationError as exc:
        raise ApiError(400, _explain(exc, limits)) from None
