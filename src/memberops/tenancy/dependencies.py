"""Authentication of API requests: ``Authorization: Bearer KEY`` → :class:`Principal`, and the
per-endpoint permission check."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from memberops.kernel.errors import Unauthenticated
from memberops.kernel.web import SessionDep
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.service import authenticate_api_key


def get_principal(request: Request, session: SessionDep) -> Principal:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Send an API key as 'Authorization: Bearer KEY'.")
    return authenticate_api_key(session, token.strip())


def require(permission: Permission) -> Callable[..., Principal]:
    """A dependency giving the request's principal after checking it holds ``permission``."""

    def dependency(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        principal.require(permission)
        return principal

    dependency.__name__ = f"require_{permission.name}"
    return dependency
