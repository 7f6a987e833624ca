"""Every error the API answers with, rendered in one place as an RFC 9457 problem document.

``type`` points at the error's anchor in docs/errors.md; ``code`` is the stable machine-readable
name; validation errors carry ``errors`` with the location of each offending field.
"""

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from memberops.kernel.errors import DomainError, error_anchor

PROBLEM_JSON = "application/problem+json"
#: Where problem ``type`` URIs point: the catalogue the app serves (and docs/errors.md mirrors).
ERRORS_DOC = "/errors"
log = logging.getLogger("memberops.api")

_HTTP_CODES = {
    400: "request.bad",
    401: "auth.unauthenticated",
    403: "auth.forbidden",
    404: "request.not_found",
    405: "request.method_not_allowed",
    413: "request.too_large",
    415: "request.unsupported_media_type",
}


class Problem(BaseModel):
    """An RFC 9457 problem document as memberops renders it (data fields vary by ``code``)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str


def _documented(meaning: str) -> dict[str, Any]:
    return {
        "model": Problem,
        "description": meaning,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


#: The errors every ``/api/v1`` route can answer with, declared in the OpenAPI document.
API_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _documented("Unreadable request body"),
    401: _documented("Missing, malformed or unknown API key"),
    403: _documented("The key's scope lacks the permission"),
    404: _documented("No such resource in this tenant"),
    409: _documented("Conflicts with the current state"),
    413: _documented("Request body over the size limit"),
    422: _documented("Invalid input; `errors` lists each location"),
}


def problem(
    request: Request, status: int, code: str, title: str, detail: str, /, **fields: Any
) -> JSONResponse:
    """The problem document; an error's data field named like a standard member (``status``,
    ``code``…) cannot replace that member."""
    body = {
        **fields,
        "type": f"{ERRORS_DOC}#{error_anchor(code)}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "code": code,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


class RequestTooLarge(StarletteHTTPException):
    """A request body past the size limit, raised while the body is read. It is an HTTP
    exception because FastAPI's body parsing lets those through (any other error there would
    become a 400)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"Request bodies are limited to {max_bytes} bytes.")
        self.max_bytes = max_bytes


async def too_large(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestTooLarge)
    return problem(
        request,
        413,
        "request.too_large",
        "Request body too large",
        str(exc.detail),
        max_bytes=exc.max_bytes,
    )


def _location(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return problem(request, exc.status, exc.code, exc.title, exc.detail, **exc.fields)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(err["loc"]), "msg": err["msg"], "type": err["type"]} for err in exc.errors()
    ]
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    detail = f"{_location(first['loc'])}: {first['msg']}"
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more)"
    return problem(request, 422, "request.invalid", "Invalid request", detail, errors=errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, f"http.{exc.status_code}")
    title = HTTPStatus(exc.status_code).phrase.capitalize()
    return problem(request, exc.status_code, code, title, str(exc.detail))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(
        request,
        500,
        "internal",
        "Internal error",
        "Something went wrong on our side; it has been logged.",
    )


def install(app: FastAPI) -> None:
    """Route every error the app can raise to a problem document."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestTooLarge, too_large)
    app.add_exception_handler(Exception, _unexpected)
