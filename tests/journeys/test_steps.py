"""Each kind of step on a few members: a wait until a local time, a branch's jump, a send in
the quiet hours or past the frequency cap, points, tags, and a coupon the template refuses
(noted, and the journey goes on)."""

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from memberops.insights.tags.models import MemberTag
from memberops.insights.tags.schemas import TagCreate
from memberops.insights.tags.service import create_tag
from memberops.journeys.definition import WaitStep
from memberops.journeys.engine import wait_until
from memberops.journeys.models import JourneyPosition
from memberops.kernel import clock
from memberops.loyalty.points.models import PointsEntry
from memberops.members.models import Member
from memberops.messaging.models import Message
from memberops.tenancy.access import Principal
from tests.campaigns.support import seed
from tests.journeys.support import NOW, journey, messages, pay, run, statuses
from tests.journeys.test_engine import LOG, _members
from tests.loyalty.checkin.support import template

SMS = {"type": "send", "channel": "sms", "body": "Hello"}


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


@pytest.mark.parametrize(
    ("step", "ends"),
    [
        ({"hours": 3}, datetime(2026, 12, 3, 13, tzinfo=UTC)),
        ({"at": time(20)}, datetime(2026, 12, 3, 12, tzinfo=UTC)),  # 20:00 today in Shanghai
        ({"at": time(9)}, datetime(2026, 12, 4, 1, tzinfo=UTC)),  # 09:00 tomorrow
        ({"days": 1, "at": time(10)}, datetime(2026, 12, 5, 2, tzinfo=UTC)),
        ({"at": time(18)}, NOW),  # exactly now
    ],
)
def test_a_wait_ends_after_its_duration_at_the_next_local_time(
    step: dict[str, object], ends: datetime
) -> None:
    assert (
        wait_until(WaitStep.model_validate({"type": "wait", **step}), NOW, "Asia/Shanghai") == ends
    )


def test_a_branch_jumps_where_its_condition_says(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    woman, man = _members(session, tenant.tenant_id, 2)
    with session.begin():
        session.execute(update(Member).where(Member.id == woman).values(gender="female"))
    female = {"field": "member.gender", "op": "=", "value": "female"}
    steps = [
        {"type": "branch", "condition": female, "yes": 2},
        {"type": "exit"},
        {**LOG, "body": "for her"},
    ]
    branched = journey(session, tenant, steps)
    pay(session, tenant, [woman, man])
    run(session_factory)
    assert statuses(session, branched.id) == {(1, "done", 3): 1, (1, "exited", 1): 1}
    with session.begin():
        query = select(Message.member_id).where(Message.tenant_id == tenant.tenant_id)
        assert session.scalars(query).all() == [woman]


def test_a_send_in_the_quiet_hours_is_due_when_they_end(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    clock.advance(timedelta(hours=5))  # 23:00 in Shanghai
    with session.begin():
        reachable = seed(session, tenant.tenant_id, 4)[3]
    journey(session, tenant, [SMS])
    pay(session, tenant, [reachable])
    run(session_factory)
    with session.begin():
        due = session.scalar(select(Message.due_at).where(Message.member_id == reachable))
    assert due == datetime(2026, 12, 4, 0, tzinfo=UTC)  # 08:00 in Shanghai


def test_journey_messages_count_towards_the_frequency_cap(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    with session.begin():
        reachable = seed(session, tenant.tenant_id, 4)[3]
    capped = journey(session, tenant, [SMS, SMS, SMS, {"type": "grant_points", "points": 5}])
    pay(session, tenant, [reachable])
    run(session_factory)
    assert len(messages(session, tenant.tenant_id)) == 2  # the cap: two in seven days
    assert statuses(session, capped.id) == {(1, "done", 4): 1}
    with session.begin():
        points = session.scalars(
            select(PointsEntry.points).where(PointsEntry.member_id == reachable)
        )
        assert points.all() == [5]


def test_tags_are_added_and_removed(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    (member,) = _members(session, tenant.tenant_id, 1)
    with session.begin():
        vip = create_tag(session, tenant, TagCreate(code="vip", name="VIP")).id
        new = create_tag(session, tenant, TagCreate(code="new", name="New")).id
    steps = [
        {"type": "add_tag", "tag_id": vip},
        {"type": "add_tag", "tag_id": new},
        {"type": "wait", "days": 7},
        {"type": "remove_tag", "tag_id": new},
    ]
    journey(session, tenant, steps)
    pay(session, tenant, [member])
    run(session_factory)

    def held() -> set[int]:
        with session.begin():
            return set(
                session.scalars(select(MemberTag.tag_id).where(MemberTag.member_id == member))
            )

    assert held() == {vip, new}
    clock.advance(timedelta(days=7))
    run(session_factory)
    assert held() == {vip}


def test_a_refused_coupon_is_noted_and_the_journey_goes_on(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    first, second = _members(session, tenant.tenant_id, 2)
    coupon = template(session, tenant, stock=1)
    generous = journey(
        session, tenant, [{"type": "issue_coupon", "coupon_template_id": coupon}, LOG]
    )
    pay(session, tenant, [first, second])
    run(session_factory)
    assert statuses(session, generous.id) == {(1, "done", 2): 2}
    assert len(messages(session, tenant.tenant_id)) == 2
    with session.begin():
        errors = session.scalars(
            select(JourneyPosition.last_error)
            .where(JourneyPosition.journey_id == generous.id)
            .order_by(JourneyPosition.member_id)
        ).all()
    assert errors[0] == ""
    assert errors[1].startswith("step 0: ")
