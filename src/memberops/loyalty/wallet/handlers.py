"""Stored value's subscriptions and registrations, installed by :func:`register` (called from
``memberops.wiring``).

A refund of an order that stored value paid for gives its share back (``refunds``). On a merge
the absorbed member's entries move to the survivor (each row recorded, so undo moves exactly
those back) and both accounts are set from their entries; on an undo both are set again. Known
limit: what the survivor spent of moved money stays spent by the survivor after an undo, so
the absorbed member's recomputed part can then be below zero until money comes in again.
"""

from typing import Any

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from memberops.activity.events import OrderRefunded
from memberops.identity.events import MembersMerged, MembersUnmerged
from memberops.identity.merge import move_member_rows
from memberops.identity.service import register_detail_section
from memberops.kernel.events import subscribe
from memberops.loyalty.wallet import ledger
from memberops.loyalty.wallet.models import StoredValueAccount, StoredValueEntry
from memberops.loyalty.wallet.queries import stored_value_export, stored_value_section
from memberops.loyalty.wallet.refunds import give_back_for_refund
from memberops.members.service import register_export_section
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role, Tenant

_ENTRIES: Table = StoredValueEntry.__table__  # type: ignore[assignment]


def _system(session: Session, tenant_id: int) -> Principal:
    tenant = session.get_one(Tenant, tenant_id)
    return tenancy.principal_for(tenant, Role.admin, "system:stored_value")


def on_order_refunded(session: Session, event: OrderRefunded) -> None:
    give_back_for_refund(
        session, _system(session, event.tenant_id), event.order_id, event.refund_id
    )


def _sum_of(column: Any) -> Any:
    return (
        select(func.coalesce(func.sum(column), 0))
        .where(
            StoredValueEntry.tenant_id == StoredValueAccount.tenant_id,
            StoredValueEntry.member_id == StoredValueAccount.member_id,
        )
        .scalar_subquery()
    )


def recompute(session: Session, principal: Principal, member_ids: list[int]) -> None:
    """Set the members' parts from their entries (after rows moved)."""
    for member_id in sorted(member_ids):
        ledger.lock_account(session, principal, member_id)
    session.execute(
        update(StoredValueAccount)
        .where(
            StoredValueAccount.tenant_id == principal.tenant_id,
            StoredValueAccount.member_id.in_(member_ids),
        )
        .values(
            principal_cents=_sum_of(StoredValueEntry.principal_cents),
            bonus_cents=_sum_of(StoredValueEntry.bonus_cents),
        )
        .execution_options(synchronize_session=False)
    )


def on_members_merged(session: Session, event: MembersMerged) -> None:
    move_member_rows(session, event, _ENTRIES)
    recompute(session, _system(session, event.tenant_id), [event.survivor_id, event.absorbed_id])


def on_members_unmerged(session: Session, event: MembersUnmerged) -> None:
    recompute(session, _system(session, event.tenant_id), [event.survivor_id, event.absorbed_id])


def register() -> None:
    """Subscribe to refunds and merges; add the member detail and export sections;
    idempotent."""
    subscribe(OrderRefunded, on_order_refunded)
    subscribe(MembersMerged, on_members_merged)
    subscribe(MembersUnmerged, on_members_unmerged)
    register_detail_section("stored_value", stored_value_section)
    register_export_section("stored_value", stored_value_export)
