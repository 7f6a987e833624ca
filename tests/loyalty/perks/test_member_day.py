"""Member-day coupons: claimed on the member day (the 18th by default, local), by members
whose tier has member-day access, once per month."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.api.support import MEMBERS, assert_problem, crm, snapshot, upsert
from tests.loyalty.checkin.support import coupons_of, sign_up, template
from tests.loyalty.perks.support import PERK_RULES, grants

TIERS = "/api/v1/loyalty/tiers"
EARN_RULES = "/api/v1/loyalty/points-rules"


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    # 00:30 on Nov 18 (the member day) in Shanghai, still Nov 17 in UTC.
    with clock.frozen(datetime(2026, 11, 17, 16, 30, tzinfo=UTC)):
        yield


def claim(client: TestClient, headers: dict[str, str], member_id: str) -> object:
    return client.post(f"{MEMBERS}/{member_id}/member-day-coupons", headers=headers)


def _open_member_day(client: TestClient, admin: dict[str, str], templates: list[int]) -> None:
    """Every tier gets member-day access and the rules name ``templates``."""
    ladder = client.get(TIERS, headers=admin).json()
    ladder["levels"][0]["benefits"]["member_day_access"] = True
    assert client.put(TIERS, json=ladder, headers=admin).status_code == 200
    rules = client.get(PERK_RULES, headers=admin).json()
    rules["member_day_coupon_template_ids"] = templates
    assert client.put(PERK_RULES, json=rules, headers=admin).status_code == 200


def test_a_member_with_access_claims_once_a_month(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    first, second = template(session, tenant), template(session, tenant)
    _open_member_day(client, admin, [first, second])
    member = sign_up(client, admin)
    response = claim(client, admin, member)
    assert response.status_code == 201, response.text
    body = response.json()
    issued = coupons_of(session, tenant.tenant_id, member)
    key = f"perk:member_day:{member}:2026-11"
    assert [c[:3] for c in issued] == [
        (first, "member_day", f"{key}:{first}"),
        (second, "member_day", f"{key}:{second}"),
    ]
    assert body == {
        "member_id": member,
        "kind": "member_day",
        "period": "2026-11",
        "points": 0,
        "coupon_codes": [c[3] for c in issued],
        "granted_at": "2026-11-17T16:30:00Z",
        "created": True,
    }
    again = claim(client, admin, member)
    assert again.status_code == 200
    assert again.json() == {**body, "created": False}
    assert len(coupons_of(session, tenant.tenant_id, member)) == 2
    clock.advance(datetime(2026, 12, 18, 2, 0, tzinfo=UTC) - clock.now())
    december = claim(client, admin, member)
    assert (december.status_code, december.json()["period"]) == (201, "2026-12")
    assert [
        (g[1], g[2]) for g in grants(session, tenant.tenant_id) if g[1] != "new_member_pack"
    ] == [
        ("member_day", "2026-11"),
        ("member_day", "2026-12"),
    ]


def test_other_days_tiers_without_access_and_no_offer_are_refused(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    member = sign_up(client, admin)
    before = snapshot(session)
    body = assert_problem(claim(client, admin, member), 409, "perks.no_access")
    assert body["tier"] == "silver"
    assert snapshot(session) == before
    _open_member_day(client, admin, [])
    before = snapshot(session)
    assert_problem(claim(client, admin, member), 409, "perks.no_offer")
    clock.advance(datetime(2026, 11, 18, 16, 0, tzinfo=UTC) - clock.now())  # 00:00 on Nov 19
    body = assert_problem(claim(client, admin, member), 409, "perks.not_member_day")
    assert body["member_day"] == 18
    assert snapshot(session) == before


def test_a_tenant_without_a_member_day_refuses_every_day(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    _open_member_day(client, admin, [template(session, tenant)])
    member = sign_up(client, admin)
    rules = {**client.get(EARN_RULES, headers=admin).json(), "member_day": None}
    assert client.put(EARN_RULES, json=rules, headers=admin).status_code == 200
    body = assert_problem(claim(client, admin, member), 409, "perks.not_member_day")
    assert body["member_day"] is None


def test_merged_members_cannot_claim_and_analysts_cannot_either(
    client: TestClient,
    headers: dict[Role, dict[str, str]],
    admin: dict[str, str],
    session: Session,
    tenant: Principal,
) -> None:
    _open_member_day(client, admin, [template(session, tenant)])
    upsert(client, admin, crm("a"))
    absorbed = upsert(client, admin, crm("b"))["id"]
    upsert(client, admin, crm("a"), crm("b"))
    before = snapshot(session)
    assert_problem(claim(client, admin, absorbed), 409, "members.erased")
    assert_problem(claim(client, headers[Role.analyst], absorbed), 403, "auth.forbidden")
    assert snapshot(session) == before


def test_perk_rules_name_only_existing_templates(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    assert client.get(PERK_RULES, headers=admin).json() == {
        "new_member_pack": {"points": 100, "coupon_template_ids": []},
        "birthday_gift": {"points": 0, "coupon_template_ids": []},
        "member_day_coupon_template_ids": [],
    }
    before = snapshot(session)
    bad = {"birthday_gift": {"coupon_template_ids": [999999]}}
    body = assert_problem(client.put(PERK_RULES, json=bad, headers=admin), 422, "invalid_input")
    assert body["errors"][0]["loc"] == ["body", "birthday_gift", "coupon_template_ids", 0]
    assert snapshot(session) == before
