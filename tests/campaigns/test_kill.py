"""Acceptance: a campaign to 10,000 members survives a killed worker, on a real database.

The campaign (two variants: one rendered per member with a tracked link, one the same for all)
is launched in-process; ``memberops worker`` delivers its SMS to a local provider that
deduplicates by ``Idempotency-Key``, as providers do. The provider holds its 1,500th request
after accepting it, the test SIGKILLs the worker with that request in flight, then starts two
workers at once. The provider ends with exactly one message per eligible member (reachable and
outside the holdout) and none for the holdout or for anyone a guard rail skipped.
"""

import signal
import subprocess
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from memberops.campaigns import service
from memberops.campaigns.assign import draw
from memberops.campaigns.guard_rails import Rules
from memberops.kernel.db import make_engine, make_session_factory
from memberops.kernel.settings import Settings
from memberops.messaging.models import Message, MessageStatus
from memberops.migrations import upgrade
from memberops.tenancy import service as tenancy
from memberops.tenancy.models import Role
from tests.campaigns.support import LINKS, crowd, draft, kind_of, phone_of, seed
from tests.conftest import _postgres_engine
from tests.messaging.servers import Answer, Request, http_server
from tests.messaging.support import start_worker, wait_for

MEMBERS = 10_000
HOLD_AT = 1_500
#: No quiet hours: the test runs at any hour of the day.
ALWAYS = Rules(quiet_start=time(0), quiet_end=time(0))


@pytest.fixture
def db(backend: str, tmp_path: Path) -> Iterator[Engine]:
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'campaign.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    for engine in _postgres_engine():
        upgrade(engine)
        yield engine


def _launch(engine: Engine) -> tuple[int, set[str], set[str]]:
    """The tenant, the phones that must get one message, and the holdout's phones."""
    settings = Settings(database_url="sqlite://")
    with make_session_factory(engine).begin() as session:
        created = tenancy.create_tenant(session, f"kill-{uuid.uuid4().hex[:6]}", settings)
        principal = tenancy.principal_for(created, Role.admin, "test")
        ids = seed(session, created.id, MEMBERS)
        campaign = draft(session, principal, crowd(session, created.id, ids))
        service.launch(session, principal, campaign.id, ALWAYS, LINKS)
    reachable = [(n, m) for n, m in enumerate(ids) if kind_of(n) == "reachable"]
    held = {phone_of(n) for n, m in reachable if draw(campaign.id, m, 0) < 10}
    return created.id, {phone_of(n) for n, _ in reachable} - held, held


def _start(engine: Engine, url: str, home: Path) -> subprocess.Popen[bytes]:
    env = {
        "MEMBEROPS_SMS_BASE_URL": url,
        "MEMBEROPS_SMS_API_KEY": "kill-test",
        "MEMBEROPS_OUTBOX_BATCH_SIZE": "200",
        "MEMBEROPS_DAILY_JOBS_AT": "23:59:59",
    }
    return start_worker(engine, home, env)


def _left(engine: Engine, tenant_id: int) -> int:
    query = select(func.count()).select_from(Message).where(Message.tenant_id == tenant_id)
    with engine.connect() as connection:
        return int(connection.scalar(query.where(Message.status != MessageStatus.delivered)) or 0)


class SmsProvider:
    """Accepts each ``Idempotency-Key`` once (a resend is answered 200, not sent again) and
    counts the texts each phone received; holds the ``HOLD_AT``-th request after accepting it."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.received: Counter[str] = Counter()
        self.count = 0
        self.lock = threading.Lock()
        self.held, self.release = threading.Event(), threading.Event()

    def __call__(self, request: Request) -> Answer:
        key = request.headers["Idempotency-Key"]
        with self.lock:
            self.count += 1
            if key not in self.keys:
                self.keys.add(key)
                self.received[request.json()["to"]] += 1
            hold = self.count == HOLD_AT
        if hold:
            self.held.set()
            self.release.wait(30)
        return Answer(200, {"id": f"sms-{key}"})


def test_a_killed_worker_sends_each_eligible_member_exactly_one_message(
    db: Engine, tmp_path: Path
) -> None:
    tenant_id, eligible, holdout = _launch(db)
    provider = SmsProvider()
    with http_server(provider) as (url, _):
        first = _start(db, url, tmp_path)
        try:
            wait_for([first], provider.held.is_set, 120)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            provider.release.set()
        assert 0 < len(eligible) - _left(db, tenant_id) < HOLD_AT
        workers = [_start(db, url, tmp_path) for _ in range(2)]
        try:
            wait_for(workers, lambda: _left(db, tenant_id) == 0, 180)
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(15)

    assert provider.received == Counter(dict.fromkeys(eligible, 1))
    assert not holdout & set(provider.received)
    assert len(eligible) > 0.9 * 0.7 * MEMBERS * 0.9
    assert [w.returncode for w in workers] == [0, 0]
