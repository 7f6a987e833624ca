"""The messages API: queue once per Idempotency-Key, read with receipts, list by cursor, masked
for roles without personal data, and nothing of another tenant's."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from memberops.kernel import clock
from memberops.messaging.channels.registry import Channels
from memberops.messaging.delivery import deliver_due
from memberops.tenancy.models import Role
from tests.api.support import assert_problem
from tests.messaging.support import NOW, SETTINGS

MESSAGES = "/api/v1/messages"


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _post(
    client: TestClient, headers: dict[str, str], key: str, **body: object
) -> dict[str, object]:
    sent = {"channel": "email", "recipient": "li@example.com", "body": "你好", **body}
    response = client.post(MESSAGES, json=sent, headers=headers | {"Idempotency-Key": key})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_message_is_queued_once_per_key(client: TestClient, admin: dict[str, str]) -> None:
    first = _post(client, admin, "k1")
    assert (first["status"], first["attempts"], first["receipts"]) == ("queued", 0, [])
    again = client.post(
        MESSAGES,
        json={"recipient": "x", "body": "other"},
        headers=admin | {"Idempotency-Key": "k1"},
    )
    assert again.status_code == 200
    assert again.json() == first
    assert len(client.get(MESSAGES, headers=admin).json()["items"]) == 1


def test_a_message_needs_an_idempotency_key(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post(MESSAGES, json={"recipient": "x", "body": "b"}, headers=admin)
    assert response.status_code == 422


def test_delivery_shows_in_the_message_with_its_receipt(
    client: TestClient, admin: dict[str, str], session_factory: sessionmaker[Session]
) -> None:
    queued = _post(client, admin, "k1", channel="log")
    with Channels(SETTINGS) as channels:
        deliver_due(session_factory, SETTINGS, channels)
    read = client.get(f"{MESSAGES}/{queued['id']}", headers=admin).json()
    assert (read["status"], read["attempts"], read["delivered_at"]) == (
        "delivered",
        1,
        "2026-12-03T10:00:00Z",
    )
    assert read["receipts"] == [
        {
            "number": 1,
            "outcome": "delivered",
            "detail": "",
            "provider_message_id": read["provider_message_id"],
            "at": "2026-12-03T10:00:00Z",
        }
    ]


def test_messages_page_newest_first(client: TestClient, admin: dict[str, str]) -> None:
    ids = [_post(client, admin, f"k{n}")["id"] for n in range(3)]
    first = client.get(MESSAGES, params={"limit": 2}, headers=admin).json()
    assert [m["id"] for m in first["items"]] == [ids[2], ids[1]]
    rest = client.get(
        MESSAGES, params={"limit": 2, "cursor": first["next_cursor"]}, headers=admin
    ).json()
    assert ([m["id"] for m in rest["items"]], rest["next_cursor"]) == ([ids[0]], None)


def test_an_analyst_reads_recipients_masked(
    client: TestClient, headers: dict[Role, dict[str, str]]
) -> None:
    queued = _post(client, headers[Role.admin], "k1")
    read = client.get(f"{MESSAGES}/{queued['id']}", headers=headers[Role.analyst]).json()
    assert (read["recipient"], read["body"]) == ("l***@example.com", "你***")


def test_another_tenant_neither_reads_nor_lists_our_messages(
    client: TestClient, admin: dict[str, str], other_headers: dict[Role, dict[str, str]]
) -> None:
    queued = _post(client, admin, "k1")
    rival = other_headers[Role.admin]
    assert_problem(
        client.get(f"{MESSAGES}/{queued['id']}", headers=rival), 404, "messaging.not_found"
    )
    assert client.get(MESSAGES, headers=rival).json()["items"] == []
    replay = _post(client, rival, "k1")  # the same key is the rival's own message
    assert replay["id"] != queued["id"]
