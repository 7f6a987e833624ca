"""Helpers of the stored-value tests: orders and refunds by API, top-ups, spends, adjustments,
and the ledger's totals read straight from the tables."""

import itertools
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberops.loyalty.wallet.models import StoredValueAccount, StoredValueEntry

ORDERS = "/api/v1/orders"
RULES = "/api/v1/stored-value/rules"
LIABILITY = "/api/v1/stored-value/liability"
PHONE = "13800000000"
_keys = itertools.count(1)


def new_key() -> str:
    return f"sv-key-{next(_keys)}"


def order(
    client: TestClient,
    headers: dict[str, str],
    external_id: str,
    amount: str,
    phone: str = PHONE,
) -> str:
    """Record a paid order; returns the member id."""
    body = {
        "external_id": external_id,
        "member": {"identities": [{"type": "phone", "value": phone}]},
        "channel": "taobao",
        "paid_at": "2026-11-11T10:00:00+08:00",
        "amount": amount,
    }
    response = client.post(ORDERS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    member_id: str = response.json()["member_id"]
    return member_id


def refund(
    client: TestClient, headers: dict[str, str], external_id: str, refund_id: str, amount: str
) -> Any:
    body = {"refund_id": refund_id, "amount": amount}
    return client.post(f"{ORDERS}/{external_id}/refunds", json=body, headers=headers)


def _post(client: TestClient, headers: dict[str, str], url: str, body: Any, key: str | None) -> Any:
    return client.post(url, json=body, headers={**headers, "Idempotency-Key": key or new_key()})


def top_up(
    client: TestClient,
    headers: dict[str, str],
    member_id: str,
    amount: str,
    key: str | None = None,
    **extra: Any,
) -> Any:
    url = f"/api/v1/members/{member_id}/stored-value/top-ups"
    return _post(client, headers, url, {"amount": amount, **extra}, key)


def spend(
    client: TestClient,
    headers: dict[str, str],
    member_id: str,
    order_id: str,
    amount: str,
    key: str | None = None,
) -> Any:
    url = f"/api/v1/members/{member_id}/stored-value/spends"
    return _post(client, headers, url, {"order_id": order_id, "amount": amount}, key)


def adjust(
    client: TestClient,
    headers: dict[str, str],
    member_id: str,
    amount: str,
    direction: str = "credit",
    part: str = "bonus",
    key: str | None = None,
) -> Any:
    url = f"/api/v1/members/{member_id}/stored-value/adjustments"
    body = {"amount": amount, "direction": direction, "part": part, "reason": "goodwill"}
    return _post(client, headers, url, body, key)


def stored_value(client: TestClient, headers: dict[str, str], member_id: str) -> Any:
    response = client.get(f"/api/v1/members/{member_id}/stored-value", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def set_tiers(client: TestClient, headers: dict[str, str], *tiers: tuple[str, str]) -> Any:
    body = {"bonus_tiers": [{"min_amount": low, "bonus": bonus} for low, bonus in tiers]}
    response = client.put(RULES, json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def ledger_totals(session: Session, tenant_id: int, member_id: int) -> tuple[int, int, int, int]:
    """(account principal, account bonus, sum of entries' principal, sum of their bonus)."""
    with session.begin():
        account = session.scalar(
            select(StoredValueAccount).where(
                StoredValueAccount.tenant_id == tenant_id,
                StoredValueAccount.member_id == member_id,
            )
        )
        sums = session.execute(
            select(
                func.coalesce(func.sum(StoredValueEntry.principal_cents), 0),
                func.coalesce(func.sum(StoredValueEntry.bonus_cents), 0),
            ).where(
                StoredValueEntry.tenant_id == tenant_id, StoredValueEntry.member_id == member_id
            )
        ).one()
        held = (0, 0) if account is None else (account.principal_cents, account.bonus_cents)
        return held[0], held[1], int(sums[0]), int(sums[1])
