"""Lifecycle stages through the API with a moving clock: seed 003's definitions, the
reactivated flag, stage changes recorded once each with ``StageChanged``, live writes moving a
member at once, and refunds counting."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.activity.bulk_events import record_events
from memberops.activity.schemas import EventCreate
from memberops.insights.lifecycle import service
from memberops.insights.lifecycle.events import StageChanged
from memberops.insights.lifecycle.models import Stage, StageChange
from memberops.kernel import clock
from memberops.kernel.events import DomainEvent
from memberops.tenancy.access import Principal
from tests.activity.support import EVENTS, ORDERS, event_body, order_body

START = datetime(2026, 3, 1, 4, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(START):
        yield


@pytest.fixture
def moves(monkeypatch: pytest.MonkeyPatch) -> list[DomainEvent]:
    seen: list[DomainEvent] = []
    real = service.publish

    def spy(session: Session, event: DomainEvent) -> None:
        seen.append(event)
        real(session, event)

    monkeypatch.setattr(service, "publish", spy)
    return seen


def _order(client: TestClient, admin: dict[str, str], external_id: str, phone: str) -> str:
    body = order_body(external_id, phone, paid_at=clock.now().isoformat())
    answer = client.post(ORDERS, json=body, headers=admin)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["member_id"])


def _member(client: TestClient, admin: dict[str, str], phone: str) -> str:
    body = {"identities": [{"type": "phone", "value": phone}]}
    answer = client.post("/api/v1/members", json=body, headers=admin)
    assert answer.status_code in (200, 201), answer.text
    return str(answer.json()["id"])


def _insights(client: TestClient, admin: dict[str, str], member: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/members/{member}/insights", headers=admin)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def _stage(client: TestClient, admin: dict[str, str], member: str) -> tuple[str, bool] | None:
    stage = _insights(client, admin, member)["stage"]
    return None if stage is None else (stage["stage"], stage["reactivated"])


def _recompute(client: TestClient, admin: dict[str, str]) -> dict[str, Any]:
    answer = client.post("/api/v1/insights:recompute", json={}, headers=admin)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_stages_follow_seed_003_as_time_passes(client: TestClient, admin: dict[str, str]) -> None:
    stranger = _member(client, admin, "13800000001")
    browser = _member(client, admin, "13800000002")
    cart = event_body("E1", "13800000002", occurred_at=clock.now().isoformat())
    assert client.post(EVENTS, json=cart, headers=admin).status_code == 201
    buyer = _order(client, admin, "T1", "13800000003")
    assert _stage(client, admin, buyer) == ("new", False)  # the live order moved it at once
    assert _stage(client, admin, browser) == ("prospect", False)  # so did the cart event
    assert _stage(client, admin, stranger) is None  # never computed yet
    _recompute(client, admin)
    assert _stage(client, admin, stranger) == ("unengaged", False)
    clock.advance(31 * DAY)
    _recompute(client, admin)
    assert _stage(client, admin, buyer) == ("dormant", False)
    assert _stage(client, admin, browser) == ("unengaged", False)  # interest is 30 days old
    clock.advance(335 * DAY)
    _recompute(client, admin)
    assert _stage(client, admin, buyer) == ("churned", False)
    _order(client, admin, "T2", "13800000003")  # back after more than a year
    assert _stage(client, admin, buyer) == ("active", True)
    clock.advance(31 * DAY)
    _order(client, admin, "T3", "13800000003")  # a month later: back again after 31 days
    assert _stage(client, admin, buyer) == ("active", True)
    clock.advance(10 * DAY)
    _order(client, admin, "T4", "13800000003")
    assert _stage(client, admin, buyer) == ("active", True)  # its return is inside the window
    clock.advance(25 * DAY)
    _recompute(client, admin)
    assert _stage(client, admin, buyer) == ("active", False)  # T3's gap is now history


def test_each_move_is_recorded_and_published_once(
    client: TestClient,
    admin: dict[str, str],
    session: Session,
    tenant: Principal,
    moves: list[DomainEvent],
) -> None:
    buyer = int(_order(client, admin, "T1", "13800000003"))
    first = [e for e in moves if isinstance(e, StageChanged)]
    assert [(e.from_stage, e.to_stage) for e in first] == [(None, Stage.new)]
    before = _recompute(client, admin)
    again = _recompute(client, admin)
    assert again["stages_changed"] == 0
    assert again["stages_moved"] == 0
    assert before["stages_moved"] == 0
    clock.advance(40 * DAY)
    assert _recompute(client, admin)["stages_moved"] == 1
    with session.begin():
        changes = session.scalars(
            select(StageChange).where(StageChange.member_id == buyer).order_by(StageChange.id)
        ).all()
        since = _insights(client, admin, str(buyer))["stage"]["since"]
    assert [(c.from_stage, c.to_stage) for c in changes] == [(None, "new"), ("new", "dormant")]
    assert since == clock.now().isoformat().replace("+00:00", "Z")
    published = [(e.member_id, e.from_stage, e.to_stage) for e in moves]
    assert published == [(buyer, None, Stage.new), (buyer, Stage.new, Stage.dormant)]
    assert tenant.tenant_id == changes[0].tenant_id


def test_a_wholly_refunded_order_does_not_count(client: TestClient, admin: dict[str, str]) -> None:
    buyer = _order(client, admin, "T1", "13800000003")
    refund = {"refund_id": "R1"}
    answer = client.post(f"{ORDERS}/T1/refunds", json=refund, headers=admin)
    assert answer.status_code == 201, answer.text
    assert _stage(client, admin, buyer) == ("unengaged", False)


def test_an_as_of_in_the_past_gives_that_days_stages(
    client: TestClient, admin: dict[str, str]
) -> None:
    buyer = _order(client, admin, "T1", "13800000003")
    clock.advance(100 * DAY)
    at = (START + 10 * DAY).isoformat()
    answer = client.post("/api/v1/insights:recompute", json={"as_of": at}, headers=admin)
    assert answer.status_code == 200, answer.text
    assert _stage(client, admin, buyer) == ("new", False)


def test_many_members_are_refreshed_in_slices(
    client: TestClient,
    admin: dict[str, str],
    session: Session,
    tenant: Principal,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    members = [int(_member(client, admin, f"1380000010{n}")) for n in range(5)]
    monkeypatch.setattr(service, "SLICE", 2)
    with session.begin():
        outcome = service.refresh_stages(session, tenant.tenant_id, members)
    assert (outcome.changed, outcome.moved) == (5, 5)
    assert {_stage(client, admin, str(m)) for m in members} == {("unengaged", False)}


def test_a_bulk_batch_of_events_moves_its_interested_members_at_once(
    client: TestClient,
    admin: dict[str, str],
    session: Session,
    tenant: Principal,
    moves: list[DomainEvent],
) -> None:
    """The bulk writer's one ``EventRecorded`` recomputes the batch's members with an interest
    event (a cart add, a favourite) as the single path would; a page view moves nobody."""
    now = clock.now().isoformat()
    bodies = [
        event_body("E1", "13800000001", occurred_at=now),
        event_body("E2", "13800000001", occurred_at=now, type="favorite_item"),
        event_body("E3", "13800000002", occurred_at=now, type="favorite_store"),
        event_body("E4", "13800000003", occurred_at=now, type="page_view"),
    ]
    with session.begin():
        record_events(session, tenant, [EventCreate.model_validate(b) for b in bodies])
    carted, favourite, viewer = (_member(client, admin, f"1380000000{n}") for n in (1, 2, 3))
    assert _stage(client, admin, carted) == ("prospect", False)
    assert _stage(client, admin, favourite) == ("prospect", False)
    assert _stage(client, admin, viewer) is None
    moved = sorted(e.member_id for e in moves if isinstance(e, StageChanged))
    assert moved == sorted([int(carted), int(favourite)])
