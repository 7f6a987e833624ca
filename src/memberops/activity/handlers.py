"""Activity's subscriptions and registrations, installed by :func:`register` (called from
``memberops.wiring`` by every entry point).

On a merge the absorbed member's orders, lines, refunds and events move to the survivor (each
row recorded, so undo moves exactly those back) and both members' stats are recomputed; on an
undo the rows are already back, so both stats are recomputed again.
"""

from sqlalchemy import Table
from sqlalchemy.orm import Session

from memberops.activity import stats
from memberops.activity.models import Event, Order, OrderLine, Refund
from memberops.activity.sections import events_section, orders_section, stats_section
from memberops.identity.events import MembersMerged, MembersUnmerged
from memberops.identity.merge import move_member_rows
from memberops.identity.service import register_detail_section
from memberops.kernel.events import subscribe
from memberops.members.service import register_export_section

_MEMBER_TABLES: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (Order, OrderLine, Refund, Event)
)


def on_members_merged(session: Session, event: MembersMerged) -> None:
    for table in _MEMBER_TABLES:
        move_member_rows(session, event, table)
    stats.refresh(session, event.tenant_id, [event.survivor_id, event.absorbed_id])


def on_members_unmerged(session: Session, event: MembersUnmerged) -> None:
    stats.refresh(session, event.tenant_id, [event.survivor_id, event.absorbed_id])


def register() -> None:
    """Subscribe to identity's merge events and add the member sections; idempotent."""
    subscribe(MembersMerged, on_members_merged)
    subscribe(MembersUnmerged, on_members_unmerged)
    register_detail_section("stats", stats_section)
    register_export_section("orders", orders_section)
    register_export_section("events", events_section)
