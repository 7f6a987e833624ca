"""A referral across the rest of the member's life: history loaded in bulk rewards nothing,
merges carry a referrer's code and referrals to the survivor (and undo carries them back),
and on PostgreSQL two first orders at once reward once."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from memberops.activity.bulk import record_orders
from memberops.activity.models import Order
from memberops.activity.schemas import OrderCreate
from memberops.growth.models import Referral
from memberops.growth.referrals import reward_first_order
from memberops.kernel import clock
from memberops.kernel.db import make_session_factory
from memberops.loyalty.points.models import PointsEntry
from memberops.tenancy.access import Principal
from tests.activity.support import order_body
from tests.api.support import MEMBERS
from tests.growth.support import invite_code, join, order, referral_points, sign_up
from tests.races import Call, Racer, at_once

NOW = datetime(2026, 11, 12, 2, 0, tzinfo=UTC)


@pytest.fixture
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _status(client: TestClient, admin: dict[str, str], member_id: str) -> tuple[str, str | None]:
    (referral,) = client.get(f"{MEMBERS}/{member_id}/referrals", headers=admin).json()
    return referral["status"], referral["reason"]


@pytest.mark.usefixtures("_clock")
def test_history_loaded_in_bulk_rewards_nothing(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    referrer = sign_up(client, admin, "13800000001")
    code = invite_code(client, admin, referrer)
    newcomer = join(client, admin, "13800000002", invite_code=code)["member"]["id"]
    past = OrderCreate.model_validate(order_body("OLD", "13800000002"))
    with session.begin():
        record_orders(session, tenant, [past])
    assert _status(client, admin, newcomer) == ("pending", None)
    order(client, admin, "N1", "13800000002")
    assert _status(client, admin, newcomer) == ("refused", "not_first_order")
    assert referral_points(session, tenant.tenant_id, referrer) == []


@pytest.mark.usefixtures("_clock")
def test_the_first_order_is_the_earliest_paid_not_the_first_stored(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    """A batch can hold a newcomer's first order and a later one before either decides the
    referral: the earliest paid is the first, whichever is asked about."""
    referrer = sign_up(client, admin, "13800000001")
    code = invite_code(client, admin, referrer)
    newcomer = join(client, admin, "13800000002", invite_code=code)["member"]["id"]
    later = order_body("SECOND", "13800000002", paid_at="2026-11-12T09:00:00+08:00")
    first = order_body("FIRST", "13800000002", paid_at="2026-11-11T10:00:00+08:00")
    with session.begin():
        record_orders(session, tenant, [OrderCreate.model_validate(b) for b in (later, first)])
        ids = dict(session.execute(select(Order.external_id, Order.id)).all())
    assert ids["SECOND"] < ids["FIRST"]  # stored in the batch's order, the later paid first
    with session.begin():
        refused = reward_first_order(session, tenant, int(newcomer), ids["SECOND"])
        assert refused is not None
        assert refused.reason == "not_first_order"
    assert _status(client, admin, newcomer) == ("refused", "not_first_order")
    with session.begin():
        session.execute(update(Referral).values(status="pending", reason=None, decided_at=None))
        rewarded = reward_first_order(session, tenant, int(newcomer), ids["FIRST"])
        assert rewarded is not None
    assert _status(client, admin, newcomer) == ("rewarded", None)
    assert referral_points(session, tenant.tenant_id, referrer) != []


@pytest.mark.usefixtures("_clock")
def test_a_merged_referrer_keeps_its_code_and_referrals_with_the_survivor(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    older = order(client, admin, "B1", "13900000009")["member_id"]  # an older customer
    phone_of_older = {"type": "phone", "value": "13900000009"}
    referrer = sign_up(client, admin, "13800000001")
    code = invite_code(client, admin, referrer)
    newcomer = join(client, admin, "13800000002", invite_code=code)["member"]["id"]
    link = {"identities": [{"type": "phone", "value": "13800000001"}, phone_of_older]}
    merged = client.post(MEMBERS, json=link, headers=admin).json()
    assert (merged["id"], len(merged["merged"])) == (older, 1)
    survivor_invite = client.get(f"{MEMBERS}/{older}/invite", headers=admin).json()
    assert (survivor_invite["code"], survivor_invite["pending"]) == (code, 1)
    order(client, admin, "N1", "13800000002")
    assert _status(client, admin, newcomer) == ("rewarded", None)
    (entry,) = referral_points(session, tenant.tenant_id, older)
    assert entry[1] == 500
    undone = client.post(f"/api/v1/merges/{merged['merged'][0]}/undo", headers=admin)
    assert undone.status_code == 200, undone.text
    back = client.get(f"{MEMBERS}/{referrer}/invite", headers=admin).json()
    assert (back["code"], back["rewarded"]) == (code, 1)


@pytest.mark.postgres_only
def test_two_first_orders_at_once_reward_once(fresh_engine: Engine, app_and_key: Racer) -> None:
    app, headers, tenant = app_and_key
    client = TestClient(app)
    referrer = sign_up(client, headers, "13800000001")
    code = invite_code(client, headers, referrer)
    newcomer = join(client, headers, "13800000002", invite_code=code)["member"]["id"]
    calls = [Call("/api/v1/orders", order_body(f"N{n}", "13800000002")) for n in range(4)]
    assert [r.status_code for r in at_once(app_and_key, calls)] == [201] * 4
    with make_session_factory(fresh_engine)() as session:
        referral = session.scalars(select(Referral).where(Referral.tenant_id == tenant)).one()
        keys = session.scalars(
            select(PointsEntry.dedupe_key).where(
                PointsEntry.tenant_id == tenant, PointsEntry.dedupe_key.like("referral:%")
            )
        ).all()
    assert (referral.status, referral.reason, str(referral.newcomer_id)) == (
        "rewarded",
        None,
        newcomer,
    )
    assert sorted(str(k) for k in keys) == [
        f"referral:{referral.id}:newcomer",
        f"referral:{referral.id}:referrer",
    ]
