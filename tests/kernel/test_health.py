"""``GET /healthz``: 200 while the database answers, 503 (never a 500) when it does not."""

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text

from memberops import __version__
from memberops.api.app import create_app
from memberops.kernel.db import make_engine
from memberops.kernel.settings import Settings

UNAVAILABLE = {"status": "unavailable", "database": "unreachable"}


def test_healthy_with_a_working_database(engine: Engine) -> None:
    response = TestClient(create_app(Settings(secret_key="test"), engine)).get("/healthz")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "version": __version__}


def test_healthy_while_a_write_transaction_holds_the_lock(connection: Connection) -> None:
    """The ``connection`` fixture holds an open write transaction (on SQLite the database's one
    write lock); the probe must not wait for it."""
    connection.execute(text("UPDATE tenants SET name = name"))
    response = TestClient(create_app(Settings(secret_key="test"), connection.engine)).get(
        "/healthz"
    )
    assert response.status_code == 200


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local TCP port that is bound but not listening, so connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def _health(engine: Engine) -> tuple[int, object]:
    try:
        client = TestClient(create_app(Settings(secret_key="test"), engine))
        response = client.get("/healthz")
        return response.status_code, response.json()
    finally:
        engine.dispose()


def test_unavailable_when_postgresql_does_not_answer(closed_port: int) -> None:
    engine = make_engine(f"postgresql://memberops@127.0.0.1:{closed_port}/memberops")
    assert _health(engine) == (503, UNAVAILABLE)


def test_unavailable_when_the_sqlite_file_cannot_be_opened(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'no-such-directory' / 'memberops.db'}")
    assert _health(engine) == (503, UNAVAILABLE)


def test_recovers_when_the_database_comes_back(tmp_path: Path) -> None:
    """The same app answers 503 while the directory is missing and 200 once it exists."""
    folder = tmp_path / "later"
    engine = make_engine(f"sqlite:///{folder / 'memberops.db'}")
    try:
        client = TestClient(create_app(Settings(secret_key="test"), engine))
        assert client.get("/healthz").status_code == 503
        folder.mkdir()
        assert client.get("/healthz").status_code == 200
    finally:
        engine.dispose()
