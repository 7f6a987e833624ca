"""The journeys API end to end: create, list, read, edit into a new version once members
entered, activate / pause / resume, the per-step report, and every kind of bad input answered
with a problem document (422, 404, 409), never a 500, changing nothing."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from memberops.journeys.models import JourneyPosition
from memberops.kernel import clock
from memberops.tenancy.access import Principal
from tests.api.support import assert_invalid, assert_problem, crm, snapshot, upsert
from tests.journeys.support import NOW, run

JOURNEYS = "/api/v1/journeys"
SEND = {"type": "send", "channel": "log", "body": "Welcome {{ name }}"}


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _body(**overrides: Any) -> dict[str, Any]:
    steps = [{"type": "wait", "days": 1}, SEND]
    return {"name": "welcome", "trigger": {"type": "member_registered"}, "steps": steps} | overrides


def _create(client: TestClient, admin: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = client.post(JOURNEYS, json=_body(**overrides), headers=admin)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_a_journey_is_created_activated_entered_edited_and_reported(
    client: TestClient,
    admin: dict[str, str],
    session_factory: sessionmaker[Session],
) -> None:
    created = _create(client, admin, holdout_percent=0)
    assert created["status"] == "draft"
    assert (created["entry_rule"], created["holdout_percent"], created["version"]) == (
        "once_ever",
        0,
        1,
    )
    assert created["steps"] == [
        {"type": "wait", "days": 1, "hours": 0, "minutes": 0},
        {**SEND, "subject": "", "purpose": "marketing"},
    ]
    url = f"{JOURNEYS}/{created['id']}"
    assert client.post(url + ":activate", headers=admin).json()["status"] == "active"
    upsert(client, admin, crm("first"))  # a sign-up enters them, in its own transaction
    run(session_factory)

    edit = {"steps": [{"type": "wait", "hours": 2}, SEND]}
    edited = client.patch(url, json=edit, headers=admin)
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2
    upsert(client, admin, crm("second"))
    run(session_factory)
    report = client.get(url + "/report", headers=admin).json()
    assert report.pop("effect")["uplift"] is None  # no holdout: nothing to measure against
    assert report == {
        "entered": 2,
        "holdout": 0,
        "done": 0,
        "exited": 0,
        "at_steps": [
            {"version": 1, "step": 0, "type": "wait", "members": 1},
            {"version": 2, "step": 0, "type": "wait", "members": 1},
        ],
    }
    assert client.get(url, headers=admin).json()["steps"][0]["hours"] == 2


def test_pause_and_resume_move_between_states_and_refuse_the_others(
    client: TestClient, admin: dict[str, str]
) -> None:
    url = f"{JOURNEYS}/{_create(client, admin)['id']}"
    assert_problem(client.post(url + ":pause", headers=admin), 409, "journeys.state")
    assert_problem(client.post(url + ":resume", headers=admin), 409, "journeys.state")
    client.post(url + ":activate", headers=admin)
    assert client.post(url + ":pause", headers=admin).json()["status"] == "paused"
    assert client.post(url + ":resume", headers=admin).json()["status"] == "active"
    assert_problem(client.post(url + ":activate", headers=admin), 409, "journeys.state")
    assert client.post(url + ":archive", headers=admin).json()["status"] == "archived"
    for move in (":activate", ":resume", ":archive"):
        assert_problem(client.post(url + move, headers=admin), 409, "journeys.state")
    assert_problem(client.patch(url, json={"name": "x"}, headers=admin), 409, "journeys.state")


def test_journeys_are_listed_newest_first_in_pages(
    client: TestClient, admin: dict[str, str], other_headers: dict[Any, dict[str, str]]
) -> None:
    ids = [_create(client, admin, name=f"j{n}")["id"] for n in range(3)]
    first = client.get(JOURNEYS, params={"limit": 2}, headers=admin).json()
    assert [j["id"] for j in first["items"]] == ids[::-1][:2]
    rest = client.get(
        JOURNEYS, params={"limit": 2, "cursor": first["next_cursor"]}, headers=admin
    ).json()
    assert ([j["id"] for j in rest["items"]], rest["next_cursor"]) == ([ids[0]], None)
    rival = next(iter(other_headers.values()))
    assert client.get(f"{JOURNEYS}/{ids[0]}", headers=rival).status_code in (403, 404)


BAD_BODIES = [
    ({"trigger": {"type": "cart_forgotten"}}, ["body", "trigger"], "request.invalid"),
    ({"steps": []}, ["body", "steps"], "request.invalid"),
    ({"steps": [{"type": "wait"}]}, ["body", "steps", 0, "wait"], "request.invalid"),
    (
        {"steps": [SEND, {"type": "branch", "condition": {}, "yes": 1}]},
        ["body", "steps"],
        "request.invalid",
    ),
    ({"entry_rule": "once_per_period"}, ["body", "period_days"], "journeys.invalid"),
    ({"period_days": 30}, ["body", "period_days"], "journeys.invalid"),
    (
        {"trigger": {"type": "crowd_joined", "crowd_id": 1}, "entry_rule": "every_time"},
        ["body", "entry_rule"],
        "journeys.invalid",
    ),
    (
        {"steps": [{"type": "issue_coupon", "coupon_template_id": 999999}]},
        ["body", "steps", 0, "coupon_template_id"],
        "journeys.invalid",
    ),
    (
        {"steps": [{"type": "add_tag", "tag_id": 999999}]},
        ["body", "steps", 0, "tag_id"],
        "journeys.invalid",
    ),
    (
        {"steps": [{"type": "branch", "condition": {"field": "member.nope", "op": "is_set"}}]},
        ["body", "steps", 0, "condition", "field"],
        "conditions.invalid",
    ),
    (
        {"steps": [{**SEND, "body": "{{ secret }}"}]},
        ["body", "steps", 0, "body"],
        "messaging.template_invalid",
    ),
    ({"holdout_percent": 90}, ["body", "holdout_percent"], "request.invalid"),
]


@pytest.mark.parametrize(("change", "loc", "code"), BAD_BODIES)
def test_bad_journeys_are_refused_with_their_location(
    change: dict[str, Any],
    loc: list[str | int],
    code: str,
    client: TestClient,
    admin: dict[str, str],
    session: Session,
    tenant: Principal,
) -> None:
    before = snapshot(session, tenant.tenant_id)
    response = client.post(JOURNEYS, json=_body(**change), headers=admin)
    body = assert_problem(response, 422, code)
    assert body["errors"][0]["loc"][: len(loc)] == loc, body
    assert snapshot(session, tenant.tenant_id) == before


def test_names_ids_and_nulls_are_refused_as_problems(
    client: TestClient, admin: dict[str, str]
) -> None:
    url = f"{JOURNEYS}/{_create(client, admin)['id']}"
    assert_problem(client.post(JOURNEYS, json=_body(), headers=admin), 409, "journeys.name_taken")
    assert_problem(client.get(f"{JOURNEYS}/999999", headers=admin), 404, "journeys.not_found")
    assert_invalid(client.get(f"{JOURNEYS}/{2**63}", headers=admin), ["path", "journey_id"])
    assert_invalid(client.patch(url, json={"name": None}, headers=admin), ["body"])
    patch = {"steps": [{"type": "branch", "condition": {}, "no": 0}]}
    assert client.patch(url, json=patch, headers=admin).status_code == 422


def test_a_merge_moves_positions_the_survivor_lacks(
    client: TestClient,
    admin: dict[str, str],
    session: Session,
    session_factory: sessionmaker[Session],
) -> None:
    both = _create(client, admin, name="both", holdout_percent=0)
    late = _create(client, admin, name="late", holdout_percent=0)
    client.post(f"{JOURNEYS}/{both['id']}:activate", headers=admin)
    kept = int(upsert(client, admin, crm("kept"))["id"])
    client.post(f"{JOURNEYS}/{late['id']}:activate", headers=admin)
    gone = int(upsert(client, admin, crm("gone"))["id"])
    assert len(upsert(client, admin, crm("kept"), crm("gone"))["merged"]) == 1  # into the oldest
    run(session_factory)
    with session.begin():
        rows = session.execute(
            select(JourneyPosition.journey_id, JourneyPosition.member_id, JourneyPosition.status)
        )
        where = {(str(j), m, str(s)) for j, m, s in rows if m in (kept, gone)}
    assert where == {
        (both["id"], kept, "waiting"),
        (both["id"], gone, "exited"),  # the survivor has this entry: it stays, and ends
        (late["id"], kept, "waiting"),  # moved: the survivor had none
    }
