"""Helpers of the perks tests: the perk grants of a tenant and a principal carrying the
tenant's current timezone."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.loyalty.perks.models import PerkGrant
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role, Tenant

PERK_RULES = "/api/v1/loyalty/perk-rules"


def grants(session: Session, tenant_id: int) -> list[tuple[Any, ...]]:
    """(member id, kind, period, points, coupon codes) of every grant, oldest first."""
    query = (
        select(
            PerkGrant.member_id,
            PerkGrant.kind,
            PerkGrant.period,
            PerkGrant.points,
            PerkGrant.coupon_codes,
        )
        .where(PerkGrant.tenant_id == tenant_id)
        .order_by(PerkGrant.id)
    )
    with session.begin():
        return [(str(m), str(k), p, n, c) for m, k, p, n, c in session.execute(query)]


def fresh_principal(session: Session, principal: Principal) -> Principal:
    """The tenant's admin as a new request would see it (after a timezone change)."""
    with session.begin():
        tenant = session.get_one(Tenant, principal.tenant_id)
        return tenancy.principal_for(tenant, Role.admin, "test")
