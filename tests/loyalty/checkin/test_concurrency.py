"""Check-ins of one member at once, each request in its own transaction with real commits:
one check-in, one reward, every other request answered 200 with it; member-day claims alike.

PostgreSQL only: SQLite takes one writer at a time (``BEGIN IMMEDIATE``), so nothing races.
"""

from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from memberops.kernel import clock
from memberops.kernel.db import make_session_factory
from memberops.loyalty.checkin.models import CheckIn
from memberops.loyalty.coupons.models import Coupon
from memberops.loyalty.points.models import PointsEntry
from tests.api.support import MEMBERS
from tests.races import Call, Racer, at_once

pytestmark = pytest.mark.postgres_only
THREADS = 8


def _at_once(racer: Racer, url: str) -> list[httpx.Response]:
    return at_once(racer, [Call(url)] * THREADS)


def _sign_up(app: FastAPI, headers: dict[str, str]) -> str:
    body = {"identities": [{"type": "crm_id", "value": "c1"}]}
    return str(TestClient(app).post(MEMBERS, json=body, headers=headers).json()["id"])


def test_check_ins_at_once_check_in_and_reward_once(
    fresh_engine: Engine, app_and_key: Racer
) -> None:
    app, headers, tenant_id = app_and_key
    with clock.frozen(datetime(2026, 11, 11, 2, 0, tzinfo=UTC)):
        member = _sign_up(app, headers)
        answers = _at_once(app_and_key, f"{MEMBERS}/{member}/check-ins")
    assert sorted(a.status_code for a in answers) == [200] * (THREADS - 1) + [201]
    assert {(a.json()["local_date"], a.json()["streak"]) for a in answers} == {("2026-11-11", 1)}
    with make_session_factory(fresh_engine)() as session:
        rows = session.scalar(
            select(func.count()).select_from(CheckIn).where(CheckIn.tenant_id == tenant_id)
        )
        entries = session.execute(
            select(PointsEntry.dedupe_key, PointsEntry.points).where(
                PointsEntry.tenant_id == tenant_id,
                PointsEntry.dedupe_key.like("checkin:%"),
            )
        ).all()
    assert rows == 1
    assert [tuple(e) for e in entries] == [(f"checkin:{member}:2026-11-11", 5)]


def test_member_day_claims_at_once_grant_once(fresh_engine: Engine, app_and_key: Racer) -> None:
    app, headers, tenant_id = app_and_key
    client = TestClient(app)
    body = {"name": "member day", "kind": "amount_off", "amount_off": "5", "valid_days": 30}
    template = client.post("/api/v1/coupon-templates", json=body, headers=headers)
    assert template.status_code == 201, template.text
    ladder = client.get("/api/v1/loyalty/tiers", headers=headers).json()
    ladder["levels"][0]["benefits"]["member_day_access"] = True
    assert client.put("/api/v1/loyalty/tiers", json=ladder, headers=headers).status_code == 200
    rules = {"member_day_coupon_template_ids": [int(template.json()["id"])]}
    assert client.put("/api/v1/loyalty/perk-rules", json=rules, headers=headers).is_success
    with clock.frozen(datetime(2026, 11, 18, 2, 0, tzinfo=UTC)):
        member = _sign_up(app, headers)
        answers = _at_once(app_and_key, f"{MEMBERS}/{member}/member-day-coupons")
    assert sorted(a.status_code for a in answers) == [200] * (THREADS - 1) + [201]
    assert len({tuple(a.json()["coupon_codes"]) for a in answers}) == 1
    with make_session_factory(fresh_engine)() as session:
        coupons = session.scalar(
            select(func.count())
            .select_from(Coupon)
            .where(Coupon.tenant_id == tenant_id, Coupon.source == "member_day")
        )
    assert coupons == 1
