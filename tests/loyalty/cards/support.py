"""Helpers of the benefit-card tests: card types, members with points, purchases, renewals
and refunds by API, and the daily job."""

import itertools
from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from memberops.loyalty.cards import jobs
from memberops.loyalty.cards.jobs import CardsReport
from memberops.tenancy.access import Principal
from tests.api.support import MEMBERS, phone, upsert

CARDS = "/api/v1/benefit-cards"
NOW = datetime.fromisoformat("2026-11-11T12:00:00+08:00")
_keys = itertools.count(1)


def new_key() -> str:
    return f"card-key-{next(_keys)}"


def card_body(**overrides: Any) -> dict[str, Any]:
    """PLUS: 1,000 points for 30 days; 88折, free shipping, double points."""
    body = {
        "code": "plus",
        "name": "PLUS会员",
        "price_kind": "points",
        "price_points": 1000,
        "validity_unit": "days",
        "validity_length": 30,
        "benefits": {"discount_rate": "0.88", "free_shipping": True, "points_multiplier": "2"},
    }
    return {**body, **overrides}


def make_card(client: TestClient, admin: dict[str, str], **overrides: Any) -> Any:
    response = client.post(CARDS, json=card_body(**overrides), headers=admin)
    assert response.status_code == 201, response.text
    return response.json()


def make_template(client: TestClient, admin: dict[str, str], name: str = "无门槛5元") -> int:
    """An amount-off coupon template any member may hold any number of, valid 60 days."""
    body = {
        "name": name,
        "kind": "amount_off",
        "amount_off": "5",
        "valid_days": 60,
        "per_member_limit": None,
    }
    response = client.post("/api/v1/coupon-templates", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def make_member(
    client: TestClient, admin: dict[str, str], number: str = "13800000001", points: int = 0
) -> str:
    """A member with ``points`` given by an adjustment."""
    member_id = str(upsert(client, admin, phone(number))["id"])
    if points:
        response = client.post(
            f"{MEMBERS}/{member_id}/points/adjust",
            json={"points": points, "reason": "opening balance"},
            headers={**admin, "Idempotency-Key": new_key()},
        )
        assert response.status_code == 201, response.text
    return member_id


def balance(client: TestClient, admin: dict[str, str], member_id: str) -> int:
    response = client.get(f"{MEMBERS}/{member_id}/points", headers=admin)
    assert response.status_code == 200, response.text
    value: int = response.json()["balance"]
    return value


def buy(
    client: TestClient,
    headers: dict[str, str],
    member_id: str,
    card_id: str,
    key: str | None = None,
    **body: Any,
) -> Any:
    """POST /members/{id}/benefit-cards; the raw response."""
    return client.post(
        f"{MEMBERS}/{member_id}/benefit-cards",
        json={"card_type_id": int(card_id), **body},
        headers={**headers, "Idempotency-Key": key or new_key()},
    )


def bought(client: TestClient, headers: dict[str, str], member_id: str, card_id: str) -> Any:
    response = buy(client, headers, member_id, card_id)
    assert response.status_code == 201, response.text
    return response.json()


def act(
    client: TestClient,
    headers: dict[str, str],
    member_id: str,
    holding_id: str,
    verb: str,
    key: str | None = None,
    **body: Any,
) -> Any:
    """POST …/benefit-cards/{holding}/{verb} (renew, refund); the raw response."""
    return client.post(
        f"{MEMBERS}/{member_id}/benefit-cards/{holding_id}/{verb}",
        json=body,
        headers={**headers, "Idempotency-Key": key or new_key()},
    )


def holdings(client: TestClient, headers: dict[str, str], member_id: str) -> list[Any]:
    response = client.get(f"{MEMBERS}/{member_id}/benefit-cards", headers=headers)
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()["items"]
    return items


def benefits(client: TestClient, headers: dict[str, str], member_id: str) -> Any:
    response = client.get(f"{MEMBERS}/{member_id}/benefits", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def combined(answer: Any) -> tuple[Decimal, bool, Decimal]:
    """(discount rate, free shipping, points multiplier) of a benefits answer."""
    return (
        Decimal(answer["discount_rate"]),
        answer["free_shipping"],
        Decimal(answer["points_multiplier"]),
    )


def order(
    client: TestClient,
    headers: dict[str, str],
    external_id: str,
    amount: str,
    paid_at: datetime,
    number: str = "13800000001",
) -> Any:
    """Record a paid order of the member with this phone; the answer."""
    body = {
        "external_id": external_id,
        "member": {"identities": [phone(number)]},
        "channel": "taobao",
        "paid_at": paid_at.isoformat(),
        "amount": amount,
    }
    response = client.post("/api/v1/orders", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def coupons(client: TestClient, headers: dict[str, str], member_id: str) -> list[Any]:
    response = client.get(f"{MEMBERS}/{member_id}/coupons?limit=500", headers=headers)
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()["items"]
    return items


def run_daily(factory: sessionmaker[Session], principal: Principal) -> CardsReport:
    return jobs.run_daily(factory, principal)


def earned(client: TestClient, headers: dict[str, str], member_id: str, external_id: str) -> int:
    """The points the order earned (its ``earn`` entries; the first-order bonus left out)."""
    response = client.get(f"{MEMBERS}/{member_id}/points?limit=500", headers=headers)
    assert response.status_code == 200, response.text
    history = response.json()["history"]
    return sum(e["points"] for e in history if e["kind"] == "earn" and e["order_id"] == external_id)
