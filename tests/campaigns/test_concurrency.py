"""Four campaigns to one crowd launched at once, each in its own transaction with real commits:
the frequency cap (two per seven days) still holds for every member, because launches of one
tenant take turns. PostgreSQL only: SQLite takes one writer at a time already."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from memberops.campaigns.models import CampaignRecipient
from memberops.kernel import clock
from memberops.kernel.db import make_session_factory
from tests.campaigns.support import NOW
from tests.races import Call, Racer, at_once

pytestmark = pytest.mark.postgres_only
CAMPAIGNS = 4
MEMBERS = 30


def test_campaigns_launched_at_once_keep_the_frequency_cap(
    fresh_engine: Engine, app_and_key: Racer
) -> None:
    client, headers = TestClient(app_and_key.app), app_and_key.headers
    for n in range(MEMBERS):
        body = {
            "identities": [{"type": "phone", "value": f"+86138000001{n:02d}"}],
            "consent": {"sms": True},
        }
        assert client.post("/api/v1/members", json=body, headers=headers).status_code == 201
    condition = {"field": "member.created_at", "op": "is_set"}
    crowd = client.post(
        "/api/v1/crowds", json={"name": "all", "condition": condition}, headers=headers
    )
    variants = [{"name": "A", "split_percent": 100, "body": "hi"}]
    ids = []
    for n in range(CAMPAIGNS):
        body = {"name": f"c{n}", "crowd_id": int(crowd.json()["id"]), "holdout_percent": 0}
        created = client.post(
            "/api/v1/campaigns", json={**body, "variants": variants}, headers=headers
        )
        ids.append(created.json()["id"])
    with clock.frozen(NOW):
        answers = at_once(app_and_key, [Call(f"/api/v1/campaigns/{i}:launch") for i in ids])
    assert [a.status_code for a in answers] == [200] * CAMPAIGNS
    query = (
        select(CampaignRecipient.member_id, func.count())
        .where(CampaignRecipient.tenant_id == app_and_key.tenant_id)
        .where(CampaignRecipient.outcome == "sent")
        .group_by(CampaignRecipient.member_id)
    )
    with make_session_factory(fresh_engine)() as session:
        sent = dict(session.execute(query).all())
    assert sorted(sent.values()) == [2] * MEMBERS
