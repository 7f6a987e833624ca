"""Orders and refunds through the API: creation, idempotent replays (acceptance 1), conflicts,
refund limits, batches, money and time parsing."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.activity.support import ORDERS, order_body
from tests.api.support import MEMBERS, assert_invalid, assert_problem, snapshot


def _post(client: TestClient, admin: dict[str, str], body: Any) -> Any:
    response = client.post(ORDERS, json=body, headers=admin)
    assert response.status_code == 201, response.text
    return response.json()


def test_an_order_is_stored_in_cents_for_the_member_its_identities_name(
    client: TestClient, admin: dict[str, str]
) -> None:
    order = _post(client, admin, order_body())
    member = client.get(f"{MEMBERS}/{order['member_id']}", headers=admin).json()
    assert [(i["type"], i["value"]) for i in member["identities"]] == [("phone", "+8613800000000")]
    assert member["first_channel"] == "taobao"
    assert order["amount"] == "199.00"
    assert order["list_amount"] == "259.00"
    assert order["refunded"] == "0.00"
    assert order["status"] == "paid"
    assert order["paid_at"] == "2026-11-11T02:00:00Z"
    assert order["lines"][0]["unit_price"] == "99.50"
    assert order["lines"][0]["list_price"] == "129.50"
    fetched = client.get(f"{ORDERS}/T1001", headers=admin)
    assert fetched.status_code == 200
    assert fetched.json() == order


def test_replaying_an_order_changes_nothing(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    first = _post(client, admin, order_body())
    before = snapshot(session, tenant.tenant_id)
    for _ in range(3):
        again = client.post(ORDERS, json=order_body(amount="199"), headers=admin)
        assert again.status_code == 200
        assert again.json() == first
    assert snapshot(session, tenant.tenant_id) == before


def test_the_same_id_with_other_content_is_a_conflict_and_changes_nothing(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    _post(client, admin, order_body())
    before = snapshot(session, tenant.tenant_id)
    response = client.post(ORDERS, json=order_body(amount="198.00"), headers=admin)
    body = assert_problem(response, 409, "orders.conflict")
    assert body["external_id"] == "T1001"
    assert snapshot(session, tenant.tenant_id) == before


@pytest.mark.parametrize(
    ("text", "cents"), [("199.00", "199.00"), ("199", "199.00"), ("0.1", "0.10"), ("0", "0.00")]
)
def test_amounts_are_decimal_strings(
    client: TestClient, admin: dict[str, str], text: str, cents: str
) -> None:
    order = _post(client, admin, order_body(amount=text, list_amount=text))
    assert order["amount"] == cents


@pytest.mark.parametrize("amount", ["1.234", "-1", "abc", "", "1e3", "01.5", 1000, 19.9, None])
def test_bad_amounts_are_refused_and_change_nothing(
    client: TestClient,
    admin: dict[str, str],
    session: Session,
    tenant: Principal,
    amount: Any,
) -> None:
    before = snapshot(session, tenant.tenant_id)
    response = client.post(ORDERS, json=order_body(amount=amount), headers=admin)
    assert_invalid(response, ["body", "amount"])
    assert snapshot(session, tenant.tenant_id) == before


def test_a_naive_paid_at_and_a_zero_quantity_are_refused(
    client: TestClient, admin: dict[str, str]
) -> None:
    naive = client.post(ORDERS, json=order_body(paid_at="2026-11-11T10:00:00"), headers=admin)
    assert_invalid(naive, ["body", "paid_at"])
    line = {**order_body()["lines"][0], "quantity": 0}
    zero = client.post(ORDERS, json=order_body(lines=[line]), headers=admin)
    assert_invalid(zero, ["body", "lines", 0, "quantity"])


def test_refunds_are_idempotent_and_never_exceed_the_paid_amount(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    _post(client, admin, order_body())
    url = f"{ORDERS}/T1001/refunds"
    first = client.post(url, json={"refund_id": "R1", "amount": "50.00"}, headers=admin)
    assert first.status_code == 201, first.text
    assert first.json()["order"]["refunded"] == "50.00"
    assert first.json()["order"]["status"] == "partially_refunded"
    before = snapshot(session, tenant.tenant_id)
    for _ in range(3):
        again = client.post(url, json={"refund_id": "R1", "amount": "50"}, headers=admin)
        assert again.status_code == 200
        assert again.json()["amount"] == "50.00"
    assert snapshot(session, tenant.tenant_id) == before
    conflict = client.post(url, json={"refund_id": "R1", "amount": "40.00"}, headers=admin)
    assert_problem(conflict, 409, "refunds.conflict")
    too_much = client.post(url, json={"refund_id": "R2", "amount": "149.01"}, headers=admin)
    assert assert_problem(too_much, 409, "orders.refund_exceeds")["remaining"] == "149.00"
    assert snapshot(session, tenant.tenant_id) == before
    rest = client.post(url, json={"refund_id": "R3", "reason": "退货"}, headers=admin)
    assert rest.status_code == 201
    assert rest.json()["amount"] == "149.00"
    assert rest.json()["order"]["status"] == "refunded"
    nothing_left = client.post(url, json={"refund_id": "R4"}, headers=admin)
    assert_problem(nothing_left, 409, "orders.refund_exceeds")
    missing = client.post(f"{ORDERS}/nope/refunds", json={"refund_id": "R1"}, headers=admin)
    assert_problem(missing, 404, "orders.not_found")


def test_a_batch_stores_the_good_orders_and_answers_each_bad_one(
    client: TestClient, admin: dict[str, str]
) -> None:
    _post(client, admin, order_body("T0"))
    items = [
        order_body("T1"),
        order_body("T2", amount="1.234"),
        order_body("T0", amount="1.00"),
        order_body("T3", phone="13900000000"),
        order_body("T0"),
    ]
    response = client.post(f"{ORDERS}:batch", json={"items": items}, headers=admin)
    assert response.status_code == 200, response.text
    answers = response.json()["items"]
    assert [a["status"] for a in answers] == [201, 422, 409, 201, 200]
    assert answers[1]["problem"]["code"] == "request.invalid"
    assert answers[1]["problem"]["errors"][0]["loc"] == ["amount"]
    assert answers[2]["problem"]["code"] == "orders.conflict"
    assert answers[0]["body"]["external_id"] == "T1"
    for external_id, status in (("T1", 200), ("T2", 404), ("T3", 200)):
        assert client.get(f"{ORDERS}/{external_id}", headers=admin).status_code == status


def test_a_member_pages_through_its_orders_newest_first(
    client: TestClient, admin: dict[str, str]
) -> None:
    member_id = _post(client, admin, order_body("T0"))["member_id"]
    for n in (1, 2):
        _post(client, admin, order_body(f"T{n}"))
    page = client.get(f"{MEMBERS}/{member_id}/orders", params={"limit": 2}, headers=admin).json()
    assert [o["external_id"] for o in page["items"]] == ["T2", "T1"]
    rest = client.get(
        f"{MEMBERS}/{member_id}/orders", params={"cursor": page["next_cursor"]}, headers=admin
    ).json()
    assert [o["external_id"] for o in rest["items"]] == ["T0"]
    assert rest["next_cursor"] is None


def test_addresses_and_payment_accounts_are_masked_for_analysts(
    client: TestClient, headers: dict[Role, dict[str, str]]
) -> None:
    address = {"name": "张三丰", "phone": "+8613812345678", "city": "杭州", "detail": "西湖区1号"}
    body = order_body(shipping_address=address, payment_account="alice@alipay")
    _post(client, headers[Role.admin], body)
    shown = client.get(f"{ORDERS}/T1001", headers=headers[Role.analyst]).json()
    assert shown["shipping_address"] == {
        "name": "张**",
        "phone": "+86138****5678",
        "province": None,
        "city": "杭州",
        "district": None,
        "detail": "西湖***",
    }
    assert shown["payment_account"] == "al***"
