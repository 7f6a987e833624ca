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
    code = "not_found"
    status = 404
    title = "Not found"


class Conflict(DomainError):
    code = "conflict"
    status = 409
    title = "Conflict"


class InvalidInput(DomainError):
    """Input that parsed but makes no sense; ``errors`` lists each offending location."""

    code = "invalid_input"
    status = 422
    title = "Invalid input"


class Unauthenticated(DomainError):
    code = "auth.unauthenticated"
    status = 401
    title = "Authentication required"


class Forbidden(DomainError):
    code = "auth.forbidden"
    status = 403
    title = "Not allowed"


class PayloadTooLarge(DomainError):
    code = "request.too_large"
    status = 413
    title = "Request body too large"


def error_anchor(code: str) -> str:
    """The docs/errors.md anchor of an error code: dots and underscores become hyphens."""
    return code.replace(".", "-").replace("_", "-")
