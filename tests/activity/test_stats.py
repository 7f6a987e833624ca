"""member_stats: exact figures, the incremental path equal to the bulk rebuild on random
histories (hypothesis), and merges / undos recomputing both members."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.orm import Session

from memberops.activity import behaviour, orders, refunds, stats
from memberops.activity.errors import RefundExceeds
from memberops.activity.models import EventType, MemberStats
from memberops.activity.schemas import EventCreate, OrderCreate, RefundCreate
from memberops.identity.schemas import MemberUpsert
from memberops.identity.service import upsert_member
from memberops.kernel import clock
from memberops.kernel.settings import Settings
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.activity.support import EVENTS, ORDERS, event_body, order_body, stats_rows
from tests.api.support import MEMBERS, upsert

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
#: SKU → list price in cents: a fixed catalogue, so the top decile (S9) does not move.
CATALOGUE = {f"S{n}": 1000 * (n + 1) for n in range(10)}


def test_member_detail_carries_exact_stats(client: TestClient, admin: dict[str, str]) -> None:
    with clock.frozen(NOW):
        first = client.post(ORDERS, json=order_body("T1", is_promotion=True), headers=admin)
        member_id = first.json()["member_id"]
        old = order_body("T2", paid_at="2025-06-01T00:00:00Z", amount="100", list_amount="100")
        old["lines"] = [{"sku": "B1", "unit_price": "100", "quantity": 1}]
        old["shipping_address"] = {"city": "杭州", "detail": "西湖区 1 号"}
        assert client.post(ORDERS, json=old, headers=admin).status_code == 201
        refund = client.post(f"{ORDERS}/T2/refunds", json={"refund_id": "R"}, headers=admin)
        assert refund.status_code == 201
        visit = event_body("E1", type="store_visit", occurred_at="2026-11-20T08:00:00Z")
        assert client.post(EVENTS, json=visit, headers=admin).status_code == 201
        shown = client.get(f"{MEMBERS}/{member_id}", headers=admin).json()["stats"]
    assert shown == {
        "as_of": "2026-11-23T12:00:00Z",
        "first_order_at": "2025-06-01T00:00:00Z",
        "last_order_at": "2026-11-11T02:00:00Z",
        "orders_count": 2,
        "kept_orders": 1,
        "spend": "199.00",
        "average_order_value": "199.00",
        "max_order_value": "199.00",
        "orders_365d": 1,
        "spend_365d": "199.00",
        "orders_2y": 1,
        "spend_2y": "199.00",
        "discounted_orders": 1,
        "discount_order_share": 0.5,
        "special_price_share": 1.0,
        "top_price_share": 1.0,
        "shipping_addresses": 1,
        "refunds_count": 1,
        "last_visit_at": "2026-11-20T08:00:00Z",
        "last_cart_at": None,
        "last_favorite_at": None,
        "last_follow_at": None,
    }


def _order(n: int, member: int, skus: list[str], days: int, promo: bool, cut: int) -> OrderCreate:
    lines = [
        {
            "sku": s,
            "unit_price": f"{CATALOGUE[s] * (100 - cut) // 10000}",
            "list_price": f"{CATALOGUE[s] // 100}",
            "quantity": 1,
        }
        for s in skus
    ]
    total = sum(CATALOGUE[s] for s in skus)
    return OrderCreate.model_validate(
        {
            "external_id": f"T{n}",
            "member": {"identities": [{"type": "crm_id", "value": f"m{member}"}]},
            "channel": "taobao",
            "paid_at": (NOW - timedelta(days=days)).isoformat(),
            "amount": f"{total * (100 - cut) // 10000}",
            "list_amount": f"{total // 100}",
            "is_promotion": promo,
            "lines": lines,
            "shipping_address": {"city": "杭州", "detail": f"{member % 2} 号"},
        }
    )


_members = st.integers(0, 3)
_ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("order"),
            _members,
            st.lists(st.sampled_from(sorted(CATALOGUE)), min_size=1, max_size=3),
            st.integers(0, 900),
            st.booleans(),
            st.sampled_from([0, 3, 10, 50]),
        ),
        st.tuples(st.just("refund"), st.integers(0, 20), st.one_of(st.none(), st.integers(1, 90))),
        st.tuples(
            st.just("event"), _members, st.sampled_from(list(EventType)), st.integers(0, 900)
        ),
        st.tuples(st.just("link"), _members, _members),
    ),
    max_size=25,
)


def _apply(session: Session, principal: Principal, n: int, op: tuple[Any, ...]) -> None:
    """One write of a random history, through the services, in its own transaction."""
    kind = op[0]
    with session.begin():
        if kind == "order":
            orders.record_order(session, principal, _order(n, *op[1:]))
        elif kind == "refund":
            order = orders.find_order(session, principal, f"T{op[1]}")
            body = RefundCreate(refund_id=f"R{n}", amount=None if op[2] is None else f"{op[2]}")
            if order is not None:
                try:
                    refunds.refund_order(session, principal, order.external_id, body)
                except RefundExceeds:
                    pass
        elif kind == "event":
            event = {
                "external_id": f"E{n}",
                "member": {"identities": [{"type": "crm_id", "value": f"m{op[1]}"}]},
                "type": op[2],
                "occurred_at": (NOW - timedelta(days=op[3])).isoformat(),
            }
            behaviour.record_event(session, principal, EventCreate.model_validate(event))
        else:
            ids = [{"type": "crm_id", "value": f"m{m}"} for m in sorted({op[1], op[2]})]
            upsert_member(session, principal, MemberUpsert.model_validate({"identities": ids}))


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=_ops)
def test_the_incremental_path_equals_the_bulk_rebuild(
    session: Session, history: list[tuple[Any, ...]]
) -> None:
    with clock.frozen(NOW):
        with session.begin():
            tenant = tenancy.create_tenant(session, f"h-{uuid.uuid4().hex[:8]}", Settings())
            principal = tenancy.principal_for(tenant, Role.admin, "test")
        seed = _order(0, 9, sorted(CATALOGUE), 0, False, 0)  # every SKU: a fixed top decile
        with session.begin():
            orders.record_order(session, principal, seed)
        for n, op in enumerate(history, start=1):
            _apply(session, principal, n, op)
        incremental = stats_rows(session, principal.tenant_id)
        with session.begin():
            stats.refresh(session, principal.tenant_id)
        assert stats_rows(session, principal.tenant_id) == incremental


def test_merge_sums_both_members_and_undo_restores_each_exactly(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    crm = {"type": "crm_id", "value": "C1"}
    with clock.frozen(NOW):
        one = client.post(ORDERS, json=order_body("T1"), headers=admin).json()["member_id"]
        other_order = {**order_body("T2", amount="50"), "member": {"identities": [crm]}}
        two = client.post(ORDERS, json=other_order, headers=admin).json()["member_id"]
        before = stats_rows(session, tenant.tenant_id)
        merged = upsert(client, admin, {"type": "phone", "value": "13800000000"}, crm)
        after = {row[1]: row for row in stats_rows(session, tenant.tenant_id)}
        assert list(after) == [int(one)]
        shown = client.get(f"{MEMBERS}/{one}", headers=admin).json()["stats"]
        assert (shown["orders_count"], shown["spend"]) == (2, "249.00")
        orders_page = client.get(f"{MEMBERS}/{one}/orders", headers=admin).json()
        assert [o["external_id"] for o in orders_page["items"]] == ["T2", "T1"]
        undo = client.post(f"/api/v1/merges/{merged['merged'][0]}/undo", headers=admin)
        assert undo.status_code == 200
        assert stats_rows(session, tenant.tenant_id) == before
        assert client.get(f"{ORDERS}/T2", headers=admin).json()["member_id"] == two


def test_refresh_many_in_slices_or_as_a_rebuild_gives_the_rebuild_rows(
    session: Session, tenant: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    with clock.frozen(NOW):
        with session.begin():
            for n in range(5):
                body = order_body(
                    f"T{n}", member={"identities": [{"type": "crm_id", "value": f"c{n}"}]}
                )
                orders.record_order(session, tenant, OrderCreate.model_validate(body))
        rebuilt = stats_rows(session, tenant.tenant_id)
        members = {row[1] for row in rebuilt}
        monkeypatch.setattr(stats, "_REFRESH_SLICE", 2)
        for rebuild_above in (len(members), len(members) - 1):
            monkeypatch.setattr(stats, "REBUILD_ABOVE", rebuild_above)
            with session.begin():
                session.execute(delete(MemberStats))
                stats.refresh_many(session, tenant.tenant_id, members)
            assert stats_rows(session, tenant.tenant_id) == rebuilt
    assert len(rebuilt) == 5
