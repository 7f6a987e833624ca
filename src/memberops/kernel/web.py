"""What every room's router needs from the web layer: the request's database session.

The session is opened with its transaction around the endpoint function and committed before
the response is sent (``scope="function"``), so a client never sees a success that was not
stored; an error anywhere in the endpoint rolls everything back.
"""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request
from sqlalchemy.orm import Session, sessionmaker

from memberops.kernel.models import KEY_MAX_LENGTH
from memberops.kernel.pagination import MAX_KEY
from memberops.kernel.settings import Settings


def get_session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session, session.begin():
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_settings_of_app(request: Request) -> Settings:
    """The settings the app was built with (not the environment's: tests build apps freely)."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_of_app)]


#: The optional ``Idempotency-Key`` header of a write (see ``kernel.idempotency``).
IdempotencyKeyDep = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=KEY_MAX_LENGTH,
        description="Send the same key to retry safely: the operation happens once and a "
        "retry gets the first answer.",
    ),
]
#: The same header where the operation moves value (points, money): a retry without it could
#: happen twice, so a request without one is refused (422 naming the header).
RequiredIdempotencyKeyDep = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=KEY_MAX_LENGTH,
        description="Required: send the same key to retry safely; the operation happens once "
        "and a retry gets the first answer.",
    ),
]

#: A member id in a path (ids are 64-bit: a larger number is a 422, never a 500).
MemberId = Annotated[int, Path(ge=1, le=MAX_KEY, description="A member id")]
#: The ``cursor`` and ``limit`` of a paginated list (``kernel.pagination``).
Cursor = Annotated[str | None, Query(max_length=200, description="From the previous page")]
Limit = Annotated[int, Query(ge=1, le=500)]
