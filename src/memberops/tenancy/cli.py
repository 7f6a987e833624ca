"""What every ``memberops`` command starts from: the deployment's sessions, and a tenant's
admin acting as the person at the terminal (so the audit log names who ran the command)."""

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker

from memberops.kernel.db import engine_for, make_session_factory
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
