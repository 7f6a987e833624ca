"""Acceptance 4: check-in streaks and the reward schedule across time zones and a missed day,
through the API, on both backends."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.api.support import MEMBERS, assert_problem, crm, snapshot, upsert
from tests.loyalty.checkin.support import (
    bonus_entries,
    check_in,
    coupons_of,
    set_timezone,
    sign_up,
    template,
)

RULES = "/api/v1/loyalty/check-in-rules"
DAY = timedelta(days=1)
#: The default schedule's points, day 1 to 7.
WEEK = [5, 5, 10, 5, 10, 5, 50]


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    # 2026-11-10 10:00 in Shanghai.
    with clock.frozen(datetime(2026, 11, 10, 2, 0, tzinfo=UTC)):
        yield


def checkin_points(session: Session, tenant_id: int, member_id: str) -> list[tuple[str, int]]:
    """The check-in entries of the member's ledger (the new-member pack left out)."""
    entries = bonus_entries(session, tenant_id, member_id)
    return [(key, points) for key, points in entries if key.startswith("checkin:")]


def _at(moment: datetime) -> None:
    clock.advance(moment - clock.now())


def _ok(response: Any, status: int, local_date: str, streak: int) -> Any:
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["local_date"], body["streak"], body["created"]) == (
        local_date,
        streak,
        status == 201,
    )
    return body


