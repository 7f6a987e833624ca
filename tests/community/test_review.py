"""The monthly VIP review: who the rule selects is invited, who it no longer selects is
removed, and the worker runs it once per tenant per local month."""

from collections.abc import Iterator
from datetime import time, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from memberops import worker
from memberops.community import review, service
from memberops.community.models import CommunityGroup
from memberops.kernel import clock
from memberops.kernel.settings import Settings
from memberops.members.models import Member
from memberops.tenancy.access import Principal
from tests.community.support import NOW, group, layout, members, on_roster, rules

WOMEN = {"field": "member.gender", "op": "=", "value": "female"}
SETTINGS = Settings(database_url="sqlite://", secret_key="test", daily_jobs_at=time(0, 30))


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def test_the_review_invites_who_qualifies_and_removes_who_no_longer_does(
    session: Session, tenant: Principal
) -> None:
    rules(session, tenant, group_size=2, vip_rule=WOMEN)
    vip = group(session, tenant, "VIP")
    women = members(session, tenant, 3, gender="female")
    (man,) = members(session, tenant, 1, gender="male")
    with session.begin():
        service.invite(session, tenant, session.get_one(CommunityGroup, vip), [man], "operator")
        done = review.run_review(session, tenant, clock.now())
    assert (done.qualified, done.invited, done.removed) == (3, 3, 1)
    assert on_roster(session, tenant) == set(women)
    assert layout(session, tenant) == [("VIP", 2, 2), ("VIP #2", 1, 1)]
    with session.begin():
        again = review.run_review(session, tenant, clock.now())
    assert (again.invited, again.removed) == (0, 0)


def test_without_a_rule_the_review_does_nothing(session: Session, tenant: Principal) -> None:
    members(session, tenant, 2)
    with session.begin():
        done = review.run_review(session, tenant, clock.now())
    assert (done.qualified, done.invited, done.removed) == (0, 0, 0)
    assert layout(session, tenant) == []


def test_the_review_opens_a_vip_group_when_there_is_none(
    session: Session, tenant: Principal
) -> None:
    rules(session, tenant, vip_rule=WOMEN)
    women = members(session, tenant, 2, gender="female")
    with session.begin():
        review.run_review(session, tenant, clock.now())
    assert layout(session, tenant) == [("VIP", 2, 2)]
    assert on_roster(session, tenant) == set(women)


def _reviewed(factory: sessionmaker[Session], tenant: Principal) -> list[str]:
    outcomes = worker.run_monthly(factory, SETTINGS)
    return [o.day.isoformat() for o in outcomes if o.tenant_id == tenant.tenant_id and o.ok]


def test_the_worker_reviews_once_a_month(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    rules(session, tenant, vip_rule=WOMEN)
    first, second = members(session, tenant, 2, gender="female")
    assert _reviewed(session_factory, tenant) == ["2026-12-01"]
    assert _reviewed(session_factory, tenant) == []
    assert on_roster(session, tenant) == {first, second}
    with session.begin():
        session.execute(update(Member).where(Member.id == second).values(gender="male"))
    clock.advance(timedelta(days=10))  # still December: no second review
    assert _reviewed(session_factory, tenant) == []
    assert on_roster(session, tenant) == {first, second}
    clock.advance(timedelta(days=20))  # 2 January in Shanghai
    assert _reviewed(session_factory, tenant) == ["2027-01-01"]
    assert on_roster(session, tenant) == {first}
