"""One hierarchy of domain errors.

Each error carries a stable ``code`` (documented under the same anchor in docs/errors.md), the
HTTP status the API answers with, a short title and any data fields a client can act on. The API
renders them as RFC 9457 problem documents; the CLI prints the detail and exits non-zero.
"""

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every error a caller can cause and fix."""

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, **fields: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fields = fields


class NotFound(DomainError):
    """No such thing in this tenant; another tenant's rows answer the same, never 403."""

    code = "not_found"
    status = 404
    title = "Not found"


class Conflict(DomainError):
    """The request contradicts what is stored: a duplicate, or a change no longer possible."""

    code = "conflict"
    status = 409
    title = "Conflict"


class InvalidInput(DomainError):
    """Input that parsed but makes no sense; ``errors`` lists each offending location."""

    code = "invalid_input"
    status = 422
    title = "Invalid input"


class Unauthenticated(DomainError):
    """No credential: send an API key as ``Authorization: Bearer KEY``."""

    code = "auth.unauthenticated"
    status = 401
    title = "Authentication required"


class Forbidden(DomainError):
    """The key's scope (a user's role) lacks the permission needed; ``permission`` names it."""

    code = "auth.forbidden"
    status = 403
    title = "Not allowed"


class PayloadTooLarge(DomainError):
    """The request body is over ``MEMBEROPS_MAX_BODY_BYTES``; ``max_bytes`` gives the limit."""

    code = "request.too_large"
    status = 413
    title = "Request body too large"


def error_anchor(code: str) -> str:
    """The docs/errors.md anchor of an error code: dots and underscores become hyphens."""
    return code.replace(".", "-").replace("_", "-")
