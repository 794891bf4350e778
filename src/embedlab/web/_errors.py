"""How the explorer answers errors: always JSON ``{"detail": ...}``, never a bare 500 for bad input."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import EmbedlabError, UnknownKeyError

if TYPE_CHECKING:
    from fastapi import FastAPI

MAX_DETAIL_CHARS = 1000


class ApiError(Exception):
    """An error answered as JSON: ``{"detail": ..., **extra}`` with ``status``."""

    def __init__(self, status: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.detail, self.extra = status, detail, extra


def install_error_handlers(app: FastAPI) -> None:
    """Answer API, validation, library and HTTP errors as JSON with the right status."""
    from fastapi import Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException as StarletteHTTPException

    async def api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return JSONResponse({"detail": exc.detail, **exc.extra}, status_code=exc.status)

    async def bad_request(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors()
        ]
        return JSONResponse({"detail": "; ".join(problems)[:MAX_DETAIL_CHARS]}, status_code=400)

    async def library_error(request: Request, exc: Exception) -> JSONResponse:
        status = 404 if isinstance(exc, UnknownKeyError) else 400
        return JSONResponse({"detail": str(exc)[:MAX_DETAIL_CHARS]}, status_code=status)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, bad_request)
    app.add_exception_handler(EmbedlabError, library_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
