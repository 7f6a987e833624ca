"""The new-member pack: given once to a member who signs up through ``POST /members``, never
to customers created by an order or an import."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.imports.reader import load_source
from memberops.imports.run import import_members
from memberops.kernel import clock
from memberops.tenancy.access import Principal
from tests.activity.support import ORDERS, order_body
from tests.api.support import MEMBERS, phone, upsert
from tests.loyalty.checkin.support import bonus_entries, coupons_of, template
from tests.loyalty.perks.support import PERK_RULES, grants

NOW = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def test_a_sign_up_gets_the_default_pack_once(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    member = upsert(client, admin, phone("13800000001"))["id"]
    detail = client.get(f"{MEMBERS}/{member}", headers=admin).json()
    assert detail["perks"] == [
        {
            "member_id": member,
            "kind": "new_member_pack",
            "period": "once",
            "points": 100,
            "coupon_codes": [],
            "granted_at": "2026-11-10T02:00:00Z",
        }
    ]
    again = upsert(client, admin, phone("13800000001"), attributes={"city": "杭州"})
    assert again["created"] is False
    assert bonus_entries(session, tenant.tenant_id, member) == [
        (f"perk:new_member_pack:{member}:once", 100)
    ]
    assert grants(session, tenant.tenant_id) == [(member, "new_member_pack", "once", 100, [])]


def test_the_pack_gives_its_coupons_and_skips_one_out_of_stock(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    plenty, scarce = template(session, tenant), template(session, tenant, stock=1)
    pack = {"new_member_pack": {"points": 20, "coupon_template_ids": [plenty, scarce]}}
    assert client.put(PERK_RULES, json=pack, headers=admin).status_code == 200
    first = upsert(client, admin, phone("13800000001"))["id"]
    second = upsert(client, admin, phone("13800000002"))["id"]
    one, two = coupons_of(session, tenant.tenant_id, first)
    key = f"perk:new_member_pack:{first}:once"
    assert one[:3] == (plenty, "new_member_pack", f"{key}:{plenty}")
    assert two[:3] == (scarce, "new_member_pack", f"{key}:{scarce}")
    (only,) = coupons_of(session, tenant.tenant_id, second)  # the scarce one ran out
    assert only[0] == plenty
    assert grants(session, tenant.tenant_id) == [
        (first, "new_member_pack", "once", 20, [one[3], two[3]]),
        (second, "new_member_pack", "once", 20, [only[3]]),
    ]
    assert bonus_entries(session, tenant.tenant_id, second) == [
        (f"perk:new_member_pack:{second}:once", 20)
    ]


def test_customers_made_by_an_order_or_an_import_get_no_pack(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    response = client.post(ORDERS, json=order_body("T1", "13800000001"), headers=admin)
    assert response.status_code == 201, response.text
    load = "手机号,registered\n13800000002,是\n".encode()
    with session.begin():
        import_members(session, tenant, load_source("m.csv", load, "generic"))
    assert grants(session, tenant.tenant_id) == []
    # Signing up later as an existing customer creates no member: still no pack.
    assert upsert(client, admin, phone("13800000001"))["created"] is False
    assert grants(session, tenant.tenant_id) == []


def test_an_empty_pack_records_nothing(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    empty = {"new_member_pack": {"points": 0, "coupon_template_ids": []}}
    assert client.put(PERK_RULES, json=empty, headers=admin).status_code == 200
    member = upsert(client, admin, phone("13800000001"))["id"]
    assert client.get(f"{MEMBERS}/{member}", headers=admin).json()["perks"] is None
    assert bonus_entries(session, tenant.tenant_id, member) == []
    assert grants(session, tenant.tenant_id) == []
