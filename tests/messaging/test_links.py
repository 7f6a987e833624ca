"""Tracked links through the API: ``link(url)`` in a message becomes ``/r/{token}``, following
it records the click (time, user agent) and redirects; an unknown token is a 404 problem; a
template that cannot render stores nothing."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from memberops.kernel import clock
from memberops.tenancy.models import Role
from tests.api.support import assert_problem
from tests.messaging.support import NOW

MESSAGES = "/api/v1/messages"
BODY = "{{ name }}，新茶上市：{{ link('https://shop.example/new?utm=mo') }}"


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _queue(client: TestClient, headers: dict[str, str], body: str = BODY) -> dict[str, object]:
    sent = {"recipient": "x", "body": body, "context": {"name": "李雷"}}
    response = client.post(MESSAGES, json=sent, headers=headers | {"Idempotency-Key": "k1"})
    assert response.status_code == 201, response.text
    return dict(response.json())


def _token(message: dict[str, object]) -> str:
    prefix = "李雷，新茶上市：http://127.0.0.1:8000/r/"
    text = str(message["body"])
    assert text.startswith(prefix)
    return text.removeprefix(prefix)


def test_a_click_is_recorded_and_redirected(client: TestClient, admin: dict[str, str]) -> None:
    message = _queue(client, admin)
    token = _token(message)
    clock.advance(timedelta(hours=2))
    followed = client.get(
        f"/r/{token}", headers={"User-Agent": "MicroMessenger/8.0"}, follow_redirects=False
    )
    assert (followed.status_code, followed.headers["location"]) == (
        302,
        "https://shop.example/new?utm=mo",
    )
    clicks = client.get(f"{MESSAGES}/{message['id']}", headers=admin).json()["clicks"]
    assert clicks == [
        {
            "url": "https://shop.example/new?utm=mo",
            "user_agent": "MicroMessenger/8.0",
            "at": "2026-12-03T12:00:00Z",
        }
    ]


def test_an_unknown_token_is_a_404_problem(client: TestClient) -> None:
    assert_problem(
        client.get("/r/nothing-here", follow_redirects=False), 404, "messaging.link_not_found"
    )


def test_a_bad_template_stores_nothing(client: TestClient, admin: dict[str, str]) -> None:
    sent = {"recipient": "x", "body": "{{ name }} {{ balance }}"}
    response = client.post(MESSAGES, json=sent, headers=admin | {"Idempotency-Key": "k1"})
    body = assert_problem(response, 422, "messaging.template_invalid")
    assert body["field"] == "balance"
    assert client.get(MESSAGES, headers=admin).json()["items"] == []


def test_link_takes_only_web_urls(client: TestClient, admin: dict[str, str]) -> None:
    sent = {"recipient": "x", "body": "{{ link('javascript:alert(1)') }}"}
    response = client.post(MESSAGES, json=sent, headers=admin | {"Idempotency-Key": "k1"})
    assert_problem(response, 422, "messaging.template_invalid")


def test_a_preview_over_the_api_stores_nothing(
    client: TestClient, headers: dict[Role, dict[str, str]]
) -> None:
    request = {"body": BODY, "context": {"name": "李雷"}}
    shown = client.post(f"{MESSAGES}:preview", json=request, headers=headers[Role.operator])
    assert shown.json() == {
        "subject": "",
        "body": "李雷，新茶上市：https://shop.example/new?utm=mo",
    }
    assert client.get(MESSAGES, headers=headers[Role.admin]).json()["items"] == []
