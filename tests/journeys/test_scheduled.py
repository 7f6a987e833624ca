"""Entries a worker pass finds: birthdays at their local time, inactivity, points about to
expire and a crowd's members — each occurrence entered once however often the pass runs."""

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from memberops.journeys.jobs import enter_scheduled, run_round
from memberops.journeys.models import Journey, JourneyPosition
from memberops.kernel import clock
from memberops.kernel.settings import Settings
from memberops.loyalty.points.models import PointsLot
from memberops.loyalty.points.service import grant_bonus
from memberops.tenancy.access import Principal
from tests.campaigns.support import crowd
from tests.conditions.support import give_stats, make_member
from tests.journeys.support import NOW, journey, messages
from tests.journeys.test_engine import LOG

DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _entered(session: Session, entered: Journey) -> dict[int, str]:
    """Member → entry key of the journey's positions."""
    with session.begin():
        query = select(JourneyPosition.member_id, JourneyPosition.entry_key).where(
            JourneyPosition.journey_id == entered.id
        )
        return {row.member_id: row.entry_key for row in session.execute(query)}


def _members(session: Session, tenant: Principal, *overrides: dict[str, Any]) -> list[int]:
    with session.begin():
        return [make_member(session, tenant, **fields) for fields in overrides]


def test_birthdays_enter_at_their_local_time_once_a_year(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    today, tomorrow, _ = _members(
        session,
        tenant,
        {"birthday": date(1990, 12, 3)},
        {"birthday": date(1991, 12, 4)},
        {"birthday": None},
    )
    trigger = {"type": "birthday", "days_before": 1, "at": "18:30"}
    eve = journey(session, tenant, [LOG], trigger=trigger, entry_rule="every_time")
    assert enter_scheduled(session_factory, clock.now()) == 0  # 18:00 in Shanghai: not yet
    clock.advance(timedelta(minutes=40))
    with session.begin():  # 18:40, but another worker checked it a minute ago
        checked = NOW + timedelta(minutes=39)
        session.execute(
            update(Journey).where(Journey.id == eve.id).values(entries_checked_at=checked)
        )
    assert enter_scheduled(session_factory, clock.now()) == 0
    clock.advance(timedelta(minutes=15))
    assert enter_scheduled(session_factory, clock.now()) == 1
    clock.advance(timedelta(hours=1))
    assert enter_scheduled(session_factory, clock.now()) == 0
    assert _entered(session, eve) == {tomorrow: "birthday:2026"}
    assert today not in _entered(session, eve)


def test_inactive_members_enter_once_per_lapse(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    lapsed, recent, visited, never = _members(session, tenant, {}, {}, {}, {})
    with session.begin():
        give_stats(session, tenant, lapsed, last_order_at=NOW - 40 * DAY)
        give_stats(session, tenant, recent, last_order_at=NOW - 10 * DAY)
        give_stats(session, tenant, visited, last_order_at=NOW - 90 * DAY, last_visit_at=NOW - DAY)
        give_stats(session, tenant, never)
    trigger = {"type": "inactive", "days": 30}
    dormant = journey(session, tenant, [LOG], trigger=trigger, entry_rule="every_time")
    assert enter_scheduled(session_factory, clock.now()) == 1
    clock.advance(DAY)
    assert enter_scheduled(session_factory, clock.now()) == 0
    assert list(_entered(session, dormant)) == [lapsed]


def test_members_with_points_about_to_expire_enter(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    soon, later, spent = _members(session, tenant, {}, {}, {})
    with session.begin():
        for member_id, days in ((soon, 5), (later, 50), (spent, 5)):
            grant_bonus(session, tenant, member_id, 100, dedupe_key=f"t{member_id}", reason="t")
            session.execute(
                update(PointsLot)
                .where(PointsLot.member_id == member_id)
                .values(expires_at=NOW + days * DAY, remaining=0 if member_id == spent else 100)
            )
    trigger = {"type": "points_expiring", "within_days": 30}
    reminder = journey(session, tenant, [LOG], trigger=trigger)
    assert enter_scheduled(session_factory, clock.now()) == 1
    assert list(_entered(session, reminder)) == [soon]


def test_a_crowds_members_enter_once(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    ids = _members(session, tenant, {}, {}, {})
    with session.begin():
        crowd_id = crowd(session, tenant.tenant_id, ids[:2])
    trigger = {"type": "crowd_joined", "crowd_id": crowd_id}
    vip = journey(session, tenant, [LOG], trigger=trigger)
    assert enter_scheduled(session_factory, clock.now()) == 2
    clock.advance(DAY)
    assert enter_scheduled(session_factory, clock.now()) == 0
    assert _entered(session, vip) == dict.fromkeys(ids[:2], "once")


def test_a_worker_round_enters_and_advances(
    session: Session,
    session_factory: sessionmaker[Session],
    tenant: Principal,
    settings: Settings,
) -> None:
    ids = _members(session, tenant, {}, {})
    with session.begin():
        crowd_id = crowd(session, tenant.tenant_id, ids)
    journey(session, tenant, [LOG], trigger={"type": "crowd_joined", "crowd_id": crowd_id})
    done = run_round(session_factory, settings)
    assert (done.entered, done.advanced) == (2, 2)
    assert len(messages(session, tenant.tenant_id)) == 2
