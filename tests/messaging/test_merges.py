"""Merges: an absorbed member's messages, tracked links and clicks go to the survivor, and come
back when the merge is undone."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.messaging.models import LinkClick, TrackedLink
from tests.api.support import crm, phone, upsert
from tests.messaging.support import NOW

MESSAGES = "/api/v1/messages"


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _owners(session: Session, message_id: str) -> list[int | None]:
    """Member ids of the message's links and clicks."""
    with session.begin():
        links = session.scalars(
            select(TrackedLink.member_id).where(TrackedLink.message_id == int(message_id))
        )
        clicks = session.scalars(
            select(LinkClick.member_id).where(LinkClick.message_id == int(message_id))
        )
        return [*links, *clicks]


def test_messages_follow_their_member_into_a_merge_and_back(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    survivor = upsert(client, admin, crm("a"))["id"]
    absorbed = upsert(client, admin, phone("13800000001"))["id"]
    body = {"channel": "sms", "member_id": int(absorbed), "body": "{{ link('https://t.example') }}"}
    sent = client.post(MESSAGES, json=body, headers=admin | {"Idempotency-Key": "k"}).json()
    client.get("/r/" + sent["body"].rsplit("/", 1)[1])

    merged = upsert(client, admin, crm("a"), phone("13800000001"))
    read = client.get(f"{MESSAGES}/{sent['id']}", headers=admin).json()
    assert (read["member_id"], _owners(session, sent["id"])) == (survivor, [int(survivor)] * 2)

    undone = client.post(f"/api/v1/merges/{merged['merged'][0]}/undo", headers=admin)
    assert undone.status_code == 200, undone.text
    read = client.get(f"{MESSAGES}/{sent['id']}", headers=admin).json()
    assert (read["member_id"], _owners(session, sent["id"])) == (absorbed, [int(absorbed)] * 2)
