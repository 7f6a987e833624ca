"""Bulk writes of behaviour events: many events in one statement, under the same rules as
:func:`~memberops.activity.behaviour.record_event` (one per event costs a lookup, a resolve, a
lock, an insert and a stats refresh; the demo merchant holds ~150,000 events for 20,000
members).

What is the same as the per-event path: each event belongs to the member its identities resolve
to (:func:`~memberops.activity.bulk.members_for`, the resolve ``record_orders`` uses, once per
distinct identity set of the batch); an event whose external id is already stored is a replay
when its content hash (:func:`~memberops.activity.common.content_hash` of the ``EventCreate``,
what ``record_event`` stores) matches and a conflict otherwise; members are row-locked before
their events go in; the new events publish one ``EventRecorded``; stats go through
``stats.refresh`` (one refresh per batch under ``stats.deferred``). Callers own the transaction
and the batch size.
"""

from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from memberops.activity import stats
from memberops.activity.bulk import chunks, members_for
from memberops.activity.common import content_hash
from memberops.activity.errors import EventConflict
from memberops.activity.events import EventRecorded, RecordedEvent
from memberops.activity.models import Event
from memberops.activity.schemas import EventCreate
from memberops.kernel import clock
from memberops.kernel.db import insert_returning_ids
from memberops.kernel.events import publish
from memberops.members.service import lock_members
from memberops.tenancy.access import Principal, tenant_scope


@dataclass
class EventsResult:
    """What one batch did; ``refused`` holds (event body, reason) for events not stored."""

    created: int = 0
    replayed: int = 0
    customers_created: int = 0
    refused: list[tuple[EventCreate, str]] = field(default_factory=list)


def _stored(session: Session, principal: Principal, ids: list[str]) -> dict[str, str]:
    """External id -> content hash of the events already stored, one query per IN list."""
    found: dict[str, str] = {}
    for part in chunks(ids):
        query = tenant_scope(principal, Event).where(Event.external_id.in_(part))
        rows = session.execute(query.with_only_columns(Event.external_id, Event.content_hash))
        found.update({str(e): str(d) for e, d in rows})
    return found


def _row(principal: Principal, body: EventCreate, digest: str, member_id: int) -> dict[str, Any]:
    return {
        "tenant_id": principal.tenant_id,
        "member_id": member_id,
        "external_id": body.external_id,
        "content_hash": digest,
        "type": body.type.value,
        "occurred_at": body.occurred_at.astimezone(UTC),
        "channel": body.channel,
        "properties": body.properties,
        "created_at": clock.now(),
    }


def record_events(
    session: Session, principal: Principal, bodies: list[EventCreate]
) -> EventsResult:
    """Store the events of ``bodies`` not stored yet, replaying or refusing the others as
    ``record_event`` would (a repeated external id within ``bodies`` is judged against its
    first occurrence, as if sent one after the other); in the caller's transaction."""
    result = EventsResult()
    stored = _stored(session, principal, sorted({body.external_id for body in bodies}))
    fresh: list[tuple[EventCreate, str]] = []
    for body in bodies:
        digest = content_hash(body)
        known = stored.get(body.external_id)
        if known is None:
            stored[body.external_id] = digest
            fresh.append((body, digest))
        elif known == digest:
            result.replayed += 1
        else:
            conflict = EventConflict(
                f"Event {body.external_id!r} was already recorded with different content.",
                external_id=body.external_id,
            )
            result.refused.append((body, conflict.detail))
    if not fresh:
        return result
    members, result.customers_created = members_for(session, principal, [b for b, _ in fresh])
    rows = [_row(principal, b, d, m) for (b, d), m in zip(fresh, members, strict=True)]
    lock_members(session, principal, {row["member_id"] for row in rows})
    # The table's bulk path, ids returned in order: the ORM adds nothing here but time.
    ids = insert_returning_ids(session, cast(Table, Event.__table__), rows)
    result.created = len(ids)
    stats.refresh(session, principal.tenant_id, sorted({row["member_id"] for row in rows}))
    recorded = tuple(
        RecordedEvent(row["member_id"], event_id, row["type"])
        for row, event_id in zip(rows, ids, strict=True)
    )
    publish(session, EventRecorded(principal.tenant_id, recorded))
    return result
