"""Join sources: a registration keeps its source and campaign (scene QR codes for parcel
cards and stores, a named source, POST /members as ``api``), the new-member pack follows the
source, scene and invite links count and lead to the join page, and the join-source report
counts registrations and buyers per source and campaign."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.api.support import MEMBERS, assert_invalid, assert_problem, snapshot
from tests.growth.support import (
    JOINS,
    RULES,
    SCENES,
    identities,
    invite_code,
    join,
    order,
    scene,
    sign_up,
)
from tests.loyalty.perks.support import grants

NOW = datetime(2026, 11, 12, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _store(session: Session, tenant: Principal, code: str) -> None:
    with session.begin():
        tenancy.create_store(session, tenant, code, "西湖店", None)


def test_a_parcel_card_join_keeps_its_source_and_gets_its_pack(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    rules = {"join_packs": {"parcel_card": {"points": 300}}}
    assert client.put(RULES, json=rules, headers=admin).status_code == 200
    card = scene(client, admin)
    assert card["link"] == f"http://127.0.0.1:8000/s/{tenant.tenant_id}/{card['code']}"
    order(client, admin, "T1", "13800000001")  # a Taobao buyer, known from an order
    joined = join(client, admin, "13800000001", scene=card["code"].lower())
    member = joined["member"]["id"]
    assert (joined["joined"], joined["created"], joined["member"]["registered"]) == (
        True,
        False,
        True,
    )
    assert joined["join"] == {
        "member_id": member,
        "source": "parcel_card",
        "campaign": "double11",
        "store": None,
        "scene": card["code"],
        "referrer_id": None,
        "joined_at": "2026-11-12T02:00:00Z",
    }
    assert joined["member"]["perks"][0]["points"] == 300
    again = join(client, admin, "13800000001", status=200, scene=card["code"])
    assert (again["joined"], again["join"]) == (False, joined["join"])
    assert grants(session, tenant.tenant_id) == [(member, "new_member_pack", "once", 300, [])]


def test_other_sources_get_the_default_pack(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    _store(session, tenant, "hz01")
    till = scene(client, admin, name="西湖店收银台", source="store_qr", campaign="", store="hz01")
    at_store = join(client, admin, "13800000002", scene=till["code"], campaign="opening")
    assert (at_store["join"]["source"], at_store["join"]["campaign"]) == ("store_qr", "opening")
    assert at_store["join"]["store"] == "hz01"
    menu = join(client, admin, "13800000003", source="official_account_menu", campaign="menu")
    assert menu["join"]["source"] == "official_account_menu"
    signed_up = sign_up(client, admin, "13800000004")
    joins = [at_store["member"]["id"], menu["member"]["id"], signed_up]
    assert grants(session, tenant.tenant_id) == [
        (m, "new_member_pack", "once", 100, []) for m in joins
    ]
    export = client.get(f"{MEMBERS}/{signed_up}/export", headers=admin).json()
    assert export["growth"]["join"]["source"] == "api"


def test_scene_and_invite_links_count_and_lead_to_the_join_page(
    client: TestClient, admin: dict[str, str], tenant: Principal
) -> None:
    card = scene(client, admin)
    link = f"/s/{tenant.tenant_id}/{card['code']}"
    assert_problem(client.get(link, follow_redirects=False), 409, "growth.no_join_page")
    rules = {"join_page_url": "https://shop.example.com/join?from=qr"}
    assert client.put(RULES, json=rules, headers=admin).status_code == 200
    scanned = client.get(link, follow_redirects=False)
    assert scanned.status_code == 302
    assert scanned.headers["location"] == (
        f"https://shop.example.com/join?from=qr&scene={card['code']}"
    )
    referrer = sign_up(client, admin, "13800000001")
    code = invite_code(client, admin, referrer)
    followed = client.get(f"/j/{tenant.tenant_id}/{code}", follow_redirects=False)
    assert followed.headers["location"].endswith(f"&invite={code}")
    (listed,) = client.get(SCENES, headers=admin).json()
    assert listed["scans"] == 1
    invite = client.get(f"{MEMBERS}/{referrer}/invite", headers=admin).json()
    assert (invite["code"], invite["clicks"]) == (code, 1)
    assert invite["link"] == f"http://127.0.0.1:8000/j/{tenant.tenant_id}/{code}"
    assert_problem(
        client.get(f"/j/{tenant.tenant_id}/NOSUCH22", follow_redirects=False),
        404,
        "growth.invite_not_found",
    )


def test_the_join_report_counts_registrations_and_buyers(
    client: TestClient, admin: dict[str, str]
) -> None:
    card = scene(client, admin)
    with clock.frozen(NOW - timedelta(days=1)):
        join(client, admin, "13800000001", scene=card["code"])
        join(client, admin, "13800000002", scene=card["code"])
    join(client, admin, "13800000003", scene=card["code"])
    sign_up(client, admin, "13800000004")
    order(client, admin, "T1", "13800000002")
    report = client.get("/api/v1/dashboard/joins?days=7", headers=admin).json()
    assert report["rows"] == [
        {
            "period": "2026-11-11",
            "source": "parcel_card",
            "campaign": "double11",
            "registrations": 2,
            "bought": 1,
        },
        {"period": "2026-11-12", "source": "api", "campaign": "", "registrations": 1, "bought": 0},
        {
            "period": "2026-11-12",
            "source": "parcel_card",
            "campaign": "double11",
            "registrations": 1,
            "bought": 0,
        },
    ]
    weekly = client.get("/api/v1/dashboard/joins?days=7&bucket=week", headers=admin).json()
    assert [(r["period"], r["registrations"]) for r in weekly["rows"]] == [
        ("2026-11-09", 1),
        ("2026-11-09", 3),
    ]


def test_refusals_change_nothing(
    client: TestClient,
    admin: dict[str, str],
    headers: dict[Role, dict[str, str]],
    other_headers: dict[Role, dict[str, str]],
    session: Session,
    tenant: Principal,
) -> None:
    card = scene(client, admin)
    before = snapshot(session, tenant.tenant_id)
    cases: list[tuple[Any, int, str, list[str | int] | None]] = [
        ({"scene": card["code"], "source": "api"}, 422, "growth.invalid_join", ["body", "source"]),
        ({"source": "referral"}, 422, "growth.invalid_join", ["body", "invite_code"]),
        ({"scene": "NOSUCH22"}, 404, "growth.scene_not_found", None),
    ]
    for fields, status, code, loc in cases:
        body = {"identities": identities("13800000009"), **fields}
        response = client.post(JOINS, json=body, headers=admin)
        if loc is None:
            assert_problem(response, status, code)
        else:
            assert_invalid(response, loc, code)
    crossing = {"identities": identities("13800000009"), "scene": card["code"]}
    response = client.post(JOINS, json=crossing, headers=other_headers[Role.admin])
    assert_problem(response, 404, "growth.scene_not_found")
    bad_scenes: list[tuple[Any, list[str | int]]] = [
        ({"name": "x", "source": "referral"}, ["body", "source"]),
        ({"name": "x", "source": "store_qr", "store": "nowhere"}, ["body", "store"]),
    ]
    for body, loc in bad_scenes:
        assert_invalid(client.post(SCENES, json=body, headers=admin), loc, "invalid_input")
    taken = {"name": card["name"], "source": "parcel_card"}
    assert_problem(client.post(SCENES, json=taken, headers=admin), 409, "growth.scene_name_taken")
    unknown = {"join_packs": {"store_qr": {"coupon_template_ids": [999999]}}}
    assert_invalid(
        client.put(RULES, json=unknown, headers=admin),
        ["body", "join_packs", "store_qr", "coupon_template_ids", 0],
        "invalid_input",
    )
    analyst = {"name": "y", "source": "parcel_card"}
    response = client.post(SCENES, json=analyst, headers=headers[Role.analyst])
    assert_problem(response, 403, "auth.forbidden")
    assert snapshot(session, tenant.tenant_id) == before
