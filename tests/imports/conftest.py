"""Fixtures of the import tests: a fresh database per test, initialised by the CLI."""

import pytest
from sqlalchemy import Engine

from tests.imports.support import run


@pytest.fixture
def db(cli_db: Engine) -> Engine:
    """A database nobody has touched, initialised by ``memberops init``."""
    assert run("init").exit_code == 0
    return cli_db
