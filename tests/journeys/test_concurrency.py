"""Three workers advancing one journey's 300 due members at once, with real commits: each
position is claimed by exactly one of them (``SKIP LOCKED``) and each member gets one message.
PostgreSQL only: SQLite takes one writer at a time already."""

import threading
import uuid

import pytest
from sqlalchemy import Engine, func, insert, select

from memberops.journeys.handlers import enter_triggered
from memberops.journeys.jobs import advance_due
from memberops.kernel import clock
from memberops.kernel.db import make_session_factory
from memberops.kernel.settings import Settings
from memberops.members.models import Member
from memberops.messaging.models import Message
from memberops.tenancy import service as tenancy
from memberops.tenancy.models import Role
from tests.journeys.support import NOW, journey

pytestmark = pytest.mark.postgres_only
MEMBERS = 300
WORKERS = 3


def test_workers_at_once_claim_each_position_once(fresh_engine: Engine) -> None:
    factory = make_session_factory(fresh_engine)
    settings = Settings(database_url="sqlite://")
    with clock.frozen(NOW):
        with factory() as session:
            with session.begin():
                created = tenancy.create_tenant(session, f"j-{uuid.uuid4().hex[:6]}", settings)
                principal = tenancy.principal_for(created, Role.admin, "test")
                row = {"tenant_id": created.id, "custom": {}, "created_at": NOW, "updated_at": NOW}
                ids = session.scalars(insert(Member).returning(Member.id), [row] * MEMBERS).all()
            journey(session, principal, [{"type": "send", "channel": "log", "body": "hi"}])
            with session.begin():
                for member_id in ids:
                    enter_triggered(session, created.id, "order_paid", member_id, "o")
        claimed: list[int] = []
        start = threading.Barrier(WORKERS)

        def work() -> None:
            start.wait()
            while batch := advance_due(factory, NOW, 20):
                claimed.append(batch)

        threads = [threading.Thread(target=work) for _ in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sum(claimed) == MEMBERS
    query = (
        select(Message.member_id, func.count().label("n"))
        .where(Message.tenant_id == created.id)
        .group_by(Message.member_id)
    )
    with factory() as session:
        sent = {row.member_id: row.n for row in session.execute(query)}
    assert sent == dict.fromkeys(ids, 1)
