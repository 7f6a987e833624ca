"""Exactly one delivery per idempotency key across a killed worker, on a real database.

2,000 webhook messages are queued; ``memberops worker`` delivers them to a local receiver that
deduplicates by delivery id, as providers do. The receiver holds the 700th request after
accepting it, the test SIGKILLs the worker while that request is in flight (its outcome is now
unknown to memberops: the worst moment), then starts two workers at once. Every message ends
delivered, the receiver accepted each delivery id exactly once, and the only resend it saw is
the one message whose outcome the killed worker never recorded.
"""

import signal
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from memberops.kernel.db import make_engine, make_session_factory
from memberops.kernel.settings import Settings
from memberops.messaging import service
from memberops.messaging.models import Message, MessageStatus
from memberops.migrations import upgrade
from memberops.tenancy import service as tenancy
from memberops.tenancy.models import Role
from tests.conftest import _postgres_engine
from tests.messaging.servers import Answer, Request, WebhookReceiver, http_server
from tests.messaging.support import LINKS, message, start_worker, wait_for

MESSAGES = 2_000
HOLD_AT = 700


@pytest.fixture
def db(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, migrated database the worker processes reach by URL."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    for engine in _postgres_engine():
        upgrade(engine)
        yield engine


def _queue(engine: Engine) -> int:
    """A tenant with MESSAGES webhook messages due now; the tenant's id."""
    settings = Settings(database_url="sqlite://")
    with make_session_factory(engine).begin() as session:
        created = tenancy.create_tenant(session, f"kill-{uuid.uuid4().hex[:6]}", settings)
        principal = tenancy.principal_for(created, Role.admin, "test")
        for n in range(MESSAGES):
            body = message(channel="webhook", body=f"#{n}")
            service.enqueue(session, principal, body, f"k{n}", link_base=LINKS)
    return created.id


def _start(engine: Engine, url: str, home: Path) -> subprocess.Popen[bytes]:
    env = {
        "MEMBEROPS_WEBHOOK_URL": url,
        "MEMBEROPS_WEBHOOK_SECRET": "kill-test",
        "MEMBEROPS_OUTBOX_BATCH_SIZE": "100",
    }
    return start_worker(engine, home, env)


def _delivered(engine: Engine, tenant_id: int) -> int:
    query = select(func.count()).select_from(Message).where(Message.tenant_id == tenant_id)
    with engine.connect() as connection:
        return int(connection.scalar(query.where(Message.status == MessageStatus.delivered)) or 0)


def test_a_killed_worker_delivers_each_message_exactly_once(db: Engine, tmp_path: Path) -> None:
    tenant_id = _queue(db)
    receiver, held, release = WebhookReceiver(), threading.Event(), threading.Event()
    held_ids: list[str] = []

    def provider(request: Request) -> Answer:
        answer = receiver(request)  # accepted before the answer is sent
        if receiver.count == HOLD_AT:
            held_ids.append(request.headers["X-Memberops-Delivery"])
            held.set()
            release.wait(30)
        return answer

    with http_server(provider) as (url, _):
        first = _start(db, url, tmp_path)
        try:
            wait_for([first], held.is_set, 120)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            release.set()
        assert 0 < _delivered(db, tenant_id) < HOLD_AT
        workers = [_start(db, url, tmp_path) for _ in range(2)]
        try:
            wait_for(workers, lambda: _delivered(db, tenant_id) == MESSAGES, 180)
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(15)

    ids = [f"mo-{tenant_id}-{n}" for n in _message_ids(db, tenant_id)]
    assert _delivered(db, tenant_id) == MESSAGES
    assert sorted(receiver.accepted) == sorted(ids)
    assert receiver.resent == held_ids
    assert [w.returncode for w in workers] == [0, 0]


def _message_ids(engine: Engine, tenant_id: int) -> list[int]:
    with engine.connect() as connection:
        return list(connection.scalars(select(Message.id).where(Message.tenant_id == tenant_id)))
