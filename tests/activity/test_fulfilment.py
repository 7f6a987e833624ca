"""An order's fulfilment through the API: shipped and delivered, each recorded once and
announced once (``OrderShipped`` / ``OrderDelivered``), refused as problems for an order not
the tenant's or a bad body, changing nothing."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.activity.events import OrderDelivered, OrderShipped
from memberops.kernel.events import DomainEvent, subscribe
from memberops.tenancy.access import Principal
from tests.activity.support import ORDERS, order_body
from tests.api.support import assert_invalid, assert_problem, snapshot

_heard: list[DomainEvent] = []


def _hear(_session: Session, event: DomainEvent) -> None:
    _heard.append(event)


@pytest.fixture
def heard() -> Iterator[list[DomainEvent]]:
    subscribe(OrderShipped, _hear)
    subscribe(OrderDelivered, _hear)
    _heard.clear()
    yield _heard
    _heard.clear()


def _fulfil(client: TestClient, admin: dict[str, str], external_id: str, **body: Any) -> Any:
    return client.post(f"{ORDERS}/{external_id}/fulfilment", json=body, headers=admin)


def test_shipped_then_delivered_each_once(
    client: TestClient, admin: dict[str, str], heard: list[DomainEvent]
) -> None:
    created = client.post(ORDERS, json=order_body(), headers=admin).json()
    assert (created["shipped_at"], created["delivered_at"]) == (None, None)
    shipped = _fulfil(
        client, admin, "T1001", status="shipped", occurred_at="2026-11-12T09:30:00+08:00"
    )
    assert shipped.status_code == 200, shipped.text
    assert shipped.json()["shipped_at"] == "2026-11-12T01:30:00Z"
    again = _fulfil(
        client, admin, "T1001", status="shipped", occurred_at="2026-11-13T09:30:00+08:00"
    )
    assert again.json() == shipped.json()  # a replay (even of another time) changes nothing
    delivered = _fulfil(
        client, admin, "T1001", status="delivered", occurred_at="2026-11-14T15:00:00+08:00"
    )
    assert delivered.json()["delivered_at"] == "2026-11-14T07:00:00Z"
    assert delivered.json()["shipped_at"] == "2026-11-12T01:30:00Z"
    _fulfil(client, admin, "T1001", status="delivered")
    member_id = int(created["member_id"])
    assert [(type(e).__name__, e.member_id, e.external_id) for e in heard] == [  # type: ignore[attr-defined]
        ("OrderShipped", member_id, "T1001"),
        ("OrderDelivered", member_id, "T1001"),
    ]
    assert client.get(f"{ORDERS}/T1001", headers=admin).json() == delivered.json()


def test_delivered_without_a_shipment_sets_both_and_announces_delivery_only(
    client: TestClient, admin: dict[str, str], heard: list[DomainEvent]
) -> None:
    client.post(ORDERS, json=order_body(), headers=admin)
    delivered = _fulfil(client, admin, "T1001", status="delivered").json()
    assert delivered["shipped_at"] == delivered["delivered_at"] is not None
    assert [type(e).__name__ for e in heard] == ["OrderDelivered"]
    _fulfil(client, admin, "T1001", status="shipped")
    assert [type(e).__name__ for e in heard] == ["OrderDelivered"]


def test_refusals_are_problems_and_change_nothing(
    client: TestClient,
    admin: dict[str, str],
    other_headers: Any,
    session: Session,
    tenant: Principal,
    heard: list[DomainEvent],
) -> None:
    client.post(ORDERS, json=order_body(), headers=admin)
    before = snapshot(session, tenant.tenant_id)
    assert_problem(_fulfil(client, admin, "NOPE", status="shipped"), 404, "orders.not_found")
    rival = client.post(
        f"{ORDERS}/T1001/fulfilment", json={"status": "shipped"}, headers=other_headers["admin"]
    )
    assert_problem(rival, 404, "orders.not_found")
    assert_invalid(_fulfil(client, admin, "T1001", status="lost"), ["body", "status"])
    naive = _fulfil(client, admin, "T1001", status="shipped", occurred_at="2026-11-12T09:30:00")
    assert_invalid(naive, ["body", "occurred_at"])
    assert_invalid(_fulfil(client, admin, "T1001"), ["body", "status"])
    assert snapshot(session, tenant.tenant_id) == before
    assert heard == []
