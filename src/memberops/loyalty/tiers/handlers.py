"""Tiers' subscriptions and registrations, installed by :func:`register` (called from
``memberops.wiring`` after activity's, so on a merge the stats are recomputed first).

Every event here comes after its members' stats were refreshed in the same transaction
(``record_order`` / ``refund_order`` refresh before publishing, activity's merge handlers
before ours, bulk loads before ``HistoryLoaded``), so evaluation reads them as they are.
Historical orders and refunds move nobody as they arrive: ``HistoryLoaded`` settles their
members.
On a merge the absorbed member keeps its tier rows (it is left out of evaluation while
merged); the survivor is upgraded if the joined history qualifies it, and an undo never moves
anyone down mid-period. Merges only upgrade (nobody is placed on the first level by one), so
a merge and its undo leave members who gained nothing exactly as they were.
"""

from sqlalchemy.orm import Session

from memberops.activity.events import HistoryLoaded, OrderPaid, OrderRefunded
from memberops.identity.events import MembersMerged, MembersUnmerged
from memberops.identity.service import register_detail_section
from memberops.kernel.events import subscribe
from memberops.loyalty.tiers.queries import tier_export, tier_section
from memberops.loyalty.tiers.service import evaluate_members
from memberops.members.service import register_export_section
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role


def _system(tenant_id: int) -> Principal:
    """The principal event handlers evaluate members with: the tenant the event is about."""
    return Principal(tenant_id=tenant_id, role=Role.admin, actor="system:tiers")


def _evaluate(
    session: Session, tenant_id: int, member_ids: list[int] | None, *, upgrades_only: bool = False
) -> None:
    principal = _system(tenant_id)
    evaluate_members(session, principal, member_ids, stats_fresh=True, upgrades_only=upgrades_only)


def on_order_paid(session: Session, event: OrderPaid) -> None:
    if not event.historical:
        _evaluate(session, event.tenant_id, [event.member_id])


def on_order_refunded(session: Session, event: OrderRefunded) -> None:
    if not event.historical:
        _evaluate(session, event.tenant_id, [event.member_id])


def on_members_merged(session: Session, event: MembersMerged) -> None:
    members = [event.survivor_id, event.absorbed_id]
    _evaluate(session, event.tenant_id, members, upgrades_only=True)


def on_members_unmerged(session: Session, event: MembersUnmerged) -> None:
    members = [event.survivor_id, event.absorbed_id]
    _evaluate(session, event.tenant_id, members, upgrades_only=True)


def on_history_loaded(session: Session, event: HistoryLoaded) -> None:
    members = None if event.member_ids is None else list(event.member_ids)
    _evaluate(session, event.tenant_id, members)


def register() -> None:
    """Subscribe to orders, refunds, merges and history loads; add the member sections."""
    subscribe(OrderPaid, on_order_paid)
    subscribe(OrderRefunded, on_order_refunded)
    subscribe(MembersMerged, on_members_merged)
    subscribe(MembersUnmerged, on_members_unmerged)
    subscribe(HistoryLoaded, on_history_loaded)
    register_detail_section("tier", tier_section)
    register_export_section("tier", tier_export)
