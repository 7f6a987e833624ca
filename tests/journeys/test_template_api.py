"""The templates over HTTP: listed with their parameters, started as drafts or active, and
refused — changing nothing — for an unknown key, a missing coupon template or a bad parameter."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.journeys.templates import TEMPLATES
from memberops.kernel import clock
from memberops.tenancy.access import Principal
from tests.api.support import assert_invalid, assert_problem, snapshot
from tests.journeys.support import NOW
from tests.loyalty.checkin.support import template

TEMPLATES_URL = "/api/v1/journey-templates"


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _start(client: TestClient, admin: dict[str, str], key: str, **body: Any) -> Any:
    return client.post(f"{TEMPLATES_URL}/{key}:start", json=body, headers=admin)


def test_templates_are_listed_with_names_and_parameters(
    client: TestClient, admin: dict[str, str]
) -> None:
    response = client.get(TEMPLATES_URL, headers=admin)
    assert response.status_code == 200, response.text
    items = {item["key"]: item for item in response.json()["items"]}
    assert list(items) == list(TEMPLATES)
    birthday = items["birthday_care"]
    assert birthday["name"] == {"zh-CN": "生日关怀", "en": "Birthday care"}
    assert birthday["parameters"]["required"] == ["coupon_template_id"]
    assert set(birthday["parameters"]["properties"]) == {
        "channel",
        "coupon_template_id",
        "days_before",
        "at",
    }


def test_a_template_starts_as_a_draft_or_active(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    coupon = template(session, tenant)
    draft = _start(client, admin, "birthday_care", params={"coupon_template_id": coupon})
    assert draft.status_code == 201, draft.text
    (journey,) = draft.json()["journeys"]
    assert (journey["name"], journey["status"]) == ("生日关怀", "draft")
    assert journey["trigger"] == {"type": "birthday", "days_before": 3, "at": "09:00:00"}
    assert [step["type"] for step in journey["steps"]] == ["issue_coupon", "send", "wait", "send"]
    active = _start(
        client,
        admin,
        "order_care",
        name="关怀",
        activate=True,
        holdout_percent=0,
        params={"channel": "wechat"},
    )
    assert active.status_code == 201, active.text
    made = active.json()["journeys"]
    assert [(j["name"], j["status"], j["trigger"]["type"]) for j in made] == [
        ("关怀 · 付款", "active", "order_paid"),
        ("关怀 · 发货", "active", "order_shipped"),
        ("关怀 · 签收", "active", "order_delivered"),
    ]
    assert {step["channel"] for j in made for step in j["steps"] if step["type"] == "send"} == {
        "wechat"
    }
    listed = client.get("/api/v1/journeys", headers=admin).json()["items"]
    assert len(listed) == 4


def test_refusals_name_the_parameter_and_change_nothing(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    before = snapshot(session, tenant.tenant_id)
    missing = _start(client, admin, "birthday_care")
    body = assert_invalid(missing, ["body", "params", "coupon_template_id"], "journeys.invalid")
    assert "coupon_template_id" in body["detail"]
    not_ours = _start(client, admin, "welcome_pack", params={"coupon_template_id": 999_999})
    assert_invalid(not_ours, ["body", "steps", 0, "coupon_template_id"], "journeys.invalid")
    bad_day = _start(client, admin, "member_day", params={"day": 31})
    assert_invalid(bad_day, ["body", "params", "day"], "journeys.invalid")
    unknown_param = _start(client, admin, "points_expiry", params={"colour": "red"})
    assert_invalid(unknown_param, ["body", "params", "colour"], "journeys.invalid")
    braces = _start(client, admin, "novelty_push", params={"product_name": "{{ x }}"})
    assert_invalid(braces, ["body", "params", "product_name"], "journeys.invalid")
    assert_problem(_start(client, admin, "nope"), 404, "journeys.template_not_found")
    assert snapshot(session, tenant.tenant_id) == before
    assert _start(client, admin, "points_expiry").status_code == 201
    assert_problem(_start(client, admin, "points_expiry"), 409, "journeys.name_taken")


def test_a_launch_starts_tomorrow_at_ten_or_at_the_local_time_given(
    client: TestClient, admin: dict[str, str]
) -> None:
    default = _start(client, admin, "novelty_push").json()["journeys"][0]
    assert default["trigger"]["at"] == "2026-12-04T10:00:00"  # 18:00 in Shanghai now
    given = {"start_at": "2026-12-05T02:00:00Z"}
    moved = _start(client, admin, "novelty_push", name="上新", params=given)
    assert moved.json()["journeys"][0]["trigger"]["at"] == "2026-12-05T10:00:00"
    local = {"start_at": "2026-12-06T20:30:00"}
    kept = _start(client, admin, "novelty_push", name="上新 2", params=local)
    assert kept.json()["journeys"][0]["trigger"]["at"] == "2026-12-06T20:30:00"
