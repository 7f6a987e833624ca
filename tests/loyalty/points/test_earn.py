"""Earning on OrderPaid, rule by rule, with exact figures; tier, member day, channel,
campaign, caps and the first-order bonus."""

from fastapi.testclient import TestClient

from tests.loyalty.points.support import balance, order, points, set_rules


def test_an_order_earns_a_point_per_yuan_and_the_first_one_a_bonus(
    client: TestClient, admin: dict[str, str]
) -> None:
    member = order(client, admin, "T1", "199.99")
    got = points(client, admin, member)
    assert got["balance"] == 299
    assert [(e["kind"], e["points"], e["balance_after"]) for e in got["history"]] == [
        ("bonus", 100, 299),
        ("earn", 199, 199),
    ]
    assert got["history"][1]["order_id"] == "T1"
    assert [(lot["points"], lot["remaining"]) for lot in got["lots"]] == [(199, 199), (100, 100)]
    assert got["lots"][0]["expires_at"] == "2027-11-11T04:00:00Z"
    order(client, admin, "T2", "50")
    assert balance(client, admin, member) == 349


def test_a_gold_member_earns_its_multiplier_from_the_qualifying_order_on(
    client: TestClient, admin: dict[str, str]
) -> None:
    member = order(client, admin, "T1", "2000")  # qualifies for gold: x1.2 at once
    assert balance(client, admin, member) == 2400 + 100
    order(client, admin, "T2", "10.50")  # 12.6 -> 12
    assert balance(client, admin, member) == 2512


def test_the_member_day_is_the_local_day_of_payment(
    client: TestClient, admin: dict[str, str]
) -> None:
    """The 18th begins at 16:00 UTC on the 17th in Asia/Shanghai, but not in UTC."""
    member = order(client, admin, "T0", "1")  # the first-order bonus out of the way
    order(client, admin, "T1", "100", paid_at="2026-11-17T16:30:00Z")
    assert balance(client, admin, member) == 101 + 200
    response = client.patch("/api/v1/tenant", json={"timezone": "UTC"}, headers=admin)
    assert response.status_code == 200, response.text
    order(client, admin, "T2", "100", paid_at="2026-11-17T16:30:00Z")
    order(client, admin, "T3", "100", paid_at="2026-11-18T00:30:00Z")
    assert balance(client, admin, member) == 301 + 100 + 200


def test_mobile_channels_earn_double_and_campaigns_their_largest_multiplier(
    client: TestClient, admin: dict[str, str]
) -> None:
    member = order(client, admin, "T1", "100", channel="mini_program")
    assert balance(client, admin, member) == 200 + 100
    window = {"starts_at": "2026-11-01T00:00:00+08:00", "ends_at": "2026-11-12T00:00:00+08:00"}
    set_rules(
        client,
        admin,
        campaigns=[
            {"name": "双11", "multiplier": "3", **window},
            {"name": "tmall only", "multiplier": "5", "channels": ["tmall"], **window},
            {"name": "small", "multiplier": "1.5", **window},
        ],
    )
    order(client, admin, "T2", "100")  # taobao: x3
    order(client, admin, "T3", "100", channel="mini_program")  # x2 x3
    order(client, admin, "T4", "100", paid_at="2026-11-12T00:00:00+08:00")  # after the window
    assert balance(client, admin, member) == 300 + 300 + 600 + 100


def test_caps_limit_an_order_and_a_local_day(client: TestClient, admin: dict[str, str]) -> None:
    set_rules(client, admin, max_points_per_order=150, max_points_per_day=250)
    member = order(client, admin, "T1", "199")  # 150, plus the bonus (outside the caps)
    order(client, admin, "T2", "199", paid_at="2026-11-11T23:59:00+08:00")  # 100 left today
    order(client, admin, "T3", "199", paid_at="2026-11-12T00:00:00+08:00")  # a new day: 150
    order(client, admin, "T4", "10", paid_at="2026-11-11T08:00:00+08:00")  # day spent: 0
    got = points(client, admin, member)
    assert got["balance"] == 150 + 100 + 100 + 150
    assert [e["points"] for e in got["history"] if e["kind"] == "earn"] == [150, 100, 150]


def test_historical_orders_earn_nothing(client: TestClient, admin: dict[str, str]) -> None:
    body = {
        "items": [
            {
                "external_id": "H1",
                "member": {"identities": [{"type": "phone", "value": "13800000000"}]},
                "channel": "taobao",
                "paid_at": "2025-01-01T10:00:00+08:00",
                "amount": "500",
            }
        ]
    }
    response = client.post("/api/v1/orders:batch", json=body, headers=admin)
    assert response.status_code == 200, response.text
    member = response.json()["items"][0]["body"]["member_id"]
    assert balance(client, admin, member) == 500 + 100  # live, not historical: it earns
