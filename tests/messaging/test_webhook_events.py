"""The webhook events rooms publish in their own work: ``coupon.redeemed`` by a redemption,
``points.expiring`` by the loyalty engine's daily job, ``campaign.finished`` by the worker's
campaigns round. Each reaches a real local receiver once, signed with the subscription's secret;
a replayed redemption, a daily job run again the same day or the next, another round and a
republished event send nothing more."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from memberops.campaigns.events import CampaignFinished
from memberops.campaigns.jobs import run_round
from memberops.kernel import clock
from memberops.kernel.events import DomainEvent, _handlers, publish
from memberops.kernel.events import subscribe as subscribe_event
from memberops.loyalty.coupons.events import CouponRedeemed
from memberops.loyalty.coupons.models import Coupon
from memberops.loyalty.jobs import run_daily
from memberops.tenancy.access import Principal
from tests.api.support import phone, upsert
from tests.loyalty.coupons.support import issued, make_member, make_template, redeem
from tests.loyalty.points.support import RULES, adjust, order, set_rules
from tests.messaging.servers import Recorder, WebhookReceiver, http_server
from tests.messaging.support import NOW, SETTINGS, deliver, delivery_log, subscribe, verified

CAMPAIGNS = "/api/v1/campaigns"


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _documents(recorder: Recorder, hook: dict[str, Any]) -> list[dict[str, Any]]:
    return [verified(r, hook["secret"]) for r in recorder.requests]


def _republish(session: Session, event: DomainEvent) -> None:
    with session.begin():
        publish(session, event)


@pytest.fixture
def redemptions() -> Iterator[list[CouponRedeemed]]:
    """Every ``CouponRedeemed`` published during the test."""
    caught: list[CouponRedeemed] = []

    def catch(_: Session, event: CouponRedeemed) -> None:
        caught.append(event)

    subscribe_event(CouponRedeemed, catch)
    yield caught
    _handlers[CouponRedeemed].remove(catch)


def test_a_redeemed_coupon_is_announced_once(
    client: TestClient,
    admin: dict[str, str],
    session: Session,
    session_factory: sessionmaker[Session],
    tenant: Principal,
    redemptions: list[CouponRedeemed],
) -> None:
    member = make_member(client, admin)
    template = make_template(client, admin)
    code = issued(client, admin, member, template["id"])["code"]
    with http_server(WebhookReceiver()) as (url, seen):
        hook = subscribe(client, admin, url, ["coupon.redeemed"])
        assert redeem(client, admin, code, "T1", "150.00").status_code == 200
        assert redeem(client, admin, code, "T1", "150.00").status_code == 200  # a replay
        assert redeem(client, admin, code, "T2", "150.00").status_code == 409  # another order
        deliver(session_factory)
    with session.begin():
        coupon_id = session.scalar(select(Coupon.id).where(Coupon.code == code))
    assert [(e.coupon_id, e.order_external_id) for e in redemptions] == [(coupon_id, "T1")]
    assert _documents(seen, hook) == [
        {
            "id": f"coupon.redeemed:{coupon_id}",
            "type": "coupon.redeemed",
            "occurred_at": "2026-12-03T10:00:00Z",
            "tenant_id": str(tenant.tenant_id),
            "data": {
                "member_id": member,
                "coupon_id": str(coupon_id),
                "code": code,
                "template_id": template["id"],
                "template": "满100减20",
                "kind": "amount_off",
                "order_id": "T1",
                "discount": "20.00",
                "redeemed_at": "2026-12-03T10:00:00Z",
            },
        }
    ]
    assert [d["status"] for d in delivery_log(client, admin, hook)] == ["delivered"]


def test_points_expiring_are_announced_once_per_member_and_day(
    client: TestClient,
    admin: dict[str, str],
    session_factory: sessionmaker[Session],
    tenant: Principal,
) -> None:
    """Lots expire 12 months after they are credited; the reminder looks 7 local days ahead
    (Shanghai), whole days, and groups a member's lots by the local day they expire."""
    first = order(client, admin, "T1", "100")  # 100 + 100 first-order bonus, 2027-12-03 18:00
    clock.advance(timedelta(hours=3))
    assert adjust(client, admin, first, 50).status_code == 201  # 2027-12-03 21:00 local
    clock.advance(timedelta(days=3))
    second = order(client, admin, "T2", "20", phone="13900000000")  # 20 + 100, 2027-12-06
    clock.advance(datetime(2027, 11, 26, 16, tzinfo=UTC) - clock.now())  # 11-27 00:00 local
    with http_server(WebhookReceiver()) as (url, seen):
        hook = subscribe(client, admin, url, ["points.expiring"])
        assert run_daily(session_factory, tenant).expiry_reminders == 1  # 11-27 … 12-04
        assert run_daily(session_factory, tenant).expiry_reminders == 1  # again the same day
        clock.advance(timedelta(days=1))
        assert run_daily(session_factory, tenant).expiry_reminders == 1  # … 12-05
        clock.advance(timedelta(days=2))
        assert run_daily(session_factory, tenant).expiry_reminders == 2  # … 12-07: both
        deliver(session_factory)
    common = {"type": "points.expiring", "tenant_id": str(tenant.tenant_id)}
    assert _documents(seen, hook) == [
        {
            "id": f"points.expiring:{first}:2027-12-03",
            **common,
            "occurred_at": "2027-11-26T16:00:00Z",
            "data": {
                "member_id": first,
                "points": 250,
                "expires_at": "2027-12-03T10:00:00Z",
                "expires_on": "2027-12-03",
            },
        },
        {
            "id": f"points.expiring:{second}:2027-12-06",
            **common,
            "occurred_at": "2027-11-29T16:00:00Z",
            "data": {
                "member_id": second,
                "points": 120,
                "expires_at": "2027-12-06T13:00:00Z",
                "expires_on": "2027-12-06",
            },
        },
    ]


