"""Invariant: whatever the times of a member's check-in attempts, there is one check-in per
local day, its streak counts the consecutive local days up to it, its points follow the
schedule, and the ledger holds exactly those points, once each."""

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.kernel.settings import Settings
from memberops.loyalty.checkin.rules import CheckInRules
from memberops.loyalty.checkin.service import check_in
from memberops.loyalty.points.models import PointsEntry
from memberops.members.service import new_member
from memberops.tenancy import service as tenancy
from memberops.tenancy.models import Role

START = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
ZONES = ["Asia/Shanghai", "America/New_York", "UTC", "Pacific/Kiritimati"]
RULES = CheckInRules()


def _points(streak: int) -> int:
    reward = RULES.reward_for(streak)
    return 0 if reward is None else reward.points


#: Minutes between one attempt and the next: the same day, the next, or a day or two missed.
_gaps = st.lists(st.integers(min_value=0, max_value=3 * 24 * 60), min_size=1, max_size=12)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(zone=st.sampled_from(ZONES), gaps=_gaps)
def test_streaks_count_consecutive_local_days(session: Session, zone: str, gaps: list[int]) -> None:
    with session.begin():
        tenant = tenancy.create_tenant(session, f"s-{uuid.uuid4().hex[:8]}", Settings())
        tenancy.update_tenant(
            session, tenancy.principal_for(tenant, Role.admin, "test"), {"timezone": zone}
        )
        principal = tenancy.principal_for(tenant, Role.admin, "test")
        member = new_member(session, principal, None, registered=True).id
    moment, expected = START, {}
    for gap in gaps:
        moment += timedelta(minutes=gap)
        day = moment.astimezone(ZoneInfo(zone)).date()
        if day not in expected:
            before = expected.get(day - timedelta(days=1))
            expected[day] = 1 if before is None else before + 1
        with clock.frozen(moment), session.begin():
            answer = check_in(session, principal, member)
        assert (answer.local_date, answer.streak) == (day, expected[day])
    with session.begin():
        entries = session.execute(
            select(PointsEntry.dedupe_key, PointsEntry.points)
            .where(PointsEntry.tenant_id == principal.tenant_id)
            .order_by(PointsEntry.id)
        ).all()
    assert [tuple(e) for e in entries] == [
        (f"checkin:{member}:{day.isoformat()}", _points(streak)) for day, streak in expected.items()
    ]
