"""Helpers of the check-in and perks tests: members, coupon templates, the tenant's timezone,
and the points and coupons a member was given, read from the ledger and the coupons table."""

from itertools import count
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.loyalty.coupons.models import Coupon
from memberops.loyalty.coupons.schemas import TemplateCreate
from memberops.loyalty.coupons.templates import create_template
from memberops.loyalty.points.models import PointsEntry
from memberops.tenancy.access import Principal
from tests.api.support import MEMBERS, crm, upsert

_serial = count(1)


def sign_up(client: TestClient, admin: dict[str, str], **body: Any) -> str:
    """A member registered through ``POST /members``; its id."""
    return str(upsert(client, admin, crm(f"m{next(_serial)}"), **body)["id"])


def check_in(client: TestClient, headers: dict[str, str], member_id: str) -> Any:
    return client.post(f"{MEMBERS}/{member_id}/check-ins", headers=headers)


def set_timezone(client: TestClient, admin: dict[str, str], timezone: str) -> None:
    response = client.patch("/api/v1/tenant", json={"timezone": timezone}, headers=admin)
    assert response.status_code == 200, response.text


def template(session: Session, principal: Principal, **fields: Any) -> int:
    """A new amount-off coupon template (5 yuan off, valid 30 days, 50 per member)."""
    body = {"name": "5 off", "kind": "amount_off", "amount_off": "5", "valid_days": 30}
    body |= {"per_member_limit": 50, **fields}
    with session.begin():
        return create_template(session, principal, TemplateCreate.model_validate(body)).id


def bonus_entries(session: Session, tenant_id: int, member_id: str) -> list[tuple[str, int]]:
    """(dedupe key, points) of the member's ledger entries, oldest first."""
    query = (
        select(PointsEntry.dedupe_key, PointsEntry.points)
        .where(PointsEntry.tenant_id == tenant_id, PointsEntry.member_id == int(member_id))
        .order_by(PointsEntry.id)
    )
    with session.begin():
        return [(str(key), points) for key, points in session.execute(query)]


def coupons_of(session: Session, tenant_id: int, member_id: str) -> list[tuple[Any, ...]]:
    """(template id, source, dedupe key, code) of the member's coupons, oldest first."""
    query = (
        select(Coupon.template_id, Coupon.source, Coupon.dedupe_key, Coupon.code)
        .where(Coupon.tenant_id == tenant_id, Coupon.member_id == int(member_id))
        .order_by(Coupon.id)
    )
    with session.begin():
        return [(t, str(s), k, c) for t, s, k, c in session.execute(query)]