def test_no_reminder_when_the_rules_turn_it_off(
    client: TestClient,
    admin: dict[str, str],
    session: Session,
    session_factory: sessionmaker[Session],
    tenant: Principal,
) -> None:
    order(client, admin, "T1", "100")
    assert set_rules(client, admin, expiry_reminder_days=0)["expiry_reminder_days"] == 0
    assert client.get(RULES, headers=admin).json()["expiry_reminder_days"] == 0
    clock.advance(timedelta(days=364))
    assert run_daily(session_factory, tenant).expiry_reminders == 0
    set_rules(client, admin, expiry_reminder_days=1)
    assert run_daily(session_factory, tenant).expiry_reminders == 1


def _launch(client: TestClient, admin: dict[str, str]) -> str:
    crowd = {
        "name": "everyone",
        "kind": "snapshot",
        "condition": {"field": "member.created_at", "op": "is_set"},
    }
    made = client.post("/api/v1/crowds", json=crowd, headers=admin)
    assert made.status_code == 201, made.text
    variants = [{"name": "A", "split_percent": 100, "body": "{{ name }}, hello"}]
    body = {"name": "冬季", "crowd_id": int(made.json()["id"]), "holdout_percent": 0}
    created = client.post(CAMPAIGNS, json={**body, "variants": variants}, headers=admin)
    assert created.status_code == 201, created.text
    launched = client.post(f"{CAMPAIGNS}/{created.json()['id']}:launch", headers=admin)
    assert launched.status_code == 200, launched.text
    return str(created.json()["id"])


def test_a_finished_campaign_is_announced_once(
    client: TestClient,
    admin: dict[str, str],
    session: Session,
    session_factory: sessionmaker[Session],
    tenant: Principal,
) -> None:
    """Three members take SMS, one never agreed to it; no SMS provider is configured, so the
    three messages fail at once and the campaign has nothing left to send."""
    for n in range(3):
        upsert(client, admin, phone(f"+861380000001{n}"), consent={"sms": True})
    upsert(client, admin, phone("+8613800000020"), consent={"sms": False})
    with http_server(WebhookReceiver()) as (url, seen):
        hook = subscribe(client, admin, url, ["campaign.finished"])
        campaign = _launch(client, admin)
        assert run_round(session_factory, SETTINGS).finished == 0  # its messages are queued
        deliver(session_factory)  # they fail: no SMS provider
        clock.advance(timedelta(minutes=1))
        assert run_round(session_factory, SETTINGS).finished == 1
        assert run_round(session_factory, SETTINGS).finished == 0
        deliver(session_factory)
        event = CampaignFinished(
            tenant.tenant_id, int(campaign), "冬季", clock.now(), {"sent": 3}, {}
        )
        _republish(session, replace(event, name="again"))  # the same campaign: nothing more
        deliver(session_factory)
    read = client.get(f"{CAMPAIGNS}/{campaign}", headers=admin).json()
    assert (read["status"], read["finished_at"]) == ("finished", "2026-12-03T10:01:00Z")
    assert _documents(seen, hook) == [
        {
            "id": f"campaign.finished:{campaign}",
            "type": "campaign.finished",
            "occurred_at": "2026-12-03T10:01:00Z",
            "tenant_id": str(tenant.tenant_id),
            "data": {
                "campaign_id": campaign,
                "name": "冬季",
                "finished_at": "2026-12-03T10:01:00Z",
                "outcomes": {"sent": 3, "deferred": 0, "holdout": 0, "skipped": 1},
                "skipped": {"no_consent": 1},
            },
        }
    ]
