"""Perks' subscriptions and registrations, installed by :func:`register` (called from
``memberops.wiring``).

A member who signs up through the members API (``MemberRegistered``) gets the new-member pack
in the same transaction; customers created by an order, an event or an import did not sign
up and get nothing. The grant acts as the tenant's system actor ``perks:new_member_pack``.
"""

from sqlalchemy.orm import Session

from memberops.identity.events import MemberRegistered
from memberops.identity.service import register_detail_section
from memberops.kernel.events import subscribe
from memberops.loyalty.perks.service import grant_new_member_pack, perks_export, perks_section
from memberops.members.service import register_export_section
from memberops.tenancy.models import Role, Tenant
from memberops.tenancy.service import principal_for

ACTOR = "perks:new_member_pack"


def on_member_registered(session: Session, event: MemberRegistered) -> None:
    tenant = session.get_one(Tenant, event.tenant_id)
    principal = principal_for(tenant, Role.admin, ACTOR)
    grant_new_member_pack(session, principal, event.member_id)


def register() -> None:
    """Subscribe to sign-ups and add the ``perks`` section of ``GET /members/{id}`` and of a
    member export; idempotent."""
    subscribe(MemberRegistered, on_member_registered)
    register_detail_section("perks", perks_section)
    register_export_section("perks", perks_export)
