"""What every room's router needs from the web layer: the request's database session.

The session is opened with its transaction around the endpoint function and committed before
the response is sent (``scope="function"``), so a client never sees a success that was not
stored; an error anywhere in the endpoint rolls everything back.
"""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

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
