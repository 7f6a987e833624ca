"""What every ``memberops`` command starts from: the deployment's sessions, a tenant's admin
acting as the person at the terminal (so the audit log names who ran the command), and the one
way a refused command ends: its error code and detail on stderr, exit status 2."""

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.orm import Session, sessionmaker

from memberops.kernel.db import engine_for, make_session_factory
from memberops.kernel.errors import DomainError
from memberops.kernel.settings import get_settings
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role, Tenant
from memberops.tenancy.service import principal_for


def cli_actor() -> str:
    return f"cli:{getpass.getuser()}"


def acting_admin(tenant: Tenant) -> Principal:
    """The tenant's admin, acting as the person at the terminal (as every CLI command does)."""
    return principal_for(tenant, Role.admin, cli_actor())


@contextmanager
def sessions() -> Iterator[sessionmaker[Session]]:
    """Sessions of the deployment's database for one command, whose connections close when the
    command ends; a command handing work to a job that commits per batch needs the factory."""
    engine = engine_for(get_settings())
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


err = Console(stderr=True)
P = ParamSpec("P")
R = TypeVar("R")


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a domain error into a one-line message on stderr and exit status 2."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except DomainError as exc:
            # The detail is text, not markup (an email may hold "[/x]"), and stays on one line.
            err.print(f"[red]error[/red] ({exc.code}): {escape(exc.detail)}", soft_wrap=True)
            raise typer.Exit(2) from exc

    return wrapper
