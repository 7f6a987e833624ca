"""Verbs on behaviour events: record (idempotent on the external id), read and list."""

from datetime import UTC

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberops.activity import stats
from memberops.activity.common import content_hash, resolve_member
from memberops.activity.errors import EventConflict
from memberops.activity.events import EventRecorded, RecordedEvent
from memberops.activity.models import Event
from memberops.activity.schemas import EventCreate, EventRead
from memberops.kernel.events import publish
from memberops.kernel.pagination import newest_first
from memberops.members.service import lock_members
from memberops.tenancy.access import Principal, tenant_scope


def _find(session: Session, principal: Principal, external_id: str) -> Event | None:
    return session.scalar(tenant_scope(principal, Event).where(Event.external_id == external_id))


def _replay(event: Event, digest: str) -> Event:
    if event.content_hash != digest:
        raise EventConflict(
            f"Event {event.external_id!r} was already recorded with different content.",
            external_id=event.external_id,
        )
    return event


def record_event(session: Session, principal: Principal, body: EventCreate) -> tuple[Event, bool]:
    """Store a behaviour event for the member its identities resolve to; returns the event and
    whether it was created. A replay changes nothing; other content under the id is a 409."""
    digest = content_hash(body)
    existing = _find(session, principal, body.external_id)
    if existing is not None:
        return _replay(existing, digest), False
    member_id = resolve_member(session, principal, body.member, body.channel)
    lock_members(session, principal, [member_id])  # one member's writes refresh in turn
    event = Event(
        tenant_id=principal.tenant_id,
        member_id=member_id,
        external_id=body.external_id,
        content_hash=digest,
        type=body.type,
        occurred_at=body.occurred_at.astimezone(UTC),
        channel=body.channel,
        properties=body.properties,
    )
    try:
        with session.begin_nested():
            session.add(event)
            session.flush()
    except IntegrityError:
        found = _find(session, principal, body.external_id)
        if found is None:
            raise
        return _replay(found, digest), False
    stats.refresh(session, principal.tenant_id, [member_id])
    recorded = RecordedEvent(member_id, event.id, str(event.type))
    publish(session, EventRecorded(principal.tenant_id, (recorded,)))
    return event, True


def read_event(event: Event) -> EventRead:
    return EventRead(
        external_id=event.external_id,
        member_id=str(event.member_id),
        type=event.type,
        occurred_at=event.occurred_at,
        channel=event.channel,
        properties=event.properties,
        created_at=event.created_at,
    )


def list_events(
    session: Session, principal: Principal, member_id: int, before_id: int | None, limit: int
) -> list[Event]:
    """A member's events, newest first (by id), after the cursor."""
    query = tenant_scope(principal, Event).where(Event.member_id == member_id)
    return list(session.scalars(newest_first(query, Event.id, before_id, limit)))
