"""Birthday gifts: exact on the member's local birthday in the tenant's timezone, once per
local year, Feb 29 birthdays on Feb 28 in other years, the tenant's gift plus the tier's."""

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.loyalty.perks.service import birthday_days, grant_birthdays
from memberops.tenancy.access import Principal
from tests.api.support import MEMBERS, crm, upsert
from tests.loyalty.checkin.support import bonus_entries, coupons_of, set_timezone, template
from tests.loyalty.perks.support import PERK_RULES, fresh_principal, grants

TIERS = "/api/v1/loyalty/tiers"
NO_PACK = {"points": 0, "coupon_template_ids": []}


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(datetime(2026, 11, 1, 2, 0, tzinfo=UTC)):
        yield


@pytest.fixture
def gift(client: TestClient, admin: dict[str, str]) -> None:
    """88 points from the tenant; no new-member pack, so the ledger holds only birthdays."""
    rules = {"new_member_pack": NO_PACK, "birthday_gift": {"points": 88}}
    assert client.put(PERK_RULES, json=rules, headers=admin).status_code == 200


def born(client: TestClient, admin: dict[str, str], name: str, birthday: str) -> str:
    return str(upsert(client, admin, crm(name), attributes={"birthday": birthday})["id"])


def run_at(session: Session, tenant: Principal, moment: datetime) -> int:
    clock.advance(moment - clock.now())
    principal = fresh_principal(session, tenant)
    with session.begin():
        return grant_birthdays(session, principal)


