"""Points' subscriptions and registrations, installed by :func:`register` (called from
``memberops.wiring`` after tiers', so an order that upgrades its member earns at the new level).

A paid order earns (historical ones never do), a refund takes its share back (a historical
refund of an order that earned nothing is passed over). On a merge the
absorbed member's entries and lots move to the survivor (each row recorded, so undo moves exactly
those back) and both accounts are recomputed from their rows; on an undo both are recomputed
again. Recomputing sets ``balance`` = the sum of the member's entries and ``debt`` = what its
lots hold minus that balance, so ``balance = sum(lot remaining) - debt`` holds by construction.
Known limit: points the survivor spent from a moved lot stay spent by the survivor after an
undo, so the absorbed member's lots can then hold less than its entries say (negative debt).
"""

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from memberops.activity.events import OrderPaid, OrderRefunded
from memberops.identity.events import MembersMerged, MembersUnmerged
from memberops.identity.merge import move_member_rows
from memberops.identity.service import register_detail_section
from memberops.kernel.events import subscribe
from memberops.loyalty.points import ledger
from memberops.loyalty.points.earn import earn_for_order, reverse_for_refund
from memberops.loyalty.points.models import PointsAccount, PointsEntry, PointsLot
from memberops.loyalty.points.queries import points_export, points_section
from memberops.members.service import register_export_section
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role, Tenant

_MEMBER_TABLES: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (PointsEntry, PointsLot)
)


def _system(session: Session, tenant_id: int) -> Principal:
    """The principal handlers act with: the event's tenant, with its timezone (member days and
    daily caps are local days)."""
    tenant = session.get_one(Tenant, tenant_id)
    return tenancy.principal_for(tenant, Role.admin, "system:points")


def on_order_paid(session: Session, event: OrderPaid) -> None:
    if not event.historical:
        earn_for_order(session, _system(session, event.tenant_id), event.order_id)


def _earned_nothing(session: Session, tenant_id: int, order_id: int) -> bool:
    """Whether the order has no points entries: its refunds have nothing to take back."""
    query = select(PointsEntry.id).where(
        PointsEntry.tenant_id == tenant_id, PointsEntry.order_id == order_id
    )
    return session.scalar(query.limit(1)) is None


def on_order_refunded(session: Session, event: OrderRefunded) -> None:
    """Take back the refund's share. A historical refund (a history import's) usually names a
    historical order, which earned nothing: one index probe then spares locking and expiring
    an account the member may not even have."""
    if event.historical and _earned_nothing(session, event.tenant_id, event.order_id):
        return
    reverse_for_refund(session, _system(session, event.tenant_id), event.order_id, event.refund_id)


def recompute(session: Session, principal: Principal, member_ids: list[int]) -> None:
    """Set the members' balance and debt from their entries and lots (after rows moved)."""
    for member_id in sorted(member_ids):
        ledger.lock_account(session, principal, member_id)
    entries = (
        select(func.coalesce(func.sum(PointsEntry.points), 0))
        .where(
            PointsEntry.tenant_id == PointsAccount.tenant_id,
            PointsEntry.member_id == PointsAccount.member_id,
        )
        .scalar_subquery()
    )
    lots = (
        select(func.coalesce(func.sum(PointsLot.remaining), 0))
        .where(
            PointsLot.tenant_id == PointsAccount.tenant_id,
            PointsLot.member_id == PointsAccount.member_id,
        )
        .scalar_subquery()
    )
    session.execute(
        update(PointsAccount)
        .where(
            PointsAccount.tenant_id == principal.tenant_id,
            PointsAccount.member_id.in_(member_ids),
        )
        .values(balance=entries, debt=lots - entries)
        .execution_options(synchronize_session=False)
    )


def on_members_merged(session: Session, event: MembersMerged) -> None:
    for table in _MEMBER_TABLES:
        move_member_rows(session, event, table)
    principal = _system(session, event.tenant_id)
    recompute(session, principal, [event.survivor_id, event.absorbed_id])


def on_members_unmerged(session: Session, event: MembersUnmerged) -> None:
    principal = _system(session, event.tenant_id)
    recompute(session, principal, [event.survivor_id, event.absorbed_id])


def register() -> None:
    """Subscribe to orders, refunds and merges; add the member detail and export sections;
    idempotent."""
    subscribe(OrderPaid, on_order_paid)
    subscribe(OrderRefunded, on_order_refunded)
    subscribe(MembersMerged, on_members_merged)
    subscribe(MembersUnmerged, on_members_unmerged)
    register_detail_section("points", points_section)
    register_export_section("points", points_export)
