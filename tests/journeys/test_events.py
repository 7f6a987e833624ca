"""Each domain event enters the journeys of its trigger, through the bus the rooms publish on
(a check-in through the API), with the trigger's filters; a step that fails unexpectedly is
undone for its member alone and tried again later; a scheduled journey whose crowd is gone
is skipped until its next check."""

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from memberops.activity.events import OrderRefunded
from memberops.crowds.service import delete_crowd
from memberops.insights.lifecycle.events import StageChanged
from memberops.insights.lifecycle.models import Stage
from memberops.journeys import effects
from memberops.journeys.handlers import on_order_refunded, on_stage_changed, on_tier_changed
from memberops.journeys.jobs import enter_scheduled
from memberops.journeys.models import Journey, JourneyPosition
from memberops.kernel import clock
from memberops.loyalty.tiers.events import TierChanged
from memberops.tenancy.access import Principal
from tests.campaigns.support import crowd
from tests.journeys.support import NOW, journey, messages, pay, run
from tests.journeys.test_engine import LOG, _members
from tests.loyalty.checkin.support import check_in, sign_up


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _keys(session: Session, entered: Journey) -> list[tuple[int, str]]:
    with session.begin():
        query = select(JourneyPosition.member_id, JourneyPosition.entry_key).where(
            JourneyPosition.journey_id == entered.id
        )
        return sorted((row.member_id, row.entry_key) for row in session.execute(query))


def _every(session: Session, tenant: Principal, trigger: dict[str, Any]) -> Journey:
    return journey(session, tenant, [LOG], trigger=trigger, entry_rule="every_time")


def test_a_check_in_enters_once_a_day(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    daily = _every(session, tenant, {"type": "checked_in"})
    member = sign_up(client, admin)
    assert check_in(client, admin, member).status_code in (200, 201)
    assert check_in(client, admin, member).status_code in (200, 201)  # the same day again
    assert _keys(session, daily) == [(int(member), f"checkin:{date(2026, 12, 3)}")]


def test_refunds_stage_and_tier_moves_enter_their_journeys(
    session: Session, tenant: Principal
) -> None:
    (member,) = _members(session, tenant.tenant_id, 1)
    refunds = _every(session, tenant, {"type": "order_refunded"})
    dormant = _every(session, tenant, {"type": "stage_changed", "to_stage": "dormant"})
    any_stage = _every(session, tenant, {"type": "stage_changed"})
    gold = _every(session, tenant, {"type": "tier_changed", "to_tier": "gold"})
    t = tenant.tenant_id
    with session.begin():
        on_order_refunded(session, OrderRefunded(t, member, 1, 7, 100))
        on_order_refunded(session, OrderRefunded(t, member, 1, 8, 100, historical=True))
        on_stage_changed(session, StageChanged(t, member, Stage.active, Stage.dormant, False))
        on_stage_changed(session, StageChanged(t, member, Stage.dormant, Stage.churned, False))
        on_tier_changed(session, TierChanged(t, member, "silver", "gold", "upgrade"))
        on_tier_changed(session, TierChanged(t, member, "gold", "silver", "downgrade"))
    assert _keys(session, refunds) == [(member, "refund:7")]
    assert _keys(session, dormant) == [(member, "stage:dormant:2026-12-03")]
    assert _keys(session, any_stage) == [
        (member, "stage:churned:2026-12-03"),
        (member, "stage:dormant:2026-12-03"),
    ]
    assert _keys(session, gold) == [(member, "tier:gold:2026-12-03")]


def test_a_failing_step_is_undone_for_its_member_and_retried(
    session: Session,
    session_factory: sessionmaker[Session],
    tenant: Principal,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unlucky, lucky = _members(session, tenant.tenant_id, 2)
    flaky = journey(session, tenant, [{"type": "grant_points", "points": 5}, LOG])
    pay(session, tenant, [unlucky, lucky])
    real_send = effects.send

    def failing(run: Any, step: Any, position: JourneyPosition) -> None:
        if position.member_id == unlucky:
            raise RuntimeError("the provider's template store is down")
        real_send(run, step, position)

    monkeypatch.setattr(effects, "send", failing)
    assert run(session_factory) == 2
    with session.begin():
        failed = session.scalars(
            select(JourneyPosition).where(
                JourneyPosition.journey_id == flaky.id, JourneyPosition.member_id == unlucky
            )
        ).one()
        assert (failed.step, str(failed.status)) == (0, "active")
        assert failed.due_at == NOW + timedelta(minutes=5)
        assert failed.last_error == "RuntimeError: the provider's template store is down"
    monkeypatch.setattr(effects, "send", real_send)
    clock.advance(timedelta(minutes=5))
    assert run(session_factory) == 1
    assert len(messages(session, tenant.tenant_id)) == 2


def test_a_journey_whose_crowd_is_gone_is_skipped_until_its_next_check(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    ids = _members(session, tenant.tenant_id, 2)
    with session.begin():
        crowd_id = crowd(session, tenant.tenant_id, ids)
    gone = journey(session, tenant, [LOG], trigger={"type": "crowd_joined", "crowd_id": crowd_id})
    with session.begin():
        delete_crowd(session, tenant, crowd_id)
    assert enter_scheduled(session_factory, clock.now()) == 0
    with session.begin():
        checked = session.scalar(select(Journey.entries_checked_at).where(Journey.id == gone.id))
    assert checked == NOW
