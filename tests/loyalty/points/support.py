"""Helpers of the points tests: orders by API, a member's points, redemptions."""

import itertools
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberops.loyalty.points.models import PointsAccount, PointsEntry, PointsLot

ORDERS = "/api/v1/orders"
RULES = "/api/v1/loyalty/points-rules"
PHONE = "13800000000"
_keys = itertools.count(1)


def order(
    client: TestClient,
    headers: dict[str, str],
    external_id: str,
    amount: str,
    paid_at: str = "2026-11-11T10:00:00+08:00",
    channel: str = "taobao",
    phone: str = PHONE,
) -> str:
    """Record a paid order; returns the member id."""
    body = {
        "external_id": external_id,
        "member": {"identities": [{"type": "phone", "value": phone}]},
        "channel": channel,
        "paid_at": paid_at,
        "amount": amount,
    }
    response = client.post(ORDERS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    member_id: str = response.json()["member_id"]
    return member_id


def refund(
    client: TestClient, headers: dict[str, str], external_id: str, refund_id: str, amount: str
) -> None:
    body = {"refund_id": refund_id, "amount": amount}
    response = client.post(f"{ORDERS}/{external_id}/refunds", json=body, headers=headers)
    assert response.status_code == 201, response.text


def points(client: TestClient, headers: dict[str, str], member_id: str) -> Any:
    response = client.get(f"/api/v1/members/{member_id}/points", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def balance(client: TestClient, headers: dict[str, str], member_id: str) -> int:
    value: int = points(client, headers, member_id)["balance"]
    return value


def new_key() -> str:
    return f"key-{next(_keys)}"


def redeem(
    client: TestClient,
    headers: dict[str, str],
    member_id: str,
    points_asked: int,
    key: str | None = None,
    **extra: Any,
) -> Any:
    body = {"points": points_asked, "reason": "checkout", **extra}
    return client.post(
        f"/api/v1/members/{member_id}/points/redeem",
        json=body,
        headers={**headers, "Idempotency-Key": key or new_key()},
    )


def adjust(
    client: TestClient,
    headers: dict[str, str],
    member_id: str,
    points_given: int,
    key: str | None = None,
) -> Any:
    return client.post(
        f"/api/v1/members/{member_id}/points/adjust",
        json={"points": points_given, "reason": "goodwill"},
        headers={**headers, "Idempotency-Key": key or new_key()},
    )


def set_rules(client: TestClient, headers: dict[str, str], **changes: Any) -> Any:
    rules = client.get(RULES, headers=headers).json()
    response = client.put(RULES, json={**rules, **changes}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def ledger_totals(session: Session, tenant_id: int, member_id: int) -> tuple[int, int, int, int]:
    """(account balance, sum of entries, sum of lot remaining, debt) of a member."""
    with session.begin():
        account = session.scalar(
            select(PointsAccount).where(
                PointsAccount.tenant_id == tenant_id, PointsAccount.member_id == member_id
            )
        )
        entries = session.scalar(
            select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
                PointsEntry.tenant_id == tenant_id, PointsEntry.member_id == member_id
            )
        )
        lots = session.scalar(
            select(func.coalesce(func.sum(PointsLot.remaining), 0)).where(
                PointsLot.tenant_id == tenant_id, PointsLot.member_id == member_id
            )
        )
        balance_now = 0 if account is None else account.balance
        debt = 0 if account is None else account.debt
        return balance_now, int(entries or 0), int(lots or 0), debt
