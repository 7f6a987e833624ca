"""Watches with a moving clock: a figure past its threshold tells the operator once per period
(not at every check), a figure short of it tells nobody, and each figure reads what it says."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from memberops.crowds.schemas import CrowdCreate
from memberops.crowds.service import create_crowd
from memberops.insights.lifecycle.models import MemberStage, Stage
from memberops.kernel import clock
from memberops.messaging.models import Message
from memberops.tenancy.access import Principal
from memberops.watches import service
from memberops.watches.jobs import run_round
from memberops.watches.models import Watch
from memberops.watches.schemas import WatchCreate
from tests.community.support import members

#: 18:00 in Shanghai on Thursday 3 December 2026.
NOW = datetime(2026, 12, 3, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _watch(session: Session, principal: Principal, **fields: Any) -> int:
    body = {"name": f"watch {fields}", "figure": "dormant_share", "threshold": "40", **fields}
    with session.begin():
        return service.create_watch(session, principal, WatchCreate.model_validate(body)).id


def _stages(session: Session, principal: Principal, *stages: Stage) -> None:
    ids = members(session, principal, len(stages))
    with session.begin():
        for member_id, stage in zip(ids, stages, strict=True):
            session.add(
                MemberStage(
                    tenant_id=principal.tenant_id,
                    member_id=member_id,
                    stage=stage,
                    reactivated=False,
                    since=NOW,
                    computed_at=NOW,
                )
            )


def _messages(session: Session, principal: Principal) -> list[str]:
    with session.begin():
        query = select(Message.idempotency_key).where(Message.tenant_id == principal.tenant_id)
        return sorted(session.scalars(query.order_by(Message.id)))


def _read(session: Session, principal: Principal, watch_id: int) -> Any:
    with session.begin():
        return service.read(session.get_one(Watch, watch_id))


def test_a_crossed_watch_notifies_once_a_period(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    _stages(session, tenant, Stage.dormant, Stage.dormant, Stage.active)  # 66.67 % dormant
    daily = _watch(session, tenant)
    weekly = _watch(session, tenant, period="week", channel="email", recipient="ops@example.com")
    assert run_round(session_factory).notified == 2
    first = [f"watch:{daily}:2026-12-03", f"watch:{weekly}:2026-11-30"]
    assert _messages(session, tenant) == sorted(first)
    read = _read(session, tenant, daily)
    assert (read.last_value, read.notified_period) == (Decimal("66.67"), "2026-12-03")
    assert read.message_id is not None

    assert run_round(session_factory).checked == 0  # checked under 15 minutes ago
    clock.advance(timedelta(minutes=15))
    again = run_round(session_factory)
    assert (again.checked, again.notified) == (2, 0)  # still crossed: the day's message is sent
    clock.advance(timedelta(days=1))  # Friday: a new day, the same week
    assert run_round(session_factory).notified == 1
    assert _messages(session, tenant) == sorted([*first, f"watch:{daily}:2026-12-04"])


def test_a_watch_short_of_its_threshold_tells_nobody(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    _stages(session, tenant, Stage.dormant, Stage.active, Stage.active, Stage.new)  # 25 %
    above = _watch(session, tenant, threshold="25")  # 25 is not above 25
    below = _watch(session, tenant, direction="below", threshold="25")
    paused = _watch(session, tenant, threshold="1", active=False)
    assert run_round(session_factory).checked == 2
    assert _messages(session, tenant) == []
    assert _read(session, tenant, above).last_value == Decimal("25")
    assert _read(session, tenant, below).notified_at is None
    assert _read(session, tenant, paused).checked_at is None


def test_a_crowd_size_and_the_redemption_rate(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    members(session, tenant, 3, gender="female")
    condition = {"field": "member.gender", "op": "=", "value": "female"}
    with session.begin():
        crowd = create_crowd(
            session, tenant, CrowdCreate.model_validate({"name": "women", "condition": condition})
        ).id
    size = _watch(session, tenant, figure="crowd_size", crowd_id=crowd, threshold="2")
    rate = _watch(session, tenant, figure="redemption_rate", direction="below", threshold="10")
    assert run_round(session_factory).notified == 2
    assert _read(session, tenant, size).last_value == Decimal(3)
    assert _read(session, tenant, rate).last_value == Decimal(0)  # no coupon issued: 0 %
    with session.begin():
        body = session.scalar(select(Message.body).where(Message.tenant_id == tenant.tenant_id))
    assert body is not None
    assert "above 2 members" in body or "below 10" in body
