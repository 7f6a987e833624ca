"""Campaigns through the API: a draft launched and read back with its counts, recipients page
by page and by outcome, a member's unsubscribe honoured by the next campaign, cancelling,
scheduling for the worker, and refusals (4xx naming their place) that change nothing."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from memberops.campaigns.jobs import run_round
from memberops.kernel import clock
from memberops.messaging.models import Message, MessageStatus
from memberops.tenancy.access import Principal
from tests.api.support import assert_invalid, assert_problem, phone, snapshot, upsert
from tests.campaigns.support import NOW
from tests.messaging.support import SETTINGS

CAMPAIGNS = "/api/v1/campaigns"
ONE = [{"name": "A", "split_percent": 100, "body": "Hi {{ name }}"}]


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


@pytest.fixture
def crowd_id(client: TestClient, admin: dict[str, str]) -> int:
    """Three members with a phone; two said yes to SMS."""
    for n, consent in enumerate((True, True, False)):
        body = {"consent": {"sms": consent}, "attributes": {"name": f"M{n}"}}
        upsert(client, admin, phone(f"+861380000000{n}"), **body)
    condition = {"field": "member.created_at", "op": "is_set"}
    body = {"name": "phones", "kind": "dynamic", "condition": condition}
    response = client.post("/api/v1/crowds", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _draft(client: TestClient, admin: dict[str, str], crowd_id: int, **extra: Any) -> str:
    body = {"name": "winter", "crowd_id": crowd_id, "holdout_percent": 0, "variants": ONE, **extra}
    response = client.post(CAMPAIGNS, json=body, headers=admin)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "draft"
    return str(response.json()["id"])


def test_a_launched_campaign_counts_its_members_by_outcome_and_reason(
    client: TestClient, admin: dict[str, str], crowd_id: int
) -> None:
    campaign = _draft(client, admin, crowd_id)
    launched = client.post(f"{CAMPAIGNS}/{campaign}:launch", headers=admin)
    assert launched.status_code == 200, launched.text
    assert launched.json()["status"] == "running"
    assert launched.json()["outcomes"] == {"sent": 2, "skipped": 1}
    assert launched.json()["skipped"] == {"no_consent": 1}

    first = client.get(f"{CAMPAIGNS}/{campaign}/recipients", params={"limit": 1}, headers=admin)
    cursor = first.json()["next_cursor"]
    rest = client.get(
        f"{CAMPAIGNS}/{campaign}/recipients", params={"cursor": cursor}, headers=admin
    )
    rows = first.json()["items"] + rest.json()["items"]
    assert sorted(r["outcome"] for r in rows) == ["sent", "sent", "skipped"]
    assert {r["variant"] for r in rows if r["outcome"] == "sent"} == {"A"}
    skipped = client.get(
        f"{CAMPAIGNS}/{campaign}/recipients", params={"outcome": "skipped"}, headers=admin
    )
    assert [r["skip_reason"] for r in skipped.json()["items"]] == ["no_consent"]
    again = client.post(f"{CAMPAIGNS}/{campaign}:launch", headers=admin)
    assert_problem(again, 409, "campaigns.not_draft")


def test_an_unsubscribed_member_is_skipped_by_the_next_campaign(
    client: TestClient, admin: dict[str, str], crowd_id: int
) -> None:
    member = upsert(client, admin, phone("+8613800000000"))["id"]
    answer = client.post(
        f"/api/v1/members/{member}/unsubscribe", json={"channel": "sms"}, headers=admin
    )
    assert answer.status_code == 204, answer.text
    campaign = _draft(client, admin, crowd_id)
    launched = client.post(f"{CAMPAIGNS}/{campaign}:launch", headers=admin).json()
    assert launched["skipped"] == {"no_consent": 1, "unsubscribed": 1}


def test_cancelling_a_running_campaign_withdraws_its_unsent_messages(
    client: TestClient, admin: dict[str, str], crowd_id: int, session: Session
) -> None:
    campaign = _draft(client, admin, crowd_id)
    client.post(f"{CAMPAIGNS}/{campaign}:launch", headers=admin)
    cancelled = client.post(f"{CAMPAIGNS}/{campaign}:cancel", headers=admin)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    with session.begin():
        statuses = list(session.scalars(select(Message.status)))
    assert statuses == [MessageStatus.failed, MessageStatus.failed]
    assert_problem(
        client.post(f"{CAMPAIGNS}/{campaign}:cancel", headers=admin), 409, "campaigns.not_draft"
    )


def test_a_scheduled_campaign_is_started_by_the_worker_when_due(
    client: TestClient,
    admin: dict[str, str],
    crowd_id: int,
    session_factory: sessionmaker[Session],
    tenant: Principal,
) -> None:
    send_at = (NOW + timedelta(hours=1)).isoformat()
    campaign = _draft(client, admin, crowd_id, send_at=send_at)
    scheduled = client.post(f"{CAMPAIGNS}/{campaign}:launch", headers=admin).json()
    assert (scheduled["status"], scheduled["outcomes"]) == ("scheduled", {})
    assert run_round(session_factory, SETTINGS).started == 0
    clock.advance(timedelta(hours=1))
    assert run_round(session_factory, SETTINGS).started == 1
    started = client.get(f"{CAMPAIGNS}/{campaign}", headers=admin).json()
    assert (started["status"], started["outcomes"]) == ("running", {"sent": 2, "skipped": 1})


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"variants": [{**ONE[0], "split_percent": 60}]}, ["body", "variants"]),
        ({"variants": [ONE[0], ONE[0]]}, ["body", "variants"]),
        ({"variants": [{**ONE[0], "body": "{{ salary }}"}]}, ["body", "body"]),
        ({"crowd_id": 999_999}, ["body", "crowd_id"]),
        ({"coupon_template_id": 999_999}, ["body", "coupon_template_id"]),
    ],
)
def test_a_draft_that_cannot_be_sent_is_refused_and_nothing_is_stored(
    client: TestClient,
    admin: dict[str, str],
    crowd_id: int,
    session: Session,
    change: dict[str, Any],
    loc: list[str],
) -> None:
    before = snapshot(session)
    body = {"name": "bad", "crowd_id": crowd_id, "variants": ONE, **change}
    code = "messaging.template_invalid" if loc == ["body", "body"] else "campaigns.invalid"
    assert_invalid(client.post(CAMPAIGNS, json=body, headers=admin), loc, code)
    assert snapshot(session) == before


@pytest.mark.parametrize(
    "body",
    [
        {"holdout_percent": 51},
        {"channel": "fax"},
        {"send_at": "2026-12-24T10:00:00"},
        {"points": 0},
        {"variants": []},
    ],
)
def test_malformed_drafts_are_422(
    client: TestClient, admin: dict[str, str], crowd_id: int, body: dict[str, Any]
) -> None:
    answer = client.post(
        CAMPAIGNS, json={"name": "x", "crowd_id": crowd_id, "variants": ONE, **body}, headers=admin
    )
    assert_problem(answer, 422, "request.invalid")


def test_another_tenant_finds_no_campaign(
    client: TestClient,
    admin: dict[str, str],
    other_headers: dict[Any, dict[str, str]],
    crowd_id: int,
) -> None:
    campaign = _draft(client, admin, crowd_id)
    rival = next(iter(other_headers.values()))
    for method, path in [("GET", ""), ("POST", ":launch"), ("GET", "/recipients")]:
        answer = client.request(method, f"{CAMPAIGNS}/{campaign}{path}", headers=rival)
        assert_problem(answer, 404, "campaigns.not_found")
    assert client.get(CAMPAIGNS, headers=rival).json()["items"] == []


@pytest.mark.parametrize("field", ["holdout_percent", "name", "channel", "best_time"])
def test_a_null_for_a_field_that_always_holds_a_value_is_422_and_changes_nothing(
    client: TestClient, admin: dict[str, str], crowd_id: int, session: Session, field: str
) -> None:
    campaign = _draft(client, admin, crowd_id)
    before = snapshot(session)
    answer = client.patch(f"{CAMPAIGNS}/{campaign}", json={field: None}, headers=admin)
    assert_problem(answer, 422, "request.invalid")
    assert f"{field} cannot be null" in answer.text
    assert snapshot(session) == before


def test_a_null_clears_the_offer_budget_and_send_time(
    client: TestClient, admin: dict[str, str], crowd_id: int
) -> None:
    extra = {"points": 50, "budget_cents": 10_000, "send_at": "2026-12-24T10:00:00+08:00"}
    campaign = _draft(client, admin, crowd_id, **extra)
    cleared = {"points": None, "budget_cents": None, "send_at": None}
    answer = client.patch(f"{CAMPAIGNS}/{campaign}", json=cleared, headers=admin)
    assert answer.status_code == 200, answer.text
    assert {k: answer.json()[k] for k in cleared} == cleared
