"""Bulk events store what one ``record_event`` per event stores (rows, members, merges, stats,
published events), replays change nothing, and a conflicting replay is refused."""

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberops.activity import bulk_events
from memberops.activity.behaviour import record_event
from memberops.activity.bulk_events import record_events
from memberops.activity.events import EventRecorded
from memberops.activity.models import Event, EventType, MemberStats
from memberops.activity.schemas import EventCreate
from memberops.identity.models import Identity, MemberMerge
from memberops.kernel import clock
from memberops.kernel.events import DomainEvent
from memberops.tenancy.access import Principal
from tests.activity.support import event_body
from tests.api.support import snapshot

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
PHONE_A, PHONE_B = "13800000000", "13900000000"
CRM = {"type": "crm_id", "value": "C1"}


def _bodies() -> list[EventCreate]:
    """Two members, a third that a later event merges into the first, several types."""
    documents = [
        event_body("E1", PHONE_A),
        event_body("E2", PHONE_B, type="store_visit", properties={}),
        event_body("E3", PHONE_A, type="favorite_item", occurred_at="2026-11-12T10:00:00Z"),
        {**event_body("E4", type="follow_official_account"), "member": {"identities": [CRM]}},
        {
            **event_body("E5", type="review", channel=None),
            "member": {"identities": [{"type": "phone", "value": PHONE_A}, CRM]},
        },
        event_body("E6", PHONE_B, type="cart_add", properties={"sku": "B2", "qty": 3}),
    ]
    return [EventCreate.model_validate(document) for document in documents]


def _state(session: Session, principal: Principal) -> dict[str, Any]:
    """The tenant's events, stats and merge count, members named by their identity values (ids
    differ between tenants)."""
    tenant = principal.tenant_id
    with session.begin():
        names: dict[int, list[str]] = {}
        query = select(Identity.member_id, Identity.value).where(Identity.tenant_id == tenant)
        for member_id, value in session.execute(query.order_by(Identity.value)):
            names.setdefault(member_id, []).append(value)
        events = sorted(
            (
                names[e.member_id],
                e.external_id,
                e.content_hash,
                str(e.type),
                e.occurred_at,
                e.channel,
                e.properties,
                e.created_at,
            )
            for e in session.scalars(select(Event).where(Event.tenant_id == tenant))
        )
        table = MemberStats.__table__
        stats = sorted(
            (names[row.member_id], *row[2:])
            for row in session.execute(select(table).where(table.c.tenant_id == tenant))
        )
        merges = session.scalar(
            select(func.count()).select_from(MemberMerge).where(MemberMerge.tenant_id == tenant)
        )
    return {"events": events, "stats": stats, "merges": merges}


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[DomainEvent]:
    """The domain events the bulk writer publishes."""
    seen: list[DomainEvent] = []
    real = bulk_events.publish

    def spy(session: Session, event: DomainEvent) -> None:
        seen.append(event)
        real(session, event)

    monkeypatch.setattr(bulk_events, "publish", spy)
    return seen


def test_bulk_events_store_what_one_by_one_stores(
    session: Session,
    tenant: Principal,
    other_tenant: Principal,
    published: list[DomainEvent],
) -> None:
    bodies = _bodies()
    with clock.frozen(NOW):
        with session.begin():
            for body in bodies:
                record_event(session, other_tenant, body)
        with session.begin():
            result = record_events(session, tenant, bodies)
    assert (result.created, result.replayed, result.refused) == (6, 0, [])
    assert result.customers_created == 3
    one_by_one, bulk = _state(session, other_tenant), _state(session, tenant)
    assert bulk == one_by_one
    assert bulk["merges"] == 1
    assert len(bulk["stats"]) == 2
    assert sorted(event[1] for event in bulk["events"]) == [b.external_id for b in bodies]
    (recorded,) = [e for e in published if isinstance(e, EventRecorded)]
    assert [e.type for e in recorded.events] == [str(b.type) for b in bodies]
    assert len({e.event_id for e in recorded.events}) == len(bodies)


def test_a_replay_changes_nothing_and_a_conflict_is_refused(
    session: Session, tenant: Principal, published: list[DomainEvent]
) -> None:
    bodies = _bodies()
    with clock.frozen(NOW), session.begin():
        record_events(session, tenant, bodies)
    before = snapshot(session, tenant.tenant_id)
    published.clear()
    changed = bodies[1].model_copy(update={"type": EventType.review})
    with clock.frozen(NOW), session.begin():
        again = record_events(session, tenant, [*bodies, changed])
    assert (again.created, again.replayed, again.customers_created) == (0, 6, 0)
    assert [(b.external_id, reason) for b, reason in again.refused] == [
        ("E2", "Event 'E2' was already recorded with different content.")
    ]
    assert published == []
    assert snapshot(session, tenant.tenant_id) == before


def test_a_repeated_id_within_one_batch_is_judged_against_its_first(
    session: Session, tenant: Principal
) -> None:
    first = EventCreate.model_validate(event_body("E1"))
    other = first.model_copy(update={"channel": "jd"})
    with clock.frozen(NOW), session.begin():
        result = record_events(session, tenant, [first, first, other])
    assert (result.created, result.replayed, len(result.refused)) == (1, 1, 1)
