"""The report's effect: each entry's orders in the attribution window after it entered, the
treated entries against the holdout, with the campaigns' uplift statistics; worked through the
API on a journey that half the members are held out of."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.campaigns.uplift import Group, compare
from memberops.journeys.models import JourneyPosition, PositionStatus
from memberops.kernel import clock
from tests.api.support import assert_invalid, crm, upsert
from tests.journeys.support import NOW

JOURNEYS = "/api/v1/journeys"
ORDERS = "/api/v1/orders"
STEPS = [{"type": "wait", "days": 30}]


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _order(client: TestClient, admin: dict[str, str], n: int, days: float, amount: str) -> str:
    """Member ``n`` pays ``amount`` yuan ``days`` after entering; the order's external id."""
    body = {
        "external_id": f"T{n}-{days}",
        "member": {"identities": [crm(f"m{n}")]},
        "channel": "pos",
        "paid_at": (NOW + timedelta(days=days)).isoformat(),
        "amount": amount,
        "lines": [{"sku": "A1", "name": "茶", "unit_price": amount, "quantity": 1}],
    }
    response = client.post(ORDERS, json=body, headers=admin)
    assert response.status_code in (200, 201), response.text
    return str(body["external_id"])


def test_treated_entries_against_the_holdout_in_the_window(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    """Forty sign-ups; every even member pays 100.00 a day after entering, every fourth also
    pays 50.00 ten days after (outside a 7-day window), and member 2 refunds theirs in full
    (no conversion, no revenue). Expected figures are counted from who was held out."""
    body = {"name": "welcome", "trigger": {"type": "member_registered"}, "steps": STEPS}
    created = client.post(JOURNEYS, json=body | {"holdout_percent": 50}, headers=admin).json()
    url = f"{JOURNEYS}/{created['id']}"
    client.post(url + ":activate", headers=admin)
    ids = {n: upsert(client, admin, crm(f"m{n}"))["id"] for n in range(40)}
    for n in range(0, 40, 2):
        external_id = _order(client, admin, n, 1, "100.00")
        if n == 2:
            refund = {"refund_id": "R2", "amount": "100.00"}
            answer = client.post(f"{ORDERS}/{external_id}/refunds", json=refund, headers=admin)
            assert answer.status_code in (200, 201), answer.text
        if n % 4 == 0:
            _order(client, admin, n, 10, "50.00")
    with session.begin():
        held_ids = set(
            session.scalars(
                select(JourneyPosition.member_id).where(
                    JourneyPosition.status == PositionStatus.holdout
                )
            )
        )
    groups = {}
    for held in (False, True):
        members = [n for n, i in ids.items() if (int(i) in held_ids) == held]
        buyers = [n for n in members if n % 2 == 0 and n != 2]
        groups[held] = Group(len(members), len(buyers), 10_000 * len(buyers))
    assert 0 < groups[True].members < 40  # the hash held some out, not all

    effect = client.get(url + "/report", headers=admin).json()["effect"]
    assert effect["attribution_days"] == 7
    for name, held in (("treated", False), ("holdout", True)):
        group = groups[held]
        assert effect[name] == {
            "entries": group.members,
            "converted": group.conversions,
            "conversion_rate": pytest.approx(group.rate),
            "revenue": f"{group.revenue_cents // 100}.00",
        }
    expected = compare(groups[False], groups[True])
    assert expected is not None
    assert effect["uplift"]["difference"] == pytest.approx(expected.difference)
    assert (effect["uplift"]["low"], effect["uplift"]["high"]) == (
        pytest.approx(expected.low),
        pytest.approx(expected.high),
    )

    longer = client.get(url + "/report", params={"attribution_days": 30}, headers=admin).json()
    fourth = sum(1 for n, i in ids.items() if n % 4 == 0 and int(i) not in held_ids)
    assert longer["effect"]["treated"]["converted"] == groups[False].conversions
    assert longer["effect"]["treated"]["revenue"] == (
        f"{(groups[False].revenue_cents + 5_000 * fourth) // 100}.00"
    )
    wrong = client.get(url + "/report", params={"attribution_days": 0}, headers=admin)
    assert_invalid(wrong, ["query", "attribution_days"])
