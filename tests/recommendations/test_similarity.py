"""The rebuild on the hand-made shop of ``support``: exactly the expected neighbours and
figures, on both backends."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.recommendations.models import ProductFigures, ProductNeighbour
from memberops.recommendations.rules import RecommendationRules
from memberops.tenancy.access import Principal
from memberops.tenancy.sections import save_section
from tests.recommendations.support import NOW, buy, open_shop, rebuild


def _neighbours(session: Session, tenant: Principal) -> list[tuple[str, str, int, float, int]]:
    n = ProductNeighbour
    query = (
        select(n.sku, n.neighbour_sku, n.rank, n.score, n.support)
        .where(n.tenant_id == tenant.tenant_id)
        .order_by(n.sku, n.rank)
    )
    with session.begin():
        return [(a, b, r, round(s, 6), c) for a, b, r, s, c in session.execute(query)]


def _figures(session: Session, tenant: Principal) -> dict[str, tuple[object, ...]]:
    f = ProductFigures
    query = select(f.sku, f.name, f.category, f.buyers, f.units, f.new_product).where(
        f.tenant_id == tenant.tenant_id
    )
    with session.begin():
        return {row[0]: tuple(row[1:]) for row in session.execute(query)}


def test_the_neighbours_are_the_cosine_of_the_pairs_with_support(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    open_shop(client, admin)
    done = rebuild(client, admin)
    assert (done["products"], done["neighbours"]) == (5, 4)
    assert _neighbours(session, tenant) == [
        ("A", "C", 1, 0.816497, 2),
        ("A", "B", 2, 0.666667, 2),
        ("B", "A", 1, 0.666667, 2),
        ("C", "A", 1, 0.816497, 2),
    ]
    assert _figures(session, tenant) == {
        "A": ("商品A", "tea", 3, 3, False),
        "B": ("商品B", "tea", 3, 3, False),
        "C": ("商品C", "tea", 2, 2, False),
        "D": ("商品D", "snack", 2, 2, False),
        "E": ("商品E", "fruit", 1, 1, False),
    }


def test_support_and_neighbours_come_from_the_rules(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    open_shop(client, admin)
    with session.begin():
        save_section(session, tenant, RecommendationRules(min_support=1, neighbours=2))
    rebuild(client, admin)
    found = _neighbours(session, tenant)
    # D: bought with A (m3), B (m4), C (m3) once each; C (2 baskets) is closest: 1/√4.
    assert [row for row in found if row[0] == "D"] == [
        ("D", "C", 1, 0.5, 1),
        ("D", "A", 2, 0.408248, 1),
    ]
    assert len(found) == 8  # A, B, C, D keep two each; E was bought alone


def test_refunded_orders_charges_and_orders_outside_the_window_do_not_count(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    open_shop(client, admin)
    old = (NOW - timedelta(days=400)).isoformat()
    buy(client, admin, "13800000009", "AD", "OLD", paid_at=old)  # before the 365-day window
    buy(client, admin, "13800000008", "ADP", "T8")  # P is postage: a charge
    refund = {"refund_id": "R8"}  # the whole order
    assert client.post("/api/v1/orders/T8/refunds", json=refund, headers=admin).status_code == 201
    rebuild(client, admin)
    assert ("A", "D") not in {(a, b) for a, b, *_ in _neighbours(session, tenant)}
    figures = _figures(session, tenant)
    assert "P" not in figures
    assert figures["A"][2:4] == (3, 3)  # neither the old nor the refunded order


def test_a_rebuild_replaces_the_previous_rows_and_keeps_other_tenants(
    client: TestClient,
    admin: dict[str, str],
    other_headers: dict[object, dict[str, str]],
    session: Session,
    tenant: Principal,
    other_tenant: Principal,
) -> None:
    open_shop(client, admin)
    rival = next(iter(other_headers.values()))
    open_shop(client, rival)
    rebuild(client, admin)
    rebuild(client, rival)
    buy(client, admin, "13800000006", "BC", "T6")  # B-C now has support 2
    done = rebuild(client, admin)
    assert done["neighbours"] == 6
    # baskets A 3, B 4, C 3; B's two neighbours tie at 2/√12, broken by SKU
    assert _neighbours(session, tenant) == [
        ("A", "C", 1, 0.666667, 2),
        ("A", "B", 2, 0.57735, 2),
        ("B", "A", 1, 0.57735, 2),
        ("B", "C", 2, 0.57735, 2),
        ("C", "A", 1, 0.666667, 2),
        ("C", "B", 2, 0.57735, 2),
    ]
    assert len(_neighbours(session, other_tenant)) == 4


@pytest.mark.parametrize("role", ["operator", "analyst"])
def test_only_who_manages_insights_may_rebuild(
    client: TestClient, headers: dict[object, dict[str, str]], role: str
) -> None:
    from memberops.tenancy.models import Role

    response = client.post("/api/v1/recommendations:rebuild", headers=headers[Role(role)])
    assert response.status_code == (200 if role == "operator" else 403)