@pytest.mark.usefixtures("gift")
def test_the_gift_comes_on_the_local_birthday_once_a_year(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    set_timezone(client, admin, "Asia/Shanghai")
    member = born(client, admin, "a", "1990-11-11")
    born(client, admin, "b", "1990-11-12")
    no_birthday = str(upsert(client, admin, crm("c"))["id"])
    assert run_at(session, tenant, datetime(2026, 11, 10, 15, 59, tzinfo=UTC)) == 0  # 23:59
    assert run_at(session, tenant, datetime(2026, 11, 10, 16, 0, tzinfo=UTC)) == 1  # 00:00
    assert run_at(session, tenant, datetime(2026, 11, 11, 12, 0, tzinfo=UTC)) == 0  # again
    assert grants(session, tenant.tenant_id) == [(member, "birthday_gift", "2026", 88, [])]
    assert run_at(session, tenant, datetime(2027, 11, 11, 1, 0, tzinfo=UTC)) == 1
    assert bonus_entries(session, tenant.tenant_id, member) == [
        (f"perk:birthday_gift:{member}:2026", 88),
        (f"perk:birthday_gift:{member}:2027", 88),
    ]
    assert bonus_entries(session, tenant.tenant_id, no_birthday) == []
    detail = client.get(f"{MEMBERS}/{member}", headers=admin).json()
    assert [(p["kind"], p["period"]) for p in detail["perks"]] == [
        ("birthday_gift", "2026"),
        ("birthday_gift", "2027"),
    ]


@pytest.mark.usefixtures("gift")
def test_new_york_birthdays_start_at_new_york_midnight(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    set_timezone(client, admin, "America/New_York")
    member = born(client, admin, "a", "1990-11-11")
    # 16:00 UTC on Nov 10 is already Nov 11 in Shanghai, but 11:00 on Nov 10 in New York.
    assert run_at(session, tenant, datetime(2026, 11, 10, 16, 0, tzinfo=UTC)) == 0
    assert run_at(session, tenant, datetime(2026, 11, 11, 4, 59, tzinfo=UTC)) == 0  # 23:59
    assert run_at(session, tenant, datetime(2026, 11, 11, 5, 0, tzinfo=UTC)) == 1  # 00:00
    assert grants(session, tenant.tenant_id) == [(member, "birthday_gift", "2026", 88, [])]


@pytest.mark.usefixtures("gift")
def test_feb_29_birthdays_fall_on_feb_28_in_common_years(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    leapling = born(client, admin, "a", "2000-02-29")
    feb_28 = born(client, admin, "b", "1999-02-28")
    # Shanghai: 02:00 UTC is 10:00 local.
    assert run_at(session, tenant, datetime(2027, 2, 28, 2, 0, tzinfo=UTC)) == 2
    assert run_at(session, tenant, datetime(2027, 3, 1, 2, 0, tzinfo=UTC)) == 0
    assert run_at(session, tenant, datetime(2028, 2, 28, 2, 0, tzinfo=UTC)) == 1  # leap year
    assert run_at(session, tenant, datetime(2028, 2, 29, 2, 0, tzinfo=UTC)) == 1
    assert [(m, p) for m, _, p, _, _ in grants(session, tenant.tenant_id)] == [
        (leapling, "2027"),
        (feb_28, "2027"),
        (feb_28, "2028"),
        (leapling, "2028"),
    ]
    assert birthday_days(date(2100, 2, 28)) == [(2, 28), (2, 29)]  # not leap
    assert birthday_days(date(2000, 2, 28)) == [(2, 28)]


def test_the_tier_adds_its_birthday_points_and_coupons(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    tenant_coupon, tier_coupon = template(session, tenant), template(session, tenant)
    rules = {
        "new_member_pack": NO_PACK,
        "birthday_gift": {"points": 10, "coupon_template_ids": [tenant_coupon]},
    }
    assert client.put(PERK_RULES, json=rules, headers=admin).status_code == 200
    ladder = client.get(TIERS, headers=admin).json()
    ladder["levels"][0]["benefits"] |= {
        "birthday_points": 5,
        "birthday_coupon_template_ids": [tier_coupon],
    }
    assert client.put(TIERS, json=ladder, headers=admin).status_code == 200
    member = born(client, admin, "a", "1990-11-11")
    assert run_at(session, tenant, datetime(2026, 11, 11, 2, 0, tzinfo=UTC)) == 1
    key = f"perk:birthday_gift:{member}:2026"
    assert bonus_entries(session, tenant.tenant_id, member) == [(key, 15)]
    issued = coupons_of(session, tenant.tenant_id, member)
    assert [c[:3] for c in issued] == [
        (tenant_coupon, "birthday", f"{key}:{tenant_coupon}"),
        (tier_coupon, "birthday", f"{key}:{tier_coupon}"),
    ]
    assert grants(session, tenant.tenant_id) == [
        (member, "birthday_gift", "2026", 15, [c[3] for c in issued])
    ]


@pytest.mark.usefixtures("gift")
def test_a_tier_coupon_that_no_longer_exists_is_left_out(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    ladder = client.get(TIERS, headers=admin).json()
    ladder["levels"][0]["benefits"]["birthday_coupon_template_ids"] = [999999]
    assert client.put(TIERS, json=ladder, headers=admin).status_code == 200
    member = born(client, admin, "a", "1990-11-11")
    assert run_at(session, tenant, datetime(2026, 11, 11, 2, 0, tzinfo=UTC)) == 1
    assert grants(session, tenant.tenant_id) == [(member, "birthday_gift", "2026", 88, [])]


def test_nothing_to_give_records_nothing(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    rules = {"new_member_pack": NO_PACK}
    assert client.put(PERK_RULES, json=rules, headers=admin).status_code == 200
    born(client, admin, "a", "1990-11-11")  # silver gives nothing on a birthday by default
    assert run_at(session, tenant, datetime(2026, 11, 11, 2, 0, tzinfo=UTC)) == 0
    assert grants(session, tenant.tenant_id) == []


@pytest.mark.usefixtures("gift")
def test_merged_away_members_get_no_gift(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    born(client, admin, "a", "1990-11-12")
    born(client, admin, "b", "1990-11-11")
    merged = upsert(client, admin, crm("a"), crm("b"))  # "b" is absorbed into "a"
    assert merged["attributes"]["birthday"] == "1990-11-12"
    assert run_at(session, tenant, datetime(2026, 11, 11, 2, 0, tzinfo=UTC)) == 0
    assert run_at(session, tenant, datetime(2026, 11, 12, 2, 0, tzinfo=UTC)) == 1
    assert [g[0] for g in grants(session, tenant.tenant_id)] == [merged["id"]]
