"""The watches API end to end: create, list, read, change, delete; the last day's GMV read
through orders of the API; problem documents for bad input."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from memberops.kernel import clock
from memberops.watches.jobs import run_round
from tests.api.support import assert_invalid, assert_problem, phone

WATCHES = "/api/v1/watches"
#: 18:00 in Shanghai on 3 December 2026.
NOW = datetime(2026, 12, 3, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _order(client: TestClient, admin: dict[str, str], external_id: str, paid_at: str) -> None:
    body = {
        "external_id": external_id,
        "member": {"identities": [phone("+8613800000009")]},
        "channel": "taobao",
        "paid_at": paid_at,
        "amount": "300.00",
    }
    response = client.post("/api/v1/orders", json=body, headers=admin)
    assert response.status_code == 201, response.text


def test_keep_a_gmv_watch(
    client: TestClient, admin: dict[str, str], session_factory: sessionmaker[Session]
) -> None:
    _order(client, admin, "T1", "2026-12-02T09:00:00+08:00")  # yesterday in Shanghai
    _order(client, admin, "T2", "2026-12-02T23:59:00+08:00")
    _order(client, admin, "T3", "2026-12-03T09:00:00+08:00")  # today: not counted yet
    body = {"name": "GMV", "figure": "daily_gmv", "threshold": "1000.50", "direction": "below"}
    created = client.post(WATCHES, json=body, headers=admin)
    assert created.status_code == 201, created.text
    url = f"{WATCHES}/{created.json()['id']}"
    assert created.json()["threshold"] == "1000.50"
    assert created.json()["last_value"] is None

    assert run_round(session_factory).notified == 1
    read = client.get(url, headers=admin).json()
    assert (read["last_value"], read["notified_period"]) == ("600.00", "2026-12-03")
    assert read["message_id"] is not None

    changed = client.patch(url, json={"threshold": "500", "active": False}, headers=admin)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["threshold"], changed.json()["active"]) == ("500.00", False)
    listed = client.get(WATCHES, headers=admin).json()
    assert [w["name"] for w in listed["items"]] == ["GMV"]
    assert client.delete(url, headers=admin).status_code == 204
    assert_problem(client.get(url, headers=admin), 404, "watches.not_found")
    clock.advance(timedelta(days=1))
    assert run_round(session_factory).checked == 0


def test_bad_input_is_a_problem(client: TestClient, admin: dict[str, str]) -> None:
    def post(**fields: object) -> httpx.Response:
        body = {"name": "w", "figure": "dormant_share", "threshold": "10", **fields}
        return client.post(WATCHES, json=body, headers=admin)

    assert_invalid(post(figure="gmv"), ["body", "figure"])
    assert_invalid(post(threshold="-1"), ["body", "threshold"])
    assert_invalid(post(threshold="1.234"), ["body", "threshold"])
    assert_invalid(post(direction="sideways"), ["body", "direction"])
    assert_invalid(post(channel="sms"), ["body", "channel"])
    assert_invalid(post(channel="email", recipient="nobody"), ["body"])
    no_crowd = post(figure="crowd_size")
    assert_invalid(no_crowd, ["body", "crowd_id"], "watches.invalid")
    missing = post(figure="crowd_size", crowd_id=999_999)
    assert_invalid(missing, ["body", "crowd_id"], "watches.invalid")
    stray = post(crowd_id=1)
    assert_invalid(stray, ["body", "crowd_id"], "watches.invalid")
    assert post().status_code == 201
    assert_problem(post(), 409, "watches.name_taken")
    assert_invalid(client.get(f"{WATCHES}/0", headers=admin), ["path", "watch_id"])
    assert_problem(client.get(f"{WATCHES}/999999", headers=admin), 404, "watches.not_found")
