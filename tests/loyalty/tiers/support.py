"""Helpers of the tier tests: orders at the frozen clock's time, a member's tier by API, and
the tier rows of a tenant."""

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.loyalty.tiers.models import MemberTier, TierChange
from tests.activity.support import ORDERS, order_body

TIERS = "/api/v1/loyalty/tiers"
#: When the tier tests' clock starts.
START = datetime(2026, 1, 10, 2, 0, tzinfo=UTC)


def buy(
    client: TestClient, admin: dict[str, str], external_id: str, amount: str, phone: str
) -> str:
    """A paid order of ``amount`` yuan at the clock's time; the member's id."""
    body = order_body(external_id, phone, amount=amount, list_amount=None, lines=[])
    body["paid_at"] = clock.now().isoformat()
    response = client.post(ORDERS, json=body, headers=admin)
    assert response.status_code == 201, response.text
    return str(response.json()["member_id"])


def refund(client: TestClient, admin: dict[str, str], external_id: str) -> None:
    response = client.post(
        f"{ORDERS}/{external_id}/refunds", json={"refund_id": "R1"}, headers=admin
    )
    assert response.status_code == 201, response.text


def tier_of(client: TestClient, admin: dict[str, str], member_id: str, **params: Any) -> Any:
    response = client.get(f"/api/v1/members/{member_id}/tier", params=params, headers=admin)
    assert response.status_code == 200, response.text
    return response.json()


def level_code(client: TestClient, admin: dict[str, str], member_id: str) -> str:
    return str(tier_of(client, admin, member_id)["level"]["code"])


def kinds(client: TestClient, admin: dict[str, str], member_id: str) -> list[tuple[Any, ...]]:
    """The member's history, newest first, as (kind, from, to)."""
    history = tier_of(client, admin, member_id, limit=500)["history"]
    return [(h["kind"], h["from_tier"], h["to_tier"]) for h in history]


def at(moment: datetime) -> str:
    """A time as the API writes it."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def tier_rows(session: Session, tenant_id: int) -> list[tuple[Any, ...]]:
    """(member, tier, since, period end) of every member_tiers row of the tenant."""
    query = select(
        MemberTier.member_id, MemberTier.tier, MemberTier.since, MemberTier.period_ends_at
    ).where(MemberTier.tenant_id == tenant_id)
    return sorted(tuple(row) for row in session.execute(query))


def change_rows(session: Session, tenant_id: int) -> list[tuple[Any, ...]]:
    """Every tier_changes row of the tenant but its id, by member then time."""
    query = select(
        TierChange.member_id,
        TierChange.from_tier,
        TierChange.to_tier,
        TierChange.kind,
        TierChange.spend_365d_cents,
        TierChange.orders_365d,
        TierChange.changed_at,
    ).where(TierChange.tenant_id == tenant_id)
    rows = [tuple(row) for row in session.execute(query)]
    return sorted(rows, key=lambda row: tuple("" if value is None else value for value in row))
