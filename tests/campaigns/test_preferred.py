"""Channel ``preferred``: each member gets the campaign on the channel whose messages they
clicked most, else the first of WeChat, SMS and email they said yes to."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.campaigns.models import CampaignRecipient
from memberops.kernel import clock
from memberops.messaging.models import TrackedLink
from tests.api.support import phone, upsert
from tests.campaigns.support import NOW

EMAIL = {"type": "email", "value": "clicker@shop.example"}


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _click_an_email(
    client: TestClient, admin: dict[str, str], session: Session, member: str
) -> None:
    body = {"channel": "email", "member_id": int(member), "body": "{{ link('https://s.example') }}"}
    sent = client.post("/api/v1/messages", json=body, headers=admin | {"Idempotency-Key": "e1"})
    assert sent.status_code == 201, sent.text
    with session.begin():
        token = session.scalar(select(TrackedLink.token))
    assert client.get(f"/r/{token}", follow_redirects=False).status_code == 302


def test_members_get_the_channel_they_click_else_the_first_they_agreed_to(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    consent = {"sms": True, "email": True}
    clicker = upsert(client, admin, phone("+8613800000041"), EMAIL, consent=consent)["id"]
    texter = upsert(client, admin, phone("+8613800000042"), consent=consent)["id"]
    silent = upsert(client, admin, phone("+8613800000043"))["id"]
    _click_an_email(client, admin, session, clicker)
    condition = {"field": "member.created_at", "op": "is_set"}
    crowd = client.post(
        "/api/v1/crowds", json={"name": "all", "condition": condition}, headers=admin
    ).json()["id"]
    variants = [{"name": "A", "split_percent": 100, "body": "hi"}]
    body = {"name": "p", "crowd_id": int(crowd), "channel": "preferred", "holdout_percent": 0}
    created = client.post("/api/v1/campaigns", json={**body, "variants": variants}, headers=admin)
    assert created.status_code == 201, created.text
    launched = client.post(f"/api/v1/campaigns/{created.json()['id']}:launch", headers=admin)
    assert launched.status_code == 200, launched.text

    with session.begin():
        rows = session.execute(
            select(
                CampaignRecipient.member_id, CampaignRecipient.channel, CampaignRecipient.outcome
            )
        ).all()
    assert sorted(rows) == sorted(
        [
            (int(clicker), "email", "sent"),
            (int(texter), "sms", "sent"),
            (int(silent), "sms", "skipped"),
        ]
    )
