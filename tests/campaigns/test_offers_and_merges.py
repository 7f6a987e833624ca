"""The offer — a coupon and points — reaches each messaged member once, given by the worker's
rounds after launch, never to the holdout or the skipped; and a merge moves a member's campaign
rows to the survivor, keeping the survivor's own where both were in one campaign."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from memberops.campaigns.jobs import run_round
from memberops.campaigns.models import CampaignRecipient
from memberops.kernel import clock
from memberops.loyalty.coupons.models import Coupon
from memberops.loyalty.points.models import PointsEntry
from memberops.tenancy.access import Principal
from tests.api.support import phone, upsert
from tests.campaigns.support import NOW
from tests.loyalty.coupons.support import make_template
from tests.messaging.support import SETTINGS

CAMPAIGNS = "/api/v1/campaigns"
ONE = [{"name": "A", "split_percent": 100, "body": "{{ name }}: {{ coupon }}"}]


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _crowd(client: TestClient, admin: dict[str, str], name: str) -> int:
    body = {
        "name": name,
        "kind": "snapshot",
        "condition": {"field": "member.created_at", "op": "is_set"},
    }
    response = client.post("/api/v1/crowds", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _launch(
    client: TestClient, admin: dict[str, str], name: str, crowd: int, **extra: object
) -> str:
    body = {"name": name, "crowd_id": crowd, "holdout_percent": 0, "variants": ONE, **extra}
    created = client.post(CAMPAIGNS, json=body, headers=admin)
    assert created.status_code == 201, created.text
    launched = client.post(f"{CAMPAIGNS}/{created.json()['id']}:launch", headers=admin)
    assert launched.status_code == 200, launched.text
    return str(created.json()["id"])


def test_the_worker_gives_each_messaged_member_the_offer_once(
    client: TestClient,
    admin: dict[str, str],
    session: Session,
    session_factory: sessionmaker[Session],
    tenant: Principal,
) -> None:
    yes = [
        upsert(client, admin, phone(f"+861380000001{n}"), consent={"sms": True})["id"]
        for n in range(3)
    ]
    upsert(client, admin, phone("+8613800000020"), consent={"sms": False})
    template = make_template(client, admin)["id"]
    campaign = _launch(
        client,
        admin,
        "gift",
        _crowd(client, admin, "all"),
        coupon_template_id=int(template),
        points=50,
    )
    first, again = run_round(session_factory, SETTINGS), run_round(session_factory, SETTINGS)
    assert (first.offers, again.offers) == (3, 0)
    with session.begin():
        coupons = session.scalars(
            select(Coupon.member_id).where(Coupon.tenant_id == tenant.tenant_id)
        )
        points = session.execute(
            select(PointsEntry.member_id, PointsEntry.points)
            .where(PointsEntry.tenant_id == tenant.tenant_id)
            .where(PointsEntry.dedupe_key.like(f"campaign:{campaign}:%"))
        )
        assert sorted(coupons) == sorted(int(m) for m in yes)
        assert sorted(points) == sorted((int(m), 50) for m in yes)
    assert first.finished == 0  # the messages are still in the outbox
    body = client.get(
        f"{CAMPAIGNS}/{campaign}/recipients", params={"outcome": "sent"}, headers=admin
    )
    assert len(body.json()["items"]) == 3


def test_a_merge_moves_campaign_rows_to_the_survivor_once_per_campaign(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    b = upsert(client, admin, {"type": "crm_id", "value": "b"}, consent={"sms": True})["id"]
    only_b = _launch(client, admin, "only b", _crowd(client, admin, "b"))
    a = upsert(client, admin, phone("+8613800000031"), consent={"sms": True})["id"]
    both = _launch(client, admin, "both", _crowd(client, admin, "a and b"))
    survivor = upsert(client, admin, phone("+8613800000031"), {"type": "crm_id", "value": "b"})
    absorbed = ({a, b} - {survivor["id"]}).pop()

    def members(campaign: str) -> list[int]:
        query = select(CampaignRecipient.member_id).where(
            CampaignRecipient.campaign_id == int(campaign)
        )
        with session.begin():
            return sorted(session.scalars(query))

    assert members(only_b) == [int(survivor["id"])]
    assert members(both) == sorted([int(survivor["id"]), int(absorbed)])
