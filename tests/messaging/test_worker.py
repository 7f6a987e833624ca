"""The worker delivers the outbox: ``memberops worker --once`` sends what is due and says so,
and the worker thread of ``memberops serve`` delivers what the API queues."""

import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from memberops import worker
from memberops.cli import app
from memberops.kernel.db import make_session_factory
from memberops.kernel.settings import Settings
from memberops.messaging import service
from memberops.messaging.delivery import Delivered
from memberops.messaging.models import Message, MessageStatus
from memberops.tenancy import service as tenancy
from memberops.tenancy.models import Role
from tests.console.support import cli, running_server
from tests.messaging.support import LINKS, message


def test_worker_once_delivers_the_outbox(cli_db: Engine) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    factory = make_session_factory(cli_db)
    with factory.begin() as session:
        default = tenancy.principal_for(tenancy.get_tenant(session, "default"), Role.admin, "t")
        for n in range(3):
            service.enqueue(session, default, message(body=f"#{n}"), f"k{n}", link_base=LINKS)

    done = runner.invoke(app, ["worker", "--once"])

    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[-1] == "outbox\t3 messages: 3 delivered"
    with factory.begin() as session:
        statuses = session.scalars(select(Message.status)).all()
    assert statuses == [MessageStatus.delivered] * 3
    assert runner.invoke(app, ["worker", "--once"]).stdout == ""


def test_the_served_app_delivers_what_its_api_queues(tmp_path: Path) -> None:
    """``make run``: a message queued over the API is delivered by the worker thread beside
    the server, with no process of its own."""

    def prepare(env: dict[str, str], home: Path) -> str:
        cli(env, home, "init")
        return cli(env, home, "apikey", "create", "--tenant", "default", "--scope", "admin")

    settings = {"MEMBEROPS_WORKER_IN_PROCESS": "true", "MEMBEROPS_OUTBOX_POLL_SECONDS": "0.1"}
    with running_server(tmp_path, prepare, settings) as (base, key):
        headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "served-1"}
        with httpx.Client(base_url=base, headers=headers, trust_env=False, timeout=10) as api:
            queued = api.post("/api/v1/messages", json={"recipient": "x", "body": "hi"}).json()
            for _ in range(100):  # at most 10 seconds
                read = api.get(f"/api/v1/messages/{queued['id']}").json()
                if read["status"] == "delivered":
                    break
                time.sleep(0.1)
    assert (read["status"], read["attempts"]) == ("delivered", 1)
    assert f"message mo-1-{queued['id']} to x:  hi" in (tmp_path / "server.log").read_text()


def test_a_failing_delivery_never_stops_the_worker(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    rounds: list[int] = []
    stop = threading.Event()

    def failing(*_: object) -> Delivered:
        rounds.append(1)
        if len(rounds) == 3:
            stop.set()
        raise ConnectionError("the database restarts")  # logged; the loop goes on

    monkeypatch.setattr(worker, "deliver_due", failing)
    monkeypatch.setattr(worker, "run_due", lambda *_: [])
    settings = Settings(
        database_url="sqlite://", worker_poll_seconds=0.01, outbox_poll_seconds=0.01
    )
    worker.work(session_factory, settings, stop)
    assert len(rounds) == 3
