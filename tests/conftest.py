"""Test fixtures: every DB test runs on SQLite and, when ``MEMBEROPS_TEST_DATABASE_URL`` is set
(always in CI), on PostgreSQL.

Migrations are applied once per backend per session (which tests them); each test then runs in
a connection whose outer transaction is rolled back, with the session and the API joined to it
through SAVEPOINTs (SQLAlchemy's "join a session into an external transaction" recipe).
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from memberops.api.app import create_app
from memberops.kernel.db import make_engine, make_session_factory, normalise_url
from memberops.kernel.settings import Settings, get_settings
from memberops.migrations import upgrade
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from memberops.wiring import register_handlers
from tests.races import Racer

PG_URL_VAR = "MEMBEROPS_TEST_DATABASE_URL"


@pytest.fixture(scope="session", autouse=True)
def _wired() -> None:
    """Every room's handlers, as every entry point registers them (merges move activity)."""
    register_handlers()


def pytest_report_header() -> str:
    url = os.environ.get(PG_URL_VAR)
    return f"PostgreSQL backend: {make_url(url).render_as_string() if url else 'not configured'}"


def _postgres_engine() -> Iterator[Engine]:
    """A fresh database beside the one ``MEMBEROPS_TEST_DATABASE_URL`` names, dropped after."""
    url = os.environ.get(PG_URL_VAR)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{PG_URL_VAR} must be set in CI: the PostgreSQL suite cannot be skipped")
        pytest.skip(f"PostgreSQL tests need {PG_URL_VAR} (make test / .ci/run set it)")
    base = make_url(normalise_url(url))
    name = f"{base.database}_t{uuid.uuid4().hex[:8]}"
    admin = make_engine(base.render_as_string(hide_password=False)).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(base.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def cli_db(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A fresh database named by the environment, as the CLI reads it in production, and an
    engine to inspect it (nothing migrated: a test runs ``memberops init`` itself)."""
    if backend == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path / 'cli.db'}"])
    else:
        urls = (e.url.render_as_string(hide_password=False) for e in _postgres_engine())
    for url in urls:
        monkeypatch.setenv("MEMBEROPS_DATABASE_URL", url)
        get_settings.cache_clear()
        engine = make_engine(url)
        yield engine
        engine.dispose()
        get_settings.cache_clear()


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgresql_engine() -> Iterator[Engine]:
    for engine in _postgres_engine():
        upgrade(engine)
        yield engine


@pytest.fixture(scope="module")
def fresh_engine() -> Iterator[Engine]:
    """A migrated PostgreSQL database of the module's own, dropped afterwards: for tests that
    commit for real (the concurrency tests), which the rolled-back ``connection`` cannot host."""
    for engine in _postgres_engine():
        upgrade(engine)
        yield engine


@pytest.fixture
def app_and_key(fresh_engine: Engine) -> Racer:
    """The real app on ``fresh_engine`` (its own session per request) and a new tenant with an
    admin key."""
    settings = Settings(database_url="sqlite://", secret_key="test")
    with make_session_factory(fresh_engine)() as session, session.begin():
        created = tenancy.create_tenant(session, f"race-{uuid.uuid4().hex[:8]}", settings)
        admin = tenancy.principal_for(created, Role.admin, "test")
        key = tenancy.create_api_key(session, admin, Role.admin)
    return Racer(create_app(settings, fresh_engine), {"Authorization": f"Bearer {key}"}, created.id)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def engine(backend: str, request: pytest.FixtureRequest) -> Engine:
    """The migrated engine of the test's backend."""
    return request.getfixturevalue(f"{backend}_engine")  # type: ignore[no-any-return]


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    """Sessions joined to the test's outer transaction; their commits are savepoint releases."""
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def settings() -> Settings:
    return Settings(database_url="sqlite://", secret_key="test")


@pytest.fixture
def client(
    settings: Settings, engine: Engine, session_factory: sessionmaker[Session]
) -> TestClient:
    app = create_app(settings, engine)
    app.state.session_factory = session_factory
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def tenant(session: Session, settings: Settings) -> Principal:
    """An admin principal of a fresh tenant ``acme``."""
    with session.begin():
        created = tenancy.create_tenant(session, f"acme-{uuid.uuid4().hex[:6]}", settings)
    return tenancy.principal_for(created, Role.admin, "test")


@pytest.fixture
def other_tenant(session: Session, settings: Settings) -> Principal:
    with session.begin():
        created = tenancy.create_tenant(session, f"rival-{uuid.uuid4().hex[:6]}", settings)
    return tenancy.principal_for(created, Role.admin, "test")


def _keys(session: Session, principal: Principal) -> dict[Role, dict[str, str]]:
    with session.begin():
        return {
            role: {"Authorization": f"Bearer {tenancy.create_api_key(session, principal, role)}"}
            for role in Role
        }


@pytest.fixture
def headers(session: Session, tenant: Principal) -> dict[Role, dict[str, str]]:
    """Authorization headers of ``tenant``, one per role."""
    return _keys(session, tenant)


@pytest.fixture
def other_headers(session: Session, other_tenant: Principal) -> dict[Role, dict[str, str]]:
    return _keys(session, other_tenant)


@pytest.fixture
def admin(headers: dict[Role, dict[str, str]]) -> dict[str, str]:
    return headers[Role.admin]


@pytest.fixture(scope="session")
def reference_data() -> Path:
    """The shared reference data sets (CDNOW, UCI Online Retail…); absent → skip, or fail in CI."""
    path = Path(os.environ.get("MEMBEROPS_REFERENCE_DATA", "../shared/data"))
    if not path.is_dir():
        message = f"reference data not found at {path} (set MEMBEROPS_REFERENCE_DATA)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path
