"""Purchase, renewal and refund of benefit cards through the API: points through the ledger,
money recorded with its reference, idempotent replays, and every refusal leaving the database
as it was."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from memberops.kernel import clock
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.api.support import assert_problem, snapshot
from tests.loyalty.cards.support import (
    CARDS,
    NOW,
    act,
    balance,
    benefits,
    bought,
    buy,
    combined,
    coupons,
    holdings,
    make_card,
    make_member,
    make_template,
    order,
    run_daily,
)
from tests.loyalty.coupons.support import redeem

PLUS_END = "2026-12-11T04:00:00Z"


def test_a_points_purchase_spends_through_the_ledger_once_per_key(
    client: TestClient, admin: dict[str, str]
) -> None:
    card = make_card(client, admin)
    member = make_member(client, admin, points=1500)
    opening = balance(client, admin, member)
    first = buy(client, admin, member, card["id"], key="buy-1")
    again = buy(client, admin, member, card["id"], key="buy-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    holding = first.json()
    assert (holding["card_code"], holding["status"], holding["valid"]) == ("plus", "active", True)
    (payment,) = holding["payments"]
    assert (payment["kind"], payment["price_kind"], payment["points"], payment["amount"]) == (
        "purchase",
        "points",
        1000,
        "0.00",
    )
    assert (payment["period_starts_at"], payment["period_ends_at"]) == (
        "2026-11-11T04:00:00Z",
        PLUS_END,
    )
    assert balance(client, admin, member) == opening - 1000
    history = client.get(f"/api/v1/members/{member}/points", headers=admin).json()["history"]
    assert (history[0]["kind"], history[0]["points"], history[0]["reference"]) == (
        "redeem",
        -1000,
        f"benefit_card:{holding['id']}",
    )
    other = buy(client, admin, member, card["id"], key="buy-1", payment_reference="x")
    assert_problem(other, 409, "idempotency.key_reused")


def test_refusals_change_nothing(
    client: TestClient,
    admin: dict[str, str],
    headers: dict[Role, dict[str, str]],
    session: Session,
    tenant: Principal,
) -> None:
    card = make_card(client, admin)
    paid = make_card(client, admin, code="black", price_kind="money", price="99", price_points=None)
    member = make_member(client, admin, points=500)
    before = snapshot(session, tenant.tenant_id)
    short = assert_problem(buy(client, admin, member, card["id"]), 409, "points.insufficient")
    assert short["requested"] == 1000
    assert_problem(buy(client, admin, member, paid["id"]), 422, "cards.payment_mismatch")
    with_reference = buy(client, admin, member, card["id"], payment_reference="wx-1")
    assert_problem(with_reference, 422, "cards.payment_mismatch")
    assert_problem(buy(client, admin, member, "999999"), 404, "cards.type_not_found")
    assert_problem(buy(client, admin, "999999", card["id"]), 404, "members.not_found")
    assert_problem(buy(client, headers[Role.analyst], member, card["id"]), 403, "auth.forbidden")
    missing_key: Any = client.post(
        f"/api/v1/members/{member}/benefit-cards", json={"card_type_id": 1}, headers=admin
    )
    assert_problem(missing_key, 422, "request.invalid")
    client.patch(f"{CARDS}/{paid['id']}", json={"active": False}, headers=admin)
    archived = buy(client, admin, member, paid["id"], payment_reference="wx-2")
    assert_problem(archived, 409, "cards.type_archived")
    client.patch(f"{CARDS}/{paid['id']}", json={"active": True}, headers=admin)
    assert snapshot(session, tenant.tenant_id) == {
        **before,
        "audit_log": snapshot(session, tenant.tenant_id)["audit_log"],  # the two patches
    }


def test_a_money_card_records_its_payment_and_a_second_one_is_refused(
    client: TestClient, admin: dict[str, str], headers: dict[Role, dict[str, str]]
) -> None:
    card = make_card(client, admin, price_kind="money", price="99.00", price_points=None)
    member = make_member(client, admin)
    opening = balance(client, admin, member)
    response = buy(client, headers[Role.pos], member, card["id"], payment_reference="wx-42")
    assert response.status_code == 201, response.text
    (payment,) = response.json()["payments"]
    assert (payment["amount"], payment["points"], payment["payment_reference"]) == (
        "99.00",
        0,
        "wx-42",
    )
    assert balance(client, admin, member) == opening
    held = assert_problem(
        buy(client, admin, member, card["id"], payment_reference="wx-43"), 409, "cards.already_held"
    )
    assert held["holding_id"] == response.json()["id"]


def test_renewal_runs_on_from_the_end_while_valid_and_from_now_after_a_lapse(
    client: TestClient,
    admin: dict[str, str],
    session_factory: sessionmaker[Session],
    tenant: Principal,
) -> None:
    card = make_card(client, admin)
    member = make_member(client, admin, points=5000)
    opening = balance(client, admin, member)
    holding = bought(client, admin, member, card["id"])
    clock.advance(timedelta(days=10))
    renewed = act(client, admin, member, holding["id"], "renew", key="renew-1")
    assert renewed.status_code == 201, renewed.text
    assert (renewed.json()["starts_at"], renewed.json()["ends_at"]) == (
        "2026-11-11T04:00:00Z",
        "2027-01-10T04:00:00Z",  # 30 days after the first term's end
    )
    assert act(client, admin, member, holding["id"], "renew", key="renew-1").status_code == 200
    assert balance(client, admin, member) == opening - 2000
    assert [p["kind"] for p in renewed.json()["payments"]] == ["purchase", "renewal"]
    assert renewed.json()["payments"][1]["period_starts_at"] == PLUS_END

    clock.advance(timedelta(days=70))  # past the end; the job lapses it
    assert run_daily(session_factory, tenant).lapsed == 1
    again = act(client, admin, member, holding["id"], "renew")
    assert again.status_code == 201, again.text
    now = clock.now().isoformat().replace("+00:00", "Z")
    assert (again.json()["status"], again.json()["valid"], again.json()["starts_at"]) == (
        "active",
        True,
        now,
    )
    assert again.json()["lapsed_at"] is None
    assert combined(benefits(client, admin, member))[2] == Decimal("2")
    assert balance(client, admin, member) == opening - 3000


def test_buying_again_after_the_end_lapses_the_old_holding_first(
    client: TestClient, admin: dict[str, str]
) -> None:
    card = make_card(client, admin)
    member = make_member(client, admin, points=5000)
    first = bought(client, admin, member, card["id"])
    clock.advance(timedelta(days=30))  # the end instant, no job run
    second = bought(client, admin, member, card["id"])
    assert [(h["id"], h["status"], h["valid"]) for h in holdings(client, admin, member)] == [
        (second["id"], "active", True),
        (first["id"], "lapsed", False),
    ]
    renew_old = act(client, admin, member, first["id"], "renew")
    assert_problem(renew_old, 409, "cards.already_held")


def test_an_unused_points_card_is_refunded_and_its_coupons_expire(
    client: TestClient, admin: dict[str, str], headers: dict[Role, dict[str, str]]
) -> None:
    template = make_template(client, admin)
    monthly = {"points_multiplier": "1.5", "monthly_coupons": [{"template_id": template}]}
    card = make_card(client, admin, benefits=monthly)
    member = make_member(client, admin, points=1000)
    opening = balance(client, admin, member)
    holding = bought(client, admin, member, card["id"])
    pos = act(client, headers[Role.pos], member, holding["id"], "refund", reason="changed mind")
    assert_problem(pos, 403, "auth.forbidden")
    refunded = act(client, admin, member, holding["id"], "refund", key="r-1", reason="changed mind")
    assert refunded.status_code == 201, refunded.text
    answer = refunded.json()
    assert (answer["status"], answer["valid"], answer["refund_reason"]) == (
        "refunded",
        False,
        "changed mind",
    )
    assert answer["payments"][0]["refunded_at"] == "2026-11-11T04:00:00Z"
    assert balance(client, admin, member) == opening
    assert [c["status"] for c in coupons(client, admin, member)] == ["expired"]
    replay = act(client, admin, member, holding["id"], "refund", key="r-1", reason="changed mind")
    assert (replay.status_code, replay.json()) == (200, answer)
    assert balance(client, admin, member) == opening
    assert_problem(
        act(client, admin, member, holding["id"], "refund", reason="again"),
        409,
        "cards.not_refundable",
    )
    assert_problem(act(client, admin, member, holding["id"], "renew"), 409, "cards.not_renewable")
    assert combined(benefits(client, admin, member)) == (Decimal("1"), False, Decimal("1"))


def test_a_used_card_is_not_refunded(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    template = make_template(client, admin)
    monthly = {"monthly_coupons": [{"template_id": template}]}
    card = make_card(client, admin, benefits=monthly)
    coupon_user = make_member(client, admin, "13800000001", points=1000)
    buyer = make_member(client, admin, "13800000002", points=1000)
    by_coupon = bought(client, admin, coupon_user, card["id"])
    by_order = bought(client, admin, buyer, card["id"])
    (coupon,) = coupons(client, admin, coupon_user)
    assert redeem(client, admin, coupon["code"], "o-1", "50").status_code == 200
    order(client, admin, "o-2", "80.00", NOW + timedelta(hours=1), number="13800000002")
    clock.advance(timedelta(hours=2))
    before = snapshot(session, tenant.tenant_id)
    used = act(client, admin, coupon_user, by_coupon["id"], "refund", reason="r")
    assert (assert_problem(used, 409, "cards.used")["coupons_redeemed"]) == 1
    used = act(client, admin, buyer, by_order["id"], "refund", reason="r")
    body = assert_problem(used, 409, "cards.used")
    assert (body["coupons_redeemed"], body["orders"]) == (0, 1)
    assert snapshot(session, tenant.tenant_id) == before  # the coupon stayed issued, too
    # An order returned in full has used nothing: the card is refundable again.
    refund = {"refund_id": "rf-1", "amount": "80.00"}
    assert client.post("/api/v1/orders/o-2/refunds", json=refund, headers=admin).status_code == 201
    assert act(client, admin, buyer, by_order["id"], "refund", reason="r").status_code == 201


def test_free_and_money_refunds(client: TestClient, admin: dict[str, str]) -> None:
    free = make_card(client, admin, code="trial", price_kind="free", price_points=None)
    paid = make_card(client, admin, code="black", price_kind="money", price="99", price_points=None)
    member = make_member(client, admin)
    trial = bought(client, admin, member, free["id"])
    assert trial["payments"][0]["price_kind"] == "free"
    refused = assert_problem(
        act(client, admin, member, trial["id"], "refund", reason="r"), 409, "cards.not_refundable"
    )
    assert (refused["holding_status"], refused["price_kind"]) == ("active", "free")
    black = buy(client, admin, member, paid["id"], payment_reference="wx-9").json()
    money = act(client, admin, member, black["id"], "refund", reason="r").json()
    assert (money["status"], money["payments"][0]["amount"]) == ("refunded", "99.00")
    assert money["payments"][0]["refunded_at"] == "2026-11-11T04:00:00Z"
    other = act(client, admin, member, "999999", "refund", reason="r")
    assert_problem(other, 404, "cards.holding_not_found")


def test_another_tenant_sees_nothing(
    client: TestClient, admin: dict[str, str], other_headers: dict[Role, dict[str, str]]
) -> None:
    card = make_card(client, admin)
    member = make_member(client, admin, points=1000)
    holding = bought(client, admin, member, card["id"])
    rival = other_headers[Role.admin]
    unseen: Any = client.get(f"{CARDS}/{card['id']}", headers=rival)
    assert_problem(unseen, 404, "cards.type_not_found")
    assert_problem(buy(client, rival, member, card["id"]), 404, "members.not_found")
    refund = act(client, rival, member, holding["id"], "refund", reason="r")
    assert_problem(refund, 404, "members.not_found")
    assert client.get(CARDS, headers=rival).json()["items"] == []
