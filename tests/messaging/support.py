"""What the messaging tests share: a frozen moment, a message request, the outbox's rows,
webhook subscriptions with their signed deliveries, and worker processes."""

import hashlib
import hmac
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from memberops.kernel.settings import Settings
from memberops.messaging.channels.registry import Channels
from memberops.messaging.delivery import deliver_due
from memberops.messaging.models import DeliveryAttempt, Message
from memberops.messaging.schemas import MessageCreate
from tests.messaging.servers import Request

NOW = datetime(2026, 12, 3, 10, tzinfo=UTC)
#: Where tracked links point in the tests.
LINKS = "https://club.example"
#: Settings of the delivery tests: small batches, a short lease, 10 s backoff, 3 attempts.
SETTINGS = Settings(
    database_url="sqlite://",
    secret_key="test",
    outbox_batch_size=10,
    outbox_lease_seconds=60,
    outbox_backoff_seconds=10,
    outbox_backoff_max_seconds=25,
    outbox_max_attempts=3,
    outbox_send_timeout_seconds=2,
    webhook_secret="whsec",
)


def message(**overrides: Any) -> MessageCreate:
    values: dict[str, Any] = {"channel": "log", "recipient": "someone", "body": "你好", **overrides}
    return MessageCreate.model_validate(values)


def state(session: Session, message_id: int) -> Message:
    with session.begin():
        found = session.get(Message, message_id, populate_existing=True)
        assert found is not None
        return found


def receipts(session: Session, message_id: int) -> list[tuple[int, str, str]]:
    query = select(DeliveryAttempt).where(DeliveryAttempt.message_id == message_id)
    with session.begin():
        rows = session.scalars(query.order_by(DeliveryAttempt.id)).all()
        return [(r.number, str(r.outcome), r.detail) for r in rows]


WEBHOOKS = "/api/v1/webhooks"


def subscribe(
    client: TestClient, admin: dict[str, str], url: str, events: list[str]
) -> dict[str, Any]:
    """A new webhook subscription, with its secret."""
    response = client.post(WEBHOOKS, json={"url": url, "events": events}, headers=admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


def deliver(factory: sessionmaker[Session]) -> None:
    """One outbox round, as the worker's."""
    with Channels(SETTINGS) as channels:
        deliver_due(factory, SETTINGS, channels)


def delivery_log(client: TestClient, admin: dict[str, str], hook: dict[str, Any]) -> list[Any]:
    answer = client.get(f"{WEBHOOKS}/{hook['id']}/deliveries", headers=admin)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def verified(request: Request, secret: str) -> dict[str, Any]:
    """The webhook document, once its signature is checked as a receiver would."""
    digest = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Memberops-Signature"] == f"sha256={digest}"
    return dict(json.loads(request.body))


#: ``memberops`` run by this interpreter.
CLI = [sys.executable, "-c", "from memberops.cli import app; app()"]


def start_worker(engine: Engine, home: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """``memberops worker`` on ``engine``'s database, in ``home`` (where its log goes): a short
    lease and send timeout, the outbox polled every 0.1 s, daily rounds hourly; ``env`` adds
    the channel's settings."""
    settings = {
        "MEMBEROPS_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "MEMBEROPS_OUTBOX_LEASE_SECONDS": "5",
        "MEMBEROPS_OUTBOX_SEND_TIMEOUT_SECONDS": "2",
        "MEMBEROPS_OUTBOX_POLL_SECONDS": "0.1",
        "MEMBEROPS_WORKER_POLL_SECONDS": "3600",
    }
    with (home / f"worker-{uuid.uuid4().hex[:4]}.log").open("wb") as log:
        return subprocess.Popen(
            [*CLI, "worker"],
            env={**os.environ, **settings, **env},
            cwd=home,
            stdout=log,
            stderr=log,
        )


def wait_for(
    workers: list[subprocess.Popen[bytes]], done: Callable[[], bool], seconds: int
) -> None:
    """Wait up to ``seconds`` for ``done()``, failing at once if a worker exits; waiting on a
    worker is the pause between looks."""
    for _ in range(seconds * 10):
        if done():
            return
        try:
            workers[0].wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            pass
        if any(w.poll() is not None for w in workers):
            pytest.fail(f"a worker exited with status {[w.poll() for w in workers]}")
    pytest.fail(f"not done within {seconds} seconds")
