"""The unsubscribe link: ``unsubscribe_link()`` becomes ``/u/{token}``; fetching the page changes
nothing, its button records the unsubscribe from the message's channel as the API does (once,
however often it is pressed); an unknown token, or a tracked link's, is a 404 problem; a
message that reaches no member on a consent channel cannot carry the link."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from memberops.kernel import clock
from tests.api.support import assert_problem, phone, upsert
from tests.messaging.support import NOW

MESSAGES = "/api/v1/messages"
BODY = "好茶上新 {{ link('https://shop.example/tea') }} 退订 {{ unsubscribe_link() }}"
PREFIX = "好茶上新 http://127.0.0.1:8000/r/"


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _queue(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    sent = {"channel": "sms", "body": BODY, **body}
    response = client.post(MESSAGES, json=sent, headers=headers | {"Idempotency-Key": "u1"})
    assert response.status_code == 201, response.text
    return dict(response.json())


def _tokens(message: dict[str, Any]) -> tuple[str, str]:
    """The message's tracked link token and unsubscribe token."""
    tracked, unsubscribe = str(message["body"]).removeprefix(PREFIX).split(" 退订 ")
    assert unsubscribe.startswith("http://127.0.0.1:8000/u/")
    return tracked, unsubscribe.removeprefix("http://127.0.0.1:8000/u/")


def _consent(client: TestClient, headers: dict[str, str], member: str) -> dict[str, Any]:
    found: dict[str, Any] = client.get(f"/api/v1/members/{member}", headers=headers).json()
    return dict(found["consent"])


def test_the_page_asks_and_only_its_button_unsubscribes(
    client: TestClient, admin: dict[str, str]
) -> None:
    member = upsert(client, admin, phone("+8613800000001"))["id"]
    _, token = _tokens(_queue(client, admin, member_id=member))
    page = client.get(f"/u/{token}")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "确认退订 · Unsubscribe" in page.text
    assert "no more marketing text messages" in page.text
    assert "<form method='post'>" in page.text
    assert _consent(client, admin, member) == {}
    for _ in range(2):
        done = client.post(f"/u/{token}")
        assert done.status_code == 200
        assert "已退订" in done.text
    assert _consent(client, admin, member) == {
        "sms": {"granted": False, "source": "unsubscribe", "at": "2026-12-03T10:00:00Z"}
    }


def test_the_link_records_what_the_api_records(client: TestClient, admin: dict[str, str]) -> None:
    by_link = upsert(client, admin, phone("+8613800000002"))["id"]
    by_api = upsert(client, admin, phone("+8613800000003"))["id"]
    _, token = _tokens(_queue(client, admin, member_id=by_link))
    client.post(f"/u/{token}")
    answer = client.post(
        f"/api/v1/members/{by_api}/unsubscribe", json={"channel": "sms"}, headers=admin
    )
    assert answer.status_code == 204, answer.text
    assert _consent(client, admin, by_link) == _consent(client, admin, by_api)


def test_an_unknown_or_tracked_links_token_is_a_404(
    client: TestClient, admin: dict[str, str]
) -> None:
    member = upsert(client, admin, phone("+8613800000004"))["id"]
    tracked, _ = _tokens(_queue(client, admin, member_id=member))
    for token in ("no-such-token", tracked):
        assert_problem(client.get(f"/u/{token}"), 404, "messaging.link_not_found")
        assert_problem(client.post(f"/u/{token}"), 404, "messaging.link_not_found")
    assert _consent(client, admin, member) == {}


@pytest.mark.parametrize(
    "body",
    [{"recipient": "+8613800000005"}, {"channel": "webhook", "recipient": "crm"}],
)
def test_a_message_no_member_can_unsubscribe_from_cannot_carry_the_link(
    client: TestClient, admin: dict[str, str], body: dict[str, str]
) -> None:
    sent = {"channel": "sms", "body": "{{ unsubscribe_link() }}", **body}
    refused = client.post(MESSAGES, json=sent, headers=admin | {"Idempotency-Key": "u2"})
    problem = assert_problem(refused, 422, "messaging.template_invalid")
    assert "unsubscribe_link() needs a message to a member" in problem["detail"]
    assert client.get(MESSAGES, headers=admin).json()["items"] == []


def test_a_preview_shows_a_sample_page(client: TestClient, admin: dict[str, str]) -> None:
    shown = client.post(
        f"{MESSAGES}:preview", json={"body": "{{ unsubscribe_link() }}"}, headers=admin
    )
    assert shown.status_code == 200, shown.text
    assert shown.json()["body"] == "http://127.0.0.1:8000/u/preview"
