"""Durable execution, clock moved and worker run: the welcome journey step by step, members
finishing on the version they entered, pause and resume, the holdout, and a killed worker's
batch run again without a second message, coupon or point."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from memberops.journeys import effects, service
from memberops.journeys.entry import held_out
from memberops.journeys.models import JourneyPosition
from memberops.journeys.schemas import JourneyPatch
from memberops.kernel import clock
from memberops.loyalty.coupons.models import Coupon
from memberops.loyalty.points.models import PointsEntry
from memberops.members.models import Member
from memberops.messaging.models import Message
from memberops.tenancy.access import Principal
from tests.campaigns.support import kind_of, seed
from tests.journeys.support import NOW, WELCOME, journey, messages, pay, run, statuses
from tests.loyalty.checkin.support import template

HOUR = timedelta(hours=1)
LOG = {"type": "send", "channel": "log", "body": "Hello {{ name }}"}


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _members(session: Session, tenant_id: int, count: int) -> list[int]:
    with session.begin():
        rows = [{"tenant_id": tenant_id, "custom": {}, "created_at": NOW, "updated_at": NOW}]
        return list(
            session.scalars(
                insert(Member).returning(Member.id, sort_by_parameter_order=True), rows * count
            )
        )


def _coupons(session: Session, tenant_id: int) -> list[int]:
    with session.begin():
        query = select(Coupon.member_id).where(Coupon.tenant_id == tenant_id)
        return sorted(session.scalars(query))


def test_a_welcome_journey_runs_each_step_at_its_time(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    with session.begin():
        ids = seed(session, tenant.tenant_id, 20)
        women = set(ids[::2])
        session.execute(update(Member).where(Member.id.in_(women)).values(gender="female"))
    steps: list[dict[str, Any]] = [*WELCOME[:3], {**WELCOME[3], "coupon_template_id": 0}]
    steps[3]["coupon_template_id"] = template(session, tenant)
    welcome = journey(session, tenant, steps)
    pay(session, tenant, ids)

    assert run(session_factory) == 20  # everyone starts waiting a day
    assert statuses(session, welcome.id) == {(1, "waiting", 0): 20}
    clock.advance(timedelta(hours=23))
    assert run(session_factory) == 0
    assert messages(session, tenant.tenant_id) == {}

    clock.advance(HOUR)
    assert run(session_factory) == 20
    reachable = [(n, m) for n, m in enumerate(ids) if kind_of(n) == "reachable"]
    keyed = {f"journey:{welcome.id}:1:1:{m}:" for _, m in reachable}
    sent = messages(session, tenant.tenant_id)
    assert {key.rsplit(":", 1)[0] + ":" for key in sent} == keyed
    assert set(sent.values()) == {1}
    assert _coupons(session, tenant.tenant_id) == sorted(women)
    assert statuses(session, welcome.id) == {(1, "done", 4): 20}
    clock.advance(timedelta(days=3))
    assert run(session_factory) == 0
    assert len(messages(session, tenant.tenant_id)) == len(reachable)


def test_members_finish_on_the_version_they_entered(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    """Issue 8, acceptance 2: 1,000 members are mid-way (waiting) when the journey is edited;
    they finish on version one, and the members entering after take version two."""
    first, later = (
        _members(session, tenant.tenant_id, 1_000),
        _members(session, tenant.tenant_id, 200),
    )
    steps = [{"type": "wait", "days": 1}, {**LOG, "body": "version one"}]
    running = journey(session, tenant, steps)
    pay(session, tenant, first)
    run(session_factory)
    edit = JourneyPatch.model_validate({"steps": [steps[0], {**LOG, "body": "version two"}]})
    with session.begin():
        assert service.update_journey(session, tenant, running.id, edit).version == 2
    pay(session, tenant, later)
    run(session_factory)
    assert statuses(session, running.id) == {(1, "waiting", 0): 1_000, (2, "waiting", 0): 200}

    clock.advance(timedelta(days=1))
    assert run(session_factory) == 1_200
    with session.begin():
        query = select(Message.member_id, Message.body).where(Message.tenant_id == tenant.tenant_id)
        bodies = {row.member_id: row.body for row in session.execute(query)}
    assert bodies == dict.fromkeys(first, "version one") | dict.fromkeys(later, "version two")
    assert statuses(session, running.id) == {(1, "done", 2): 1_000, (2, "done", 2): 200}


def test_a_paused_journey_keeps_its_members_where_they_are(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    ids = _members(session, tenant.tenant_id, 5)
    paused = journey(session, tenant, [{"type": "wait", "hours": 1}, LOG])
    pay(session, tenant, ids)
    run(session_factory)
    with session.begin():
        service.pause(session, tenant, paused.id)
    pay(session, tenant, _members(session, tenant.tenant_id, 3))  # nobody enters a paused one
    clock.advance(2 * HOUR)
    assert run(session_factory) == 0
    assert statuses(session, paused.id) == {(1, "waiting", 0): 5}
    with session.begin():
        service.resume(session, tenant, paused.id)
    assert run(session_factory) == 5
    assert len(messages(session, tenant.tenant_id)) == 5
    assert statuses(session, paused.id) == {(1, "done", 2): 5}


def test_the_holdout_enters_and_gets_no_step(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    ids = _members(session, tenant.tenant_id, 200)
    measured = journey(session, tenant, [LOG], holdout_percent=20)
    pay(session, tenant, ids)
    run(session_factory)
    held = {m for m in ids if held_out(measured, m)}
    assert 20 < len(held) < 60
    with session.begin():
        sent = set(
            session.scalars(select(Message.member_id).where(Message.tenant_id == tenant.tenant_id))
        )
    assert sent == set(ids) - held
    assert statuses(session, measured.id) == {
        (1, "holdout", 0): len(held),
        (1, "done", 1): 200 - len(held),
    }


def test_a_killed_batch_runs_again_once(
    session: Session,
    session_factory: sessionmaker[Session],
    tenant: Principal,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = _members(session, tenant.tenant_id, 50)
    coupon = template(session, tenant)
    steps = [LOG, {"type": "issue_coupon", "coupon_template_id": coupon}]
    steps += [{"type": "grant_points", "points": 10}]
    killed = journey(session, tenant, steps)
    pay(session, tenant, ids)
    real_send, calls = effects.send, []

    def dying(*args: Any) -> None:
        calls.append(1)
        if len(calls) == 30:
            raise KeyboardInterrupt  # the process dies in the middle of the batch
        real_send(*args)

    monkeypatch.setattr(effects, "send", dying)
    with pytest.raises(KeyboardInterrupt):
        run(session_factory)
    assert messages(session, tenant.tenant_id) == {}  # nothing of the batch was kept
    monkeypatch.setattr(effects, "send", real_send)
    assert run(session_factory) == 50
    # A position whose move was lost after its effects were kept runs its steps again.
    with session.begin():
        session.execute(
            update(JourneyPosition)
            .where(JourneyPosition.journey_id == killed.id)
            .values(status="active", step=0, due_at=clock.now())
        )
    assert run(session_factory) == 50
    sent = messages(session, tenant.tenant_id)
    assert len(sent) == 50
    assert set(sent.values()) == {1}
    assert _coupons(session, tenant.tenant_id) == sorted(ids)
    with session.begin():
        points = session.scalars(
            select(PointsEntry.member_id).where(PointsEntry.tenant_id == tenant.tenant_id)
        )
        assert sorted(points) == sorted(ids)
