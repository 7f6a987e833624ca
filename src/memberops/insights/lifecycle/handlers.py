"""Lifecycle's subscriptions, installed by :func:`register` (``memberops.wiring``, after
activity's: a merge has moved the orders before stages are computed again).

A live order, refund or interest event recomputes its member's stage at once, so a journey
triggered by ``StageChanged`` (a dormant member buying again) reacts in the same transaction.
Historical orders and refunds wait for ``HistoryLoaded``, which recomputes the members loaded
(or the whole tenant) in one query. Time moving on without any write (active → dormant) is the
daily recompute's (``memberops recompute insights``).
"""

from sqlalchemy.orm import Session

from memberops.activity.events import EventRecorded, HistoryLoaded, OrderPaid, OrderRefunded
from memberops.identity.events import MembersMerged, MembersUnmerged
from memberops.insights.lifecycle.service import INTEREST, refresh_stages
from memberops.kernel.events import subscribe

_INTEREST_TYPES = frozenset(kind.value for kind in INTEREST)


def on_order_paid(session: Session, event: OrderPaid) -> None:
    if not event.historical:
        refresh_stages(session, event.tenant_id, [event.member_id])


def on_order_refunded(session: Session, event: OrderRefunded) -> None:
    if not event.historical:
        refresh_stages(session, event.tenant_id, [event.member_id])


def on_events_recorded(session: Session, event: EventRecorded) -> None:
    """One recompute for the members of the write's interest events (a bulk batch of them
    costs one query per slice of members, not one per event)."""
    members = sorted({e.member_id for e in event.events if e.type in _INTEREST_TYPES})
    if members:
        refresh_stages(session, event.tenant_id, members)


def on_history_loaded(session: Session, event: HistoryLoaded) -> None:
    members = None if event.member_ids is None else list(event.member_ids)
    refresh_stages(session, event.tenant_id, members)


def on_members_moved(session: Session, event: MembersMerged | MembersUnmerged) -> None:
    """The survivor's stage from the joined history; the absorbed member's row goes while it
    is merged away and comes back on an undo."""
    refresh_stages(session, event.tenant_id, [event.survivor_id, event.absorbed_id])


def register() -> None:
    subscribe(OrderPaid, on_order_paid)
    subscribe(OrderRefunded, on_order_refunded)
    subscribe(EventRecorded, on_events_recorded)
    subscribe(HistoryLoaded, on_history_loaded)
    subscribe(MembersMerged, on_members_moved)
    subscribe(MembersUnmerged, on_members_moved)
