"""Entering: once ever, once per period and every time; a replayed event enters nobody twice;
an edit before anyone entered rewrites the version in place; events enter only active
journeys of their own tenant and trigger."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from memberops.journeys import service
from memberops.journeys.handlers import enter_triggered
from memberops.journeys.schemas import JourneyPatch
from memberops.kernel import clock
from memberops.tenancy.access import Principal
from tests.journeys.support import NOW, journey, messages, pay, run, statuses
from tests.journeys.test_engine import LOG, _members


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def test_once_ever_enters_a_member_one_time(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    ids = _members(session, tenant.tenant_id, 3)
    once = journey(session, tenant, [LOG])
    pay(session, tenant, ids, order=1)
    pay(session, tenant, ids, order=2)
    run(session_factory)
    assert statuses(session, once.id) == {(1, "done", 1): 3}
    assert len(messages(session, tenant.tenant_id)) == 3


def test_every_time_enters_once_per_occurrence(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    ids = _members(session, tenant.tenant_id, 3)
    each = journey(session, tenant, [LOG], entry_rule="every_time")
    pay(session, tenant, ids, order=1)
    pay(session, tenant, ids, order=1)  # the same orders again: a replay
    pay(session, tenant, ids, order=2)
    run(session_factory)
    assert statuses(session, each.id) == {(1, "done", 1): 6}
    assert len(messages(session, tenant.tenant_id)) == 6


def test_once_per_period_waits_out_the_period(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    (member,) = _members(session, tenant.tenant_id, 1)
    monthly = journey(session, tenant, [LOG], entry_rule="once_per_period", period_days=30)
    for order, days in enumerate((0, 10, 25, 40), start=1):
        clock.advance(timedelta(days=days) - (clock.now() - NOW))
        pay(session, tenant, [member], order=order)
    assert statuses(session, monthly.id) == {(1, "active", 0): 2}


def test_events_enter_only_active_journeys_of_their_trigger_and_tenant(
    session: Session, tenant: Principal, other_tenant: Principal
) -> None:
    (member,) = _members(session, tenant.tenant_id, 1)
    paid = journey(session, tenant, [LOG])
    with session.begin():
        assert enter_triggered(session, tenant.tenant_id, "checked_in", member, "c") == 0
        assert enter_triggered(session, other_tenant.tenant_id, "order_paid", member, "o") == 0
        service.pause(session, tenant, paid.id)
        assert enter_triggered(session, tenant.tenant_id, "order_paid", member, "o") == 0
        service.resume(session, tenant, paid.id)
        assert enter_triggered(session, tenant.tenant_id, "order_paid", member, "o") == 1


def test_an_edit_before_anyone_entered_keeps_the_version(
    session: Session, tenant: Principal
) -> None:
    draft = journey(session, tenant, [LOG])
    edit = JourneyPatch.model_validate({"steps": [{**LOG, "body": "changed"}]})
    with session.begin():
        changed = service.update_journey(session, tenant, draft.id, edit)
        assert changed.version == 1
        assert service.read(session, changed).steps[0]["body"] == "changed"
