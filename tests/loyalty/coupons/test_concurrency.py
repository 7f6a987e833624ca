"""Coupons under concurrent requests, each in its own transaction with real commits on a fresh
database: a coupon is used once whatever the number of orders racing for it, and a template
never issues past its stock.

PostgreSQL only: SQLite takes one writer at a time (``BEGIN IMMEDIATE``), so nothing races.
"""

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from memberops.kernel.db import make_session_factory
from memberops.loyalty.coupons.models import Coupon, CouponTemplate
from tests.api.support import PROBLEM_JSON, phone
from tests.loyalty.coupons.support import TEMPLATES, template_body
from tests.races import Call, Racer, at_once

pytestmark = pytest.mark.postgres_only


def _setup(app: FastAPI, headers: dict[str, str], members: int, **template: Any) -> Any:
    """A template and ``members`` new members' ids."""
    client = TestClient(app)
    made = client.post(TEMPLATES, json=template_body(**template), headers=headers).json()
    ids = []
    for n in range(members):
        body = {"identities": [phone(f"1380013{n:04d}")]}
        ids.append(client.post("/api/v1/members", json=body, headers=headers).json()["id"])
    return made, ids


def _template(engine: Engine, template_id: str) -> tuple[int, int, int]:
    """(issued, redeemed, coupons stored) of the template."""
    with make_session_factory(engine)() as session:
        stored = session.get(CouponTemplate, int(template_id))
        assert stored is not None
        count = session.scalar(select(func.count()).where(Coupon.template_id == stored.id))
        return stored.issued, stored.redeemed, count or 0


def test_twenty_orders_racing_for_one_coupon_leave_one_winner(
    fresh_engine: Engine, app_and_key: Racer
) -> None:
    app, headers, _ = app_and_key
    template, (member,) = _setup(app, headers, 1)
    code = (
        TestClient(app)
        .post(
            f"/api/v1/members/{member}/coupons",
            json={"template_id": int(template["id"])},
            headers=headers,
        )
        .json()["code"]
    )
    calls = [
        Call(f"/api/v1/coupons/{code}/redeem", {"order_id": f"T{n}", "order_amount": "150"})
        for n in range(20)
    ]
    responses = at_once(app_and_key, calls)
    assert sorted(r.status_code for r in responses) == [200] + [409] * 19
    (winner,) = (r.json() for r in responses if r.status_code == 200)
    for lost in (r for r in responses if r.status_code == 409):
        assert lost.headers["content-type"] == PROBLEM_JSON
        body = lost.json()
        assert (body["code"], body["coupon_code"]) == ("coupons.already_redeemed", code)
        assert body["redeemed_at"] == winner["redeemed_at"].replace("Z", "+00:00")
    assert _template(fresh_engine, template["id"]) == (1, 1, 1)
    replay = Call(calls[0].url, {"order_id": winner["order_id"], "order_amount": "150"})
    replays = at_once(app_and_key, [replay] * 10)
    assert {r.status_code for r in replays} == {200}
    assert all(r.json() == winner for r in replays)
    assert _template(fresh_engine, template["id"]) == (1, 1, 1)


def test_thirty_issues_of_a_stock_of_ten_issue_ten(
    fresh_engine: Engine, app_and_key: Racer
) -> None:
    app, headers, _ = app_and_key
    template, members = _setup(app, headers, 30, stock=10)
    calls = [
        Call(f"/api/v1/members/{m}/coupons", {"template_id": int(template["id"])}) for m in members
    ]
    responses = at_once(app_and_key, calls)
    assert sorted(r.status_code for r in responses) == [201] * 10 + [409] * 20
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"coupons.out_of_stock"}
    assert len({r.json()["code"] for r in responses if r.status_code == 201}) == 10
    assert _template(fresh_engine, template["id"]) == (10, 0, 10)
