"""Coupons under concurrent requests, each in its own transaction with real commits on a fresh
database: a coupon is used once whatever the number of orders racing for it, and a template
never issues past its stock.

PostgreSQL only: SQLite takes one writer at a time (``BEGIN IMMEDIATE``), so nothing races.
"""

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from memberops.api.app import create_app
from memberops.kernel.db import make_session_factory
from memberops.kernel.settings import Settings
from memberops.loyalty.coupons.models import Coupon, CouponTemplate
from memberops.migrations import upgrade
from memberops.tenancy import service as tenancy
from memberops.tenancy.models import Role
from tests.api.support import PROBLEM_JSON, phone
from tests.conftest import _postgres_engine
from tests.loyalty.coupons.support import TEMPLATES, template_body

pytestmark = pytest.mark.postgres_only


@pytest.fixture(scope="module")
def fresh_engine() -> Iterator[Engine]:
    for engine in _postgres_engine():
        upgrade(engine)
        yield engine


@pytest.fixture
def app_and_key(fresh_engine: Engine) -> tuple[FastAPI, dict[str, str]]:
    settings = Settings(database_url="sqlite://", secret_key="test")
    with make_session_factory(fresh_engine)() as session, session.begin():
        created = tenancy.create_tenant(session, f"race-{uuid.uuid4().hex[:8]}", settings)
        key = tenancy.create_api_key(
            session, tenancy.principal_for(created, Role.admin, "test"), Role.admin
        )
    return create_app(settings, fresh_engine), {"Authorization": f"Bearer {key}"}


def _at_once(
    app: FastAPI, headers: dict[str, str], calls: list[tuple[str, Any]]
) -> list[httpx.Response]:
    barrier = threading.Barrier(len(calls))

    def post(call: tuple[str, Any]) -> httpx.Response:
        client = TestClient(app, raise_server_exceptions=False)
        barrier.wait()
        return client.post(call[0], json=call[1], headers=headers)

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(post, calls))


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
    fresh_engine: Engine, app_and_key: tuple[FastAPI, dict[str, str]]
) -> None:
    app, headers = app_and_key
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
        (f"/api/v1/coupons/{code}/redeem", {"order_id": f"T{n}", "order_amount": "150"})
        for n in range(20)
    ]
    responses = _at_once(app, headers, calls)
    assert sorted(r.status_code for r in responses) == [200] + [409] * 19
    (winner,) = (r.json() for r in responses if r.status_code == 200)
    for lost in (r for r in responses if r.status_code == 409):
        assert lost.headers["content-type"] == PROBLEM_JSON
        body = lost.json()
        assert (body["code"], body["coupon_code"]) == ("coupons.already_redeemed", code)
        assert body["redeemed_at"] == winner["redeemed_at"].replace("Z", "+00:00")
    assert _template(fresh_engine, template["id"]) == (1, 1, 1)
    replays = _at_once(
        app, headers, [(calls[0][0], {"order_id": winner["order_id"], "order_amount": "150"})] * 10
    )
    assert {r.status_code for r in replays} == {200}
    assert all(r.json() == winner for r in replays)
    assert _template(fresh_engine, template["id"]) == (1, 1, 1)


def test_thirty_issues_of_a_stock_of_ten_issue_ten(
    fresh_engine: Engine, app_and_key: tuple[FastAPI, dict[str, str]]
) -> None:
    app, headers = app_and_key
    template, members = _setup(app, headers, 30, stock=10)
    calls = [
        (f"/api/v1/members/{m}/coupons", {"template_id": int(template["id"])}) for m in members
    ]
    responses = _at_once(app, headers, calls)
    assert sorted(r.status_code for r in responses) == [201] * 10 + [409] * 20
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"coupons.out_of_stock"}
    assert len({r.json()["code"] for r in responses if r.status_code == 201}) == 10
    assert _template(fresh_engine, template["id"]) == (10, 0, 10)
