"""A ladder change re-evaluating every member while their orders arrive, each request in its
own transaction with real commits: every member moves exactly once, nobody is placed twice,
no request fails.

PostgreSQL only: SQLite takes one writer at a time (``BEGIN IMMEDIATE``), so nothing races.
"""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from memberops.kernel.db import make_session_factory
from memberops.loyalty.tiers.models import TierChange
from memberops.loyalty.tiers.rules import TierLadder
from tests.activity.support import ORDERS, order_body
from tests.loyalty.tiers.support import TIERS
from tests.races import Call, Racer, at_once

pytestmark = pytest.mark.postgres_only
BUYERS = 6  # four orders each, their fifth sent in the race
NEWCOMERS = 4  # registered without orders, their first (gold) order sent in the race


def test_a_ladder_change_racing_orders_moves_each_member_once(
    fresh_engine: Engine, app_and_key: Racer
) -> None:
    app, headers, tenant_id = app_and_key
    setup = TestClient(app)
    for n in range(BUYERS):
        for i in range(4):
            body = order_body(f"B{n}-{i}", f"1380000010{n}", amount="10.00")
            assert setup.post(ORDERS, json=body, headers=headers).status_code == 201
    for n in range(NEWCOMERS):
        member = {"identities": [{"type": "phone", "value": f"1380000020{n}"}]}
        assert setup.post("/api/v1/members", json=member, headers=headers).status_code == 201
    ladder = TierLadder().model_dump(mode="json")
    ladder["levels"][1]["qualify_orders"] = 4  # every buyer qualifies for gold
    calls = [Call(TIERS, ladder, "PUT")]
    calls += [Call(ORDERS, order_body(f"B{n}-4", f"1380000010{n}")) for n in range(BUYERS)]
    calls += [
        Call(ORDERS, order_body(f"N{n}", f"1380000020{n}", amount="2000.00"))
        for n in range(NEWCOMERS)
    ]
    statuses = [r.status_code for r in at_once(app_and_key, calls)]
    assert statuses == [200] + [201] * (BUYERS + NEWCOMERS)

    with make_session_factory(fresh_engine)() as session:
        rows = session.execute(
            select(TierChange.member_id, TierChange.kind, TierChange.from_tier, TierChange.to_tier)
            .where(TierChange.tenant_id == tenant_id)
            .order_by(TierChange.id)
        ).all()
    history: dict[int, list[tuple[str, str | None, str]]] = {}
    for member_id, *change in rows:
        history.setdefault(member_id, []).append(tuple(change))  # type: ignore[arg-type]
    assert len(history) == BUYERS + NEWCOMERS
    allowed = (
        [("joined", None, "silver"), ("upgrade", "silver", "gold")],
        [("joined", None, "gold")],
    )
    assert all(changes in allowed for changes in history.values()), history
    assert TestClient(app).get(f"{TIERS}/distribution", headers=headers).json()["levels"][1] == {
        "code": "gold",
        "name": "金卡会员",
        "members": BUYERS + NEWCOMERS,
    }
