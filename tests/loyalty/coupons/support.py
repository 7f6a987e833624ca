"""Helpers of the coupon tests: template bodies, creating templates and members, issuing and
redeeming by API, and the coupon rows of a tenant."""

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.loyalty.coupons.models import Coupon, CouponTemplate
from tests.api.support import phone, upsert

TEMPLATES = "/api/v1/coupon-templates"
#: When the coupon tests' clock starts: 2026-03-10 10:00 in Shanghai (the member day is the 18th).
START = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def template_body(**overrides: Any) -> dict[str, Any]:
    """满100减20, valid 30 days after issue."""
    body = {
        "name": "满100减20",
        "kind": "amount_off",
        "amount_off": "20",
        "threshold": "100",
        "valid_days": 30,
    }
    return {**body, **overrides}


def make_template(client: TestClient, admin: dict[str, str], **overrides: Any) -> Any:
    response = client.post(TEMPLATES, json=template_body(**overrides), headers=admin)
    assert response.status_code == 201, response.text
    return response.json()


def make_member(client: TestClient, admin: dict[str, str], number: str = "13800000001") -> str:
    return str(upsert(client, admin, phone(number))["id"])


def issue(
    client: TestClient, headers: dict[str, str], member_id: str, template_id: str, **body: Any
) -> Any:
    """POST /members/{id}/coupons; the raw response."""
    return client.post(
        f"/api/v1/members/{member_id}/coupons",
        json={"template_id": int(template_id), **body},
        headers=headers,
    )


def issued(client: TestClient, admin: dict[str, str], member_id: str, template_id: str) -> Any:
    """A coupon issued to the member; the request must succeed."""
    response = issue(client, admin, member_id, template_id)
    assert response.status_code == 201, response.text
    return response.json()


def redeem(
    client: TestClient, headers: dict[str, str], code: str, order_id: str, amount: str, **more: Any
) -> Any:
    body = {"order_id": order_id, "order_amount": amount, **more}
    return client.post(f"/api/v1/coupons/{code}/redeem", json=body, headers=headers)


def stats(client: TestClient, admin: dict[str, str], template_id: str) -> Any:
    response = client.get(f"{TEMPLATES}/{template_id}", headers=admin)
    assert response.status_code == 200, response.text
    return response.json()["stats"]


def coupon_rows(session: Session, tenant_id: int) -> list[tuple[Any, ...]]:
    """(member, template, status, order, amount) of every coupon of the tenant, by id."""
    query = (
        select(
            Coupon.member_id,
            Coupon.template_id,
            Coupon.status,
            Coupon.order_external_id,
            Coupon.order_amount_cents,
        )
        .where(Coupon.tenant_id == tenant_id)
        .order_by(Coupon.id)
    )
    with session.begin():
        return [tuple(row) for row in session.execute(query)]


def counters(session: Session, template_id: str) -> tuple[int, int]:
    """(issued, redeemed) as stored on the template."""
    with session.begin():
        row = session.execute(
            select(CouponTemplate.issued, CouponTemplate.redeemed).where(
                CouponTemplate.id == int(template_id)
            )
        ).one()
    return row[0], row[1]
