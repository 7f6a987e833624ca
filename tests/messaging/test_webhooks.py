"""Outgoing webhooks end to end: a subscription made over the API, a domain event published in
a transaction, the worker POSTing the signed event document to a real local receiver; a 500 is
retried and both attempts are in the delivery log; a replayed event, a deleted subscription and
another tenant's events send nothing."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from memberops.insights.lifecycle.events import StageChanged
from memberops.insights.lifecycle.models import Stage
from memberops.kernel import clock
from memberops.kernel.events import DomainEvent, publish
from memberops.loyalty.tiers.events import TierChanged
from memberops.messaging.models import WebhookEvent
from memberops.tenancy.access import Principal
from tests.api.support import assert_problem, crm, upsert
from tests.messaging.servers import Answer, Recorder, WebhookReceiver, http_server
from tests.messaging.support import (
    NOW,
    SETTINGS,
    WEBHOOKS,
    deliver,
    delivery_log,
    subscribe,
    verified,
)

ALL = [str(e) for e in WebhookEvent]


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _subscribe(
    client: TestClient, admin: dict[str, str], url: str, events: list[str] = ALL
) -> dict[str, Any]:
    return subscribe(client, admin, url, events)


def _publish(session: Session, *events: DomainEvent) -> None:
    with session.begin():
        for event in events:
            publish(session, event)


def test_each_event_reaches_the_receiver_signed_once(
    client: TestClient,
    admin: dict[str, str],
    session: Session,
    session_factory: sessionmaker[Session],
    tenant: Principal,
) -> None:
    t = tenant.tenant_id
    member = int(upsert(client, admin, crm("hook-1"))["id"])
    absorbed = upsert(client, admin, crm("hook-2"))["id"]
    events = [
        TierChanged(t, member_id=member, from_tier="银卡", to_tier="金卡", kind="upgrade"),
        StageChanged(
            t, member_id=member, from_stage=Stage.active, to_stage=Stage.dormant, reactivated=False
        ),
    ]
    with http_server(WebhookReceiver()) as (url, seen):
        hook = _subscribe(client, admin, url + "/in")
        merged = upsert(client, admin, crm("hook-1"), crm("hook-2"))  # a real merge
        _publish(session, *events)
        _publish(session, *events)  # a replay: nothing more
        deliver(session_factory)
    assert len(hook["secret"]) == 64
    assert "secret" not in client.get(WEBHOOKS, headers=admin).json()["items"][0]
    documents = [verified(r, hook["secret"]) for r in seen.requests]
    common = {"occurred_at": "2026-12-03T10:00:00Z", "tenant_id": str(t)}
    first_stage = {  # the merge re-reads the survivor's stage: its first
        "id": f"stage.changed:{member}:None>unengaged:2026-12-03",
        "type": "stage.changed",
        **common,
        "data": {
            "member_id": str(member),
            "from_stage": None,
            "to_stage": "unengaged",
            "reactivated": False,
        },
    }
    assert documents == [
        first_stage,
        {
            "id": f"member.merged:{merged['merged'][0]}",
            "type": "member.merged",
            **common,
            "data": {
                "survivor_id": merged["id"],
                "absorbed_id": absorbed,
                "merge_id": merged["merged"][0],
            },
        },
        {
            "id": f"tier.changed:{member}:银卡>金卡:2026-12-03",
            "type": "tier.changed",
            **common,
            "data": {
                "member_id": str(member),
                "from_tier": "银卡",
                "to_tier": "金卡",
                "kind": "upgrade",
            },
        },
        {
            "id": f"stage.changed:{member}:active>dormant:2026-12-03",
            "type": "stage.changed",
            **common,
            "data": {
                "member_id": str(member),
                "from_stage": "active",
                "to_stage": "dormant",
                "reactivated": False,
            },
        },
    ]
    log = delivery_log(client, admin, hook)
    assert [(d["event_id"], d["status"]) for d in log] == [
        (doc["id"], "delivered") for doc in reversed(documents)
    ]


def test_a_500_is_retried_and_both_attempts_are_logged(
    client: TestClient,
    admin: dict[str, str],
    session: Session,
    session_factory: sessionmaker[Session],
    tenant: Principal,
) -> None:
    receiver = WebhookReceiver(lambda n, _: Answer(500, {"error": "boom"}) if n == 0 else None)
    with http_server(receiver) as (url, seen):
        hook = _subscribe(client, admin, url, ["tier.changed"])
        _publish(session, TierChanged(tenant.tenant_id, 1, None, "金卡", "upgrade"))
        deliver(session_factory)
        clock.advance(timedelta(seconds=SETTINGS.outbox_backoff_seconds))
        deliver(session_factory)
    assert len(seen.requests) == 2
    assert seen.requests[0].body == seen.requests[1].body
    [delivery] = delivery_log(client, admin, hook)
    assert delivery["status"] == "delivered"
    assert [a["outcome"] for a in delivery["attempts"]] == ["retry", "delivered"]


def test_unwanted_deleted_and_other_tenants_events_send_nothing(
    client: TestClient,
    admin: dict[str, str],
    session: Session,
    session_factory: sessionmaker[Session],
    tenant: Principal,
    other_tenant: Principal,
) -> None:
    recorder: Recorder
    with http_server(WebhookReceiver()) as (url, recorder):
        tiers_only = _subscribe(client, admin, url, ["tier.changed"])
        gone = _subscribe(client, admin, url, ALL)
        assert client.delete(f"{WEBHOOKS}/{gone['id']}", headers=admin).status_code == 204
        _publish(
            session,
            StageChanged(tenant.tenant_id, 1, None, Stage.new, reactivated=False),
            TierChanged(other_tenant.tenant_id, 1, None, "金卡", "upgrade"),
        )
        deliver(session_factory)
    assert recorder.requests == []
    assert delivery_log(client, admin, tiers_only) == []
    assert_problem(
        client.get(f"{WEBHOOKS}/{gone['id']}/deliveries", headers=admin),
        404,
        "messaging.webhook_not_found",
    )


def test_a_deleted_subscriptions_queued_deliveries_are_cancelled(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    hook = _subscribe(client, admin, "http://127.0.0.1:9/in", ["tier.changed"])
    _publish(session, TierChanged(tenant.tenant_id, 1, None, "金卡", "upgrade"))
    assert [d["status"] for d in delivery_log(client, admin, hook)] == ["queued"]
    assert client.delete(f"{WEBHOOKS}/{hook['id']}", headers=admin).status_code == 204
    listed = client.get("/api/v1/messages", headers=admin).json()["items"]
    assert [(m["status"], m["last_error"]) for m in listed] == [("failed", "cancelled")]


@pytest.mark.parametrize(
    "body",
    [
        {"url": "http://127.0.0.1:9/in", "events": ["order.paid"]},
        {"url": "http://127.0.0.1:9/in", "events": []},
        {"url": "ftp://127.0.0.1/in", "events": ["tier.changed"]},
        {"url": "http://h.example/" + "x" * 250, "events": ["tier.changed"]},
    ],
)
def test_a_subscription_to_no_offered_event_or_url_is_refused(
    client: TestClient, admin: dict[str, str], body: dict[str, Any]
) -> None:
    assert client.post(WEBHOOKS, json=body, headers=admin).status_code == 422
    assert client.get(WEBHOOKS, headers=admin).json()["items"] == []


def test_a_message_sent_through_the_api_cannot_name_its_own_webhook_key(
    client: TestClient, admin: dict[str, str]
) -> None:
    """Else anyone who may send messages could make the worker POST anywhere, signed."""
    sent = {
        "channel": "webhook",
        "recipient": "http://10.0.0.1/",
        "body": "x",
        "payload": {"webhook_secret": "k"},
    }
    refused = client.post("/api/v1/messages", json=sent, headers=admin | {"Idempotency-Key": "w"})
    assert refused.status_code == 422
    assert client.get("/api/v1/messages", headers=admin).json()["items"] == []
