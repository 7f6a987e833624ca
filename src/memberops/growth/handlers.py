"""Growth's subscriptions and registrations, installed by :func:`register` (called from
``memberops.wiring`` before perks', so a source's own new-member pack goes before perks'
default one).

- ``MemberRegistered`` from ``POST /members``: the registration is recorded with source
  ``api`` (a join through ``POST /joins`` recorded its own already), with that source's pack
  when the growth rules set one.
- ``OrderPaid`` (not historical): the newcomer's pending referral is decided on it.
- ``MembersMerged``: the absorbed member's invite codes and the referrals it made move to the
  survivor (its links keep working, and its counts add up), and its join record too unless the
  survivor has one; undo moves them back. Referrals keep their newcomer: a newcomer merged into
  an older member was no newcomer, and its first order will not come as one.
"""

from typing import Any

from sqlalchemy import Table, exists
from sqlalchemy.orm import Session, aliased

from memberops.activity.events import OrderPaid
from memberops.growth.joins import Origin, give_source_pack, join_of, read_join, record_join
from memberops.growth.models import InviteCode, JoinSource, MemberJoin, Referral
from memberops.growth.referrals import read_referral, referrals_of, reward_first_order
from memberops.identity.events import MemberRegistered, MembersMerged
from memberops.identity.merge import move_member_rows
from memberops.kernel.events import subscribe
from memberops.members.service import register_export_section
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role, Tenant
from memberops.tenancy.service import principal_for

_CODES: Table = InviteCode.__table__  # type: ignore[assignment]
_REFERRALS: Table = Referral.__table__  # type: ignore[assignment]
_JOINS: Table = MemberJoin.__table__  # type: ignore[assignment]


def _system(session: Session, tenant_id: int) -> Principal:
    tenant = session.get_one(Tenant, tenant_id)
    return principal_for(tenant, Role.admin, "system:growth")


def on_member_registered(session: Session, event: MemberRegistered) -> None:
    principal = _system(session, event.tenant_id)
    if join_of(session, principal, event.member_id) is None:
        record_join(session, principal, event.member_id, Origin(JoinSource.api))
        give_source_pack(session, principal, event.member_id, JoinSource.api)


def on_order_paid(session: Session, event: OrderPaid) -> None:
    if not event.historical:
        principal = _system(session, event.tenant_id)
        reward_first_order(session, principal, event.member_id, event.order_id)


def on_members_merged(session: Session, event: MembersMerged) -> None:
    move_member_rows(session, event, _CODES)
    move_member_rows(session, event, _REFERRALS)
    theirs = aliased(MemberJoin)
    survivor_joined = exists().where(
        theirs.tenant_id == event.tenant_id, theirs.member_id == event.survivor_id
    )
    move_member_rows(session, event, _JOINS, keep=survivor_joined)


def growth_export(session: Session, principal: Principal, member_id: int) -> Any:
    """``growth`` of a member's data export: how it joined and its referrals."""
    row = join_of(session, principal, member_id)
    return {
        "join": None if row is None else read_join(session, principal, row).model_dump(mode="json"),
        "referrals": [
            read_referral(r).model_dump(mode="json")
            for r in referrals_of(session, principal, member_id)
        ],
    }


def register() -> None:
    """Subscribe to sign-ups, paid orders and merges; add the ``growth`` export section;
    idempotent."""
    subscribe(MemberRegistered, on_member_registered)
    subscribe(OrderPaid, on_order_paid)
    subscribe(MembersMerged, on_members_merged)
    register_export_section("growth", growth_export)
