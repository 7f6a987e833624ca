"""Channel ``preferred``: each member gets the campaign on the channel whose messages they
clicked most, else the first of WeChat, SMS and email they said yes to; and ``best_time``: each
member's message is due at the hour they click and buy most, after the quiet hours."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.campaigns.models import CampaignRecipient
from memberops.kernel import clock
from memberops.messaging.models import Message, TrackedLink
from tests.activity.support import ORDERS, order_body
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


def _launch(client: TestClient, admin: dict[str, str], extra: dict[str, Any]) -> Any:
    """A campaign to every member, with no holdout, launched; its answer."""
    condition = {"field": "member.created_at", "op": "is_set"}
    crowd = client.post(
        "/api/v1/crowds", json={"name": "all", "condition": condition}, headers=admin
    ).json()["id"]
    variants = [{"name": "A", "split_percent": 100, "body": "hi"}]
    body = {"name": "p", "crowd_id": int(crowd), "holdout_percent": 0, **extra}
    created = client.post("/api/v1/campaigns", json={**body, "variants": variants}, headers=admin)
    assert created.status_code == 201, created.text
    launched = client.post(f"/api/v1/campaigns/{created.json()['id']}:launch", headers=admin)
    assert launched.status_code == 200, launched.text
    return launched.json()


def test_members_get_the_channel_they_click_else_the_first_they_agreed_to(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    consent = {"sms": True, "email": True}
    clicker = upsert(client, admin, phone("+8613800000041"), EMAIL, consent=consent)["id"]
    texter = upsert(client, admin, phone("+8613800000042"), consent=consent)["id"]
    silent = upsert(client, admin, phone("+8613800000043"))["id"]
    _click_an_email(client, admin, session, clicker)
    _launch(client, admin, {"channel": "preferred"})

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


def test_best_time_sends_each_member_at_the_hour_they_click_and_buy(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    consent = {"sms": True, "email": True}
    morning = upsert(client, admin, phone("+8613800000051"), EMAIL, consent=consent)["id"]
    night = upsert(client, admin, phone("+8613800000052"), consent=consent)["id"]
    unknown = upsert(client, admin, phone("+8613800000053"), consent=consent)["id"]
    with clock.frozen(datetime(2026, 12, 1, 2, 30, tzinfo=UTC)):  # 10:30 in Shanghai
        _click_an_email(client, admin, session, morning)
    paid = datetime(2026, 11, 20, 15, 10, tzinfo=UTC).isoformat()  # 23:10 in Shanghai
    answer = client.post(
        ORDERS, json=order_body("N1", "+8613800000052", paid_at=paid), headers=admin
    )
    assert answer.status_code == 201, answer.text
    launched = _launch(client, admin, {"channel": "sms", "best_time": True})
    assert launched["best_time"] is True

    with session.begin():
        rows = session.execute(
            select(CampaignRecipient.member_id, CampaignRecipient.outcome, Message.due_at)
            .join(Message, Message.id == CampaignRecipient.message_id)
            .where(Message.channel == "sms")
        ).all()
    assert sorted(rows) == sorted(
        [
            (int(morning), "sent", datetime(2026, 12, 4, 2, tzinfo=UTC)),  # tomorrow 10:00
            (int(night), "deferred", datetime(2026, 12, 4, 0, tzinfo=UTC)),  # 23:00 is quiet: 08:00
            (int(unknown), "sent", NOW),
        ]
    )