def test_shanghai_midnight_splits_one_utc_date_into_two_days(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    set_timezone(client, admin, "Asia/Shanghai")
    member = sign_up(client, admin)
    _at(datetime(2026, 11, 10, 15, 30, tzinfo=UTC))  # 23:30 on Nov 10 in Shanghai
    first = _ok(check_in(client, admin, member), 201, "2026-11-10", 1)
    assert (first["points"], first["coupon_code"], first["member_id"]) == (5, None, member)
    _at(datetime(2026, 11, 10, 16, 30, tzinfo=UTC))  # 00:30 on Nov 11: same UTC date
    second = _ok(check_in(client, admin, member), 201, "2026-11-11", 2)
    assert second["points"] == 5
    assert checkin_points(session, tenant.tenant_id, member) == [
        (f"checkin:{member}:2026-11-10", 5),
        (f"checkin:{member}:2026-11-11", 5),
    ]


def test_two_utc_dates_in_one_shanghai_day_are_one_check_in(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    member = sign_up(client, admin)
    _at(datetime(2026, 11, 10, 23, 30, tzinfo=UTC))  # 07:30 on Nov 11 in Shanghai
    first = _ok(check_in(client, admin, member), 201, "2026-11-11", 1)
    _at(datetime(2026, 11, 11, 1, 0, tzinfo=UTC))  # next UTC date, still Nov 11 locally
    again = _ok(check_in(client, admin, member), 200, "2026-11-11", 1)
    assert {**again, "created": True} == first
    assert checkin_points(session, tenant.tenant_id, member) == [
        (f"checkin:{member}:2026-11-11", 5)
    ]


def test_new_york_days_follow_new_york_midnight(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    set_timezone(client, admin, "America/New_York")
    member = sign_up(client, admin)
    _at(datetime(2026, 11, 11, 4, 30, tzinfo=UTC))  # 23:30 on Nov 10 in New York (EST)
    _ok(check_in(client, admin, member), 201, "2026-11-10", 1)
    _at(datetime(2026, 11, 11, 5, 30, tzinfo=UTC))  # 00:30 on Nov 11: same UTC date
    _ok(check_in(client, admin, member), 201, "2026-11-11", 2)
    _at(datetime(2026, 11, 12, 4, 0, tzinfo=UTC))  # 23:00 on Nov 11: the next UTC date
    _ok(check_in(client, admin, member), 200, "2026-11-11", 2)
    status = client.get(f"{MEMBERS}/{member}/check-ins", headers=admin).json()
    assert (status["today"], status["streak"], status["checked_in_today"]) == (
        "2026-11-11",
        2,
        True,
    )
    assert len(checkin_points(session, tenant.tenant_id, member)) == 2


def test_a_missed_day_resets_the_streak(client: TestClient, admin: dict[str, str]) -> None:
    member = sign_up(client, admin)
    for streak in (1, 2, 3):
        _ok(check_in(client, admin, member), 201, clock.now().date().isoformat(), streak)
        clock.advance(DAY)
    status = client.get(f"{MEMBERS}/{member}/check-ins", headers=admin).json()
    assert (status["streak"], status["checked_in_today"], status["last_date"]) == (
        3,
        False,
        "2026-11-12",
    )
    assert status["next_reward"] == {"day": 4, "points": 5, "coupon_template_id": None}
    clock.advance(DAY)  # Nov 14: Nov 13 was missed
    status = client.get(f"{MEMBERS}/{member}/check-ins", headers=admin).json()
    assert (status["streak"], status["next_reward"]["day"]) == (0, 1)
    body = _ok(check_in(client, admin, member), 201, "2026-11-14", 1)
    assert body["points"] == 5


def test_the_seven_day_cycle_repeats_with_its_coupon(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    coupon = template(session, tenant)
    rules = client.get(RULES, headers=admin).json()
    rules["schedule"][6]["coupon_template_id"] = coupon
    assert client.put(RULES, json=rules, headers=admin).status_code == 200
    member = sign_up(client, admin)
    answers = []
    for _ in range(15):
        answers.append(check_in(client, admin, member).json())
        clock.advance(DAY)
    assert [a["streak"] for a in answers] == list(range(1, 16))
    assert [a["points"] for a in answers] == WEEK + WEEK + [5]
    with_coupon = [a["streak"] for a in answers if a["coupon_code"]]
    assert with_coupon == [7, 14]
    days = [(date(2026, 11, 10) + n * DAY).isoformat() for n in range(15)]
    assert checkin_points(session, tenant.tenant_id, member) == [
        (f"checkin:{member}:{day}", points)
        for day, points in zip(days, WEEK + WEEK + [5], strict=True)
    ]
    assert coupons_of(session, tenant.tenant_id, member) == [
        (coupon, "check_in", f"checkin:{member}:{days[6]}", answers[6]["coupon_code"]),
        (coupon, "check_in", f"checkin:{member}:{days[13]}", answers[13]["coupon_code"]),
    ]


def test_a_coupon_that_cannot_issue_leaves_the_check_in_and_its_points(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    coupon = template(session, tenant, stock=1)
    rules = {"cycle_days": 1, "schedule": [{"day": 1, "points": 3, "coupon_template_id": coupon}]}
    assert client.put(RULES, json=rules, headers=admin).status_code == 200
    member = sign_up(client, admin)
    first = check_in(client, admin, member).json()
    clock.advance(DAY)
    second = check_in(client, admin, member).json()  # the stock of one is used up
    assert (first["points"], second["points"], second["streak"]) == (3, 3, 2)
    assert first["coupon_code"] is not None
    assert second["coupon_code"] is None
    assert len(coupons_of(session, tenant.tenant_id, member)) == 1


def test_switched_off_check_in_is_refused_and_changes_nothing(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    member = sign_up(client, admin)
    rules = client.get(RULES, headers=admin).json()
    assert client.put(RULES, json={**rules, "enabled": False}, headers=admin).status_code == 200
    before = snapshot(session)
    assert_problem(check_in(client, admin, member), 409, "checkin.disabled")
    assert snapshot(session) == before
    status = client.get(f"{MEMBERS}/{member}/check-ins", headers=admin).json()
    assert status["next_reward"] is None


def test_merged_and_erased_members_cannot_check_in(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    kept = upsert(client, admin, crm("a"))["id"]
    absorbed = upsert(client, admin, crm("b"))["id"]
    upsert(client, admin, crm("a"), crm("b"))
    erased = upsert(client, admin, crm("c"))["id"]
    assert client.delete(f"{MEMBERS}/{erased}/pii", headers=admin).status_code == 200
    before = snapshot(session)
    body = assert_problem(check_in(client, admin, absorbed), 409, "members.erased")
    assert (body["member_status"], body["merged_into"]) == ("merged", kept)
    assert_problem(check_in(client, admin, erased), 409, "members.erased")
    assert_problem(check_in(client, admin, "999999999"), 404, "members.not_found")
    assert snapshot(session) == before


def test_the_till_checks_in_and_the_analyst_only_reads(
    client: TestClient, headers: dict[Role, dict[str, str]], admin: dict[str, str]
) -> None:
    member = sign_up(client, admin)
    assert check_in(client, headers[Role.pos], member).status_code == 201
    assert_problem(check_in(client, headers[Role.analyst], member), 403, "auth.forbidden")
    status = client.get(f"{MEMBERS}/{member}/check-ins", headers=headers[Role.analyst])
    assert status.json()["streak"] == 1


def test_status_shows_the_month_asked_for(client: TestClient, admin: dict[str, str]) -> None:
    member = sign_up(client, admin)
    _at(datetime(2026, 10, 30, 2, 0, tzinfo=UTC))
    for _ in range(3):  # Oct 30, Oct 31, Nov 1
        check_in(client, admin, member)
        clock.advance(DAY)
    url = f"{MEMBERS}/{member}/check-ins"
    october = client.get(url, params={"month": "2026-10"}, headers=admin).json()
    assert october["month"] == "2026-10"
    assert [(d["local_date"], d["streak"], d["points"]) for d in october["days"]] == [
        ("2026-10-30", 1, 5),
        ("2026-10-31", 2, 5),
    ]
    november = client.get(url, headers=admin).json()
    assert (november["month"], november["today"], november["streak"]) == (
        "2026-11",
        "2026-11-02",
        3,
    )
    assert [d["local_date"] for d in november["days"]] == ["2026-11-01"]
    assert client.get(url, params={"month": "2026-13"}, headers=admin).status_code == 422
    detail = client.get(f"{MEMBERS}/{member}", headers=admin).json()
    assert detail["check_in"] == {
        "streak": 3,
        "last_date": "2026-11-01",
        "checked_in_today": False,
    }


def test_rules_name_only_existing_coupon_templates(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    defaults = client.get(RULES, headers=admin).json()
    assert defaults == {
        "enabled": True,
        "cycle_days": 7,
        "schedule": [
            {"day": day, "points": points, "coupon_template_id": None}
            for day, points in enumerate(WEEK, start=1)
        ],
    }
    bad = {"cycle_days": 2, "schedule": [{"day": 2, "points": 1, "coupon_template_id": 999999}]}
    before = snapshot(session)
    body = assert_problem(client.put(RULES, json=bad, headers=admin), 422, "invalid_input")
    assert body["errors"][0]["loc"] == ["body", "schedule", 0, "coupon_template_id"]
    outside = {"cycle_days": 2, "schedule": [{"day": 3, "points": 1}]}
    assert client.put(RULES, json=outside, headers=admin).status_code == 422
    assert snapshot(session) == before


def test_the_member_export_holds_check_ins_and_perks(
    client: TestClient, admin: dict[str, str]
) -> None:
    member = sign_up(client, admin)
    answer = check_in(client, admin, member).json()
    export = client.get(f"{MEMBERS}/{member}/export", headers=admin).json()
    assert export["check_ins"] == [
        {
            "local_date": "2026-11-10",
            "streak": 1,
            "points": 5,
            "coupon_code": None,
            "checked_in_at": "2026-11-10T02:00:00+00:00",
        }
    ]
    assert answer["checked_in_at"] == "2026-11-10T02:00:00Z"
    assert [(p["kind"], p["points"]) for p in export["perks"]] == [("new_member_pack", 100)]
