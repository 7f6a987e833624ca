"""Purchases at once, each request in its own transaction with real commits: of ten purchases of
one card for one member exactly one succeeds; of five cards bought at once with points for
three, exactly three succeed; and the points balance is exact and equals the ledger.

PostgreSQL only: SQLite takes one writer at a time (``BEGIN IMMEDIATE``), so nothing races.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from memberops.kernel.db import make_session_factory
from memberops.loyalty.cards.models import CardHolding
from memberops.loyalty.points.models import PointsAccount, PointsEntry
from tests.loyalty.cards.support import CARDS, card_body
from tests.races import Call, Racer, at_once

pytestmark = pytest.mark.postgres_only


def _member_with_points(client: TestClient, headers: dict[str, str], points: int) -> str:
    body = {"identities": [{"type": "phone", "value": "13800000000"}]}
    member = str(client.post("/api/v1/members", json=body, headers=headers).json()["id"])
    account = client.get(f"/api/v1/members/{member}/points", headers=headers).json()["balance"]
    adjust = {"points": points - account, "reason": "opening balance"}
    given = client.post(
        f"/api/v1/members/{member}/points/adjust",
        json=adjust,
        headers={**headers, "Idempotency-Key": "opening"},
    )
    assert given.status_code == 201, given.text
    return member


def _buy(member: str, card: Any, n: int) -> Call:
    return Call(
        f"/api/v1/members/{member}/benefit-cards",
        {"card_type_id": int(card["id"])},
        headers={"Idempotency-Key": f"race-{n}"},
    )


def _ledger(engine: Engine, tenant: int) -> tuple[int, int, int]:
    """(balance, sum of the ledger, holdings) of the tenant."""
    with make_session_factory(engine)() as session:
        balance = session.scalar(
            select(PointsAccount.balance).where(PointsAccount.tenant_id == tenant)
        )
        total = session.scalar(
            select(func.sum(PointsEntry.points)).where(PointsEntry.tenant_id == tenant)
        )
        held = session.scalar(select(func.count()).where(CardHolding.tenant_id == tenant))
        return int(balance or 0), int(total or 0), int(held or 0)


def test_ten_purchases_of_one_card_at_once_make_one_holding(
    fresh_engine: Engine, app_and_key: Racer
) -> None:
    app, headers, tenant = app_and_key
    client = TestClient(app)
    card = client.post(CARDS, json=card_body(), headers=headers).json()
    member = _member_with_points(client, headers, 10_000)
    responses = at_once(app_and_key, [_buy(member, card, n) for n in range(10)])
    assert sorted(r.status_code for r in responses) == [201] + [409] * 9
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"cards.already_held"}
    assert _ledger(fresh_engine, tenant) == (9_000, 9_000, 1)


def test_five_cards_bought_at_once_with_points_for_three(
    fresh_engine: Engine, app_and_key: Racer
) -> None:
    app, headers, tenant = app_and_key
    client = TestClient(app)
    cards = [
        client.post(CARDS, json=card_body(code=f"c{n}"), headers=headers).json() for n in range(5)
    ]
    member = _member_with_points(client, headers, 3_000)
    responses = at_once(app_and_key, [_buy(member, card, n) for n, card in enumerate(cards)])
    assert sorted(r.status_code for r in responses) == [201] * 3 + [409] * 2
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"points.insufficient"}
    assert _ledger(fresh_engine, tenant) == (0, 0, 3)
