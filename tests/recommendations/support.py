"""A tiny hand-made shop for the recommendations tests, bought through the orders API.

Five members, each with one order (phone → SKUs):

    m1: A B C    m2: A B    m3: A C D    m4: B D    m5: E

Baskets holding each SKU: A 3, B 3, C 2, D 2, E 1. Members who bought both of a pair: A-B 2,
A-C 2, and 1 for A-D, B-C, B-D, C-D. With the default support of 2 only A-B and A-C are pairs:
cosine A→C = 2/√(3·2) = 0.816497, A→B = 2/√(3·3) = 0.666667, and each the other way.
A, B and C are tea, D a snack, E fruit. They were bought on 1 October, two months before
the tests' clock, so none is a new arrival.
"""

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.insights.tags.models import MemberTag, Tag, TagSource
from memberops.insights.tags.service import ensure_behaviour_tags
from memberops.tenancy.access import Principal

NOW = datetime.fromisoformat("2026-12-01T12:00:00+08:00")
ORDERS = "/api/v1/orders"
CATEGORY = {"A": "tea", "B": "tea", "C": "tea", "D": "snack", "E": "fruit", "P": "postage"}
SHOP = {
    "13800000001": "ABC",
    "13800000002": "AB",
    "13800000003": "ACD",
    "13800000004": "BD",
    "13800000005": "E",
}


def line(sku: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "sku": sku,
        "name": f"商品{sku}",
        "category": CATEGORY.get(sku),
        "unit_price": "10.00",
        "list_price": "10.00",
        "quantity": 1,
    }
    return {**body, **overrides}


def buy(
    client: TestClient,
    headers: dict[str, str],
    phone: str,
    skus: str,
    external_id: str,
    paid_at: str = "2026-10-01T10:00:00+08:00",
    **lines: Any,
) -> int:
    """Order ``skus`` (one letter each) for the member with ``phone``; their member id."""
    body = {
        "external_id": external_id,
        "member": {"identities": [{"type": "phone", "value": phone}]},
        "channel": "taobao",
        "paid_at": paid_at,
        "amount": f"{10 * len(skus)}.00",
        "list_amount": f"{10 * len(skus)}.00",
        "lines": [line(sku, **lines) for sku in skus],
    }
    response = client.post(ORDERS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["member_id"])


def open_shop(client: TestClient, headers: dict[str, str]) -> dict[str, int]:
    """The five members' orders; member ids by name (m1…m5)."""
    return {
        f"m{n}": buy(client, headers, phone, skus, f"T{n}")
        for n, (phone, skus) in enumerate(SHOP.items(), start=1)
    }


def tag(session: Session, tenant: Principal, member_id: int, code: str) -> None:
    """Give the member a behaviour tag (as the daily tag refresh would)."""
    with session.begin():
        ensure_behaviour_tags(session, tenant.tenant_id)
        tag_id = session.scalar(
            select(Tag.id).where(Tag.tenant_id == tenant.tenant_id, Tag.code == code)
        )
        session.add(
            MemberTag(
                tenant_id=tenant.tenant_id,
                member_id=member_id,
                tag_id=tag_id,
                source=TagSource.behaviour,
            )
        )


def rebuild(client: TestClient, headers: dict[str, str]) -> Any:
    response = client.post("/api/v1/recommendations:rebuild", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()
