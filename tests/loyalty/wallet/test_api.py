"""The stored-value API end to end: top-ups with the bonus tiers, spends against orders,
adjustments, the rules, the entries page, and every refusal as a problem document that
changes nothing."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.tenancy.access import Principal
from memberops.tenancy.models import AuditEntry, Role
from tests.api.support import assert_invalid, assert_problem, snapshot
from tests.loyalty.wallet.support import (
    LIABILITY,
    RULES,
    adjust,
    ledger_totals,
    order,
    refund,
    set_tiers,
    spend,
    stored_value,
    top_up,
)

Headers = dict[Role, dict[str, str]]


def test_a_top_up_gets_the_bonus_of_the_highest_tier_it_reaches(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    member = order(client, admin, "T1", "10")
    set_tiers(client, admin, ("500", "40"), ("1000", "100"))
    answers = [top_up(client, admin, member, amount) for amount in ("1000", "600", "499.99")]
    assert [r.status_code for r in answers] == [201, 201, 201]
    assert [(r.json()["amount"], r.json()["bonus"], r.json()["balance"]) for r in answers] == [
        ("1000.00", "100.00", "1100.00"),
        ("600.00", "40.00", "1740.00"),
        ("499.99", "0.00", "2239.99"),
    ]
    shown = stored_value(client, admin, member)
    assert (shown["balance"], shown["principal"], shown["bonus"]) == (
        "2239.99",
        "2099.99",
        "140.00",
    )
    kinds = [(e["kind"], e["principal"], e["bonus"], e["balance_after"]) for e in shown["entries"]]
    assert kinds == [
        ("top_up", "499.99", "0.00", "2239.99"),
        ("bonus", "0.00", "40.00", "1740.00"),
        ("top_up", "600.00", "0.00", "1700.00"),
        ("bonus", "0.00", "100.00", "1100.00"),
        ("top_up", "1000.00", "0.00", "1000.00"),
    ]
    assert ledger_totals(session, tenant.tenant_id, int(member)) == (
        209_999,
        14_000,
        209_999,
        14_000,
    )


def test_the_rules_default_to_no_bonus_and_refuse_nonsense(
    client: TestClient, headers: Headers
) -> None:
    admin = headers[Role.admin]
    assert client.get(RULES, headers=headers[Role.analyst]).json() == {"bonus_tiers": []}
    twice = {"bonus_tiers": [{"min_amount": "100", "bonus": "5"}] * 2}
    assert_problem(client.put(RULES, json=twice, headers=admin), 422, "request.invalid")
    nothing = {"bonus_tiers": [{"min_amount": "100", "bonus": "0"}]}
    assert_problem(client.put(RULES, json=nothing, headers=admin), 422, "request.invalid")
    number = {"bonus_tiers": [{"min_amount": 100, "bonus": "5"}]}
    assert_invalid(
        client.put(RULES, json=number, headers=admin), ["body", "bonus_tiers", 0, "min_amount"]
    )
    good = {"bonus_tiers": [{"min_amount": "100", "bonus": "5"}]}
    assert_problem(
        client.put(RULES, json=good, headers=headers[Role.operator]), 403, "auth.forbidden"
    )
    assert client.get(RULES, headers=admin).json() == {"bonus_tiers": []}
    assert client.put(RULES, json=good, headers=admin).json() == {
        "bonus_tiers": [{"min_amount": "100.00", "bonus": "5.00"}]
    }


def test_a_spend_takes_both_parts_in_proportion_and_a_replay_changes_nothing(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    member = order(client, admin, "T1", "300")
    set_tiers(client, admin, ("1000", "100"))
    top_up(client, admin, member, "1000")
    first = spend(client, admin, member, "T1", "220", key="pay-T1")
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["order_id"], body["amount"], body["from_principal"], body["from_bonus"]) == (
        "T1",
        "220.00",
        "200.00",
        "20.00",
    )
    assert body["balance"] == "880.00"
    again = spend(client, admin, member, "T1", "220", key="pay-T1")
    assert (again.status_code, again.json()) == (200, body)
    other = spend(client, admin, member, "T1", "10", key="pay-T1")
    assert_problem(other, 409, "idempotency.key_reused")
    assert stored_value(client, admin, member)["entries"][0]["order_id"] == "T1"
    assert ledger_totals(session, tenant.tenant_id, int(member)) == (80_000, 8_000, 80_000, 8_000)


def test_every_refused_spend_is_a_problem_and_changes_nothing(
    client: TestClient, headers: Headers, session: Session, tenant: Principal
) -> None:
    admin = headers[Role.admin]
    member = order(client, admin, "T1", "300")
    order(client, admin, "T2", "50")
    stranger = order(client, admin, "S1", "80", phone="13900000000")
    order(client, admin, "T3", "40")
    assert refund(client, admin, "T3", "R1", "10").status_code == 201
    top_up(client, admin, member, "100")
    spend(client, admin, member, "T2", "30")
    before = snapshot(session, tenant.tenant_id)

    short = assert_problem(
        spend(client, admin, member, "T1", "70.01"), 409, "stored_value.insufficient"
    )
    assert (short["balance"], short["requested"]) == ("70.00", "70.01")
    over = assert_problem(
        spend(client, admin, member, "T2", "20.01"), 409, "stored_value.over_order"
    )
    assert over["remaining"] == "20.00"
    assert_problem(spend(client, admin, member, "T3", "1"), 409, "stored_value.order_refunded")
    mismatch = assert_problem(
        spend(client, admin, member, "S1", "1"), 422, "stored_value.order_mismatch"
    )
    assert mismatch["errors"][0]["loc"] == ["body", "order_id"]
    assert_problem(spend(client, admin, member, "NOPE", "1"), 404, "orders.not_found")
    assert_problem(spend(client, admin, stranger, "S1", "1"), 409, "stored_value.insufficient")
    assert_invalid(spend(client, admin, member, "T1", "0"), ["body", "amount"])
    assert_invalid(spend(client, admin, member, "T1", "-1"), ["body", "amount"])
    assert_invalid(spend(client, admin, member, "T1", "1.001"), ["body", "amount"])
    url = f"/api/v1/members/{member}/stored-value/spends"
    unkeyed = client.post(url, json={"order_id": "T1", "amount": "1"}, headers=admin)
    assert_invalid(unkeyed, ["header", "Idempotency-Key"])
    number = client.post(
        url, json={"order_id": "T1", "amount": 1}, headers={**admin, "Idempotency-Key": "n"}
    )
    assert_invalid(number, ["body", "amount"])
    assert_problem(spend(client, headers[Role.analyst], member, "T1", "1"), 403, "auth.forbidden")
    assert_problem(spend(client, admin, "999999999", "T1", "1"), 404, "members.not_found")
    assert snapshot(session, tenant.tenant_id) == before


def test_another_tenant_sees_and_touches_nothing(
    client: TestClient, admin: dict[str, str], other_headers: Headers
) -> None:
    member = order(client, admin, "T1", "300")
    top_up(client, admin, member, "100")
    rival = other_headers[Role.admin]
    response = client.get(f"/api/v1/members/{member}/stored-value", headers=rival)
    assert_problem(response, 404, "members.not_found")
    assert_problem(top_up(client, rival, member, "5"), 404, "members.not_found")
    assert_problem(adjust(client, rival, member, "5"), 404, "members.not_found")
    assert client.get(LIABILITY, headers=rival).json()["balance"] == "0.00"
    assert stored_value(client, admin, member)["balance"] == "100.00"


def test_an_adjustment_changes_one_part_with_its_reason_and_is_audited(
    client: TestClient, headers: Headers, session: Session, tenant: Principal
) -> None:
    admin, operator = headers[Role.admin], headers[Role.operator]
    member = order(client, admin, "T1", "300")
    top_up(client, admin, member, "100")
    given = adjust(client, operator, member, "12.50", "credit", "bonus")
    assert given.status_code == 201, given.text
    body = given.json()
    assert (body["kind"], body["amount"], body["principal"], body["bonus"]) == (
        "adjustment",
        "12.50",
        "0.00",
        "12.50",
    )
    assert (body["reason"], body["balance_after"]) == ("goodwill", "112.50")
    taken = adjust(client, admin, member, "40", "debit", "principal")
    assert (taken.json()["amount"], taken.json()["balance_after"]) == ("-40.00", "72.50")
    before = snapshot(session, tenant.tenant_id)
    short = assert_problem(
        adjust(client, admin, member, "12.51", "debit", "bonus"), 409, "stored_value.insufficient"
    )
    assert short["balance"] == "12.50"
    url = f"/api/v1/members/{member}/stored-value/adjustments"
    reasonless = {"amount": "1", "direction": "credit", "part": "bonus"}
    assert_invalid(
        client.post(url, json=reasonless, headers={**admin, "Idempotency-Key": "r"}),
        ["body", "reason"],
    )
    assert_problem(adjust(client, headers[Role.pos], member, "1"), 403, "auth.forbidden")
    assert snapshot(session, tenant.tenant_id) == before
    with session.begin():
        audits = session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.tenant_id == tenant.tenant_id, AuditEntry.action == "stored_value.adjust"
            )
            .order_by(AuditEntry.id)
        ).all()
        assert [(a.before, a.after) for a in audits] == [
            (
                {"principal": "100.00", "bonus": "0.00", "reason": "goodwill"},
                {"principal": "100.00", "bonus": "12.50", "entry_id": body["id"]},
            ),
            (
                {"principal": "100.00", "bonus": "12.50", "reason": "goodwill"},
                {"principal": "60.00", "bonus": "12.50", "entry_id": taken.json()["id"]},
            ),
        ]
    assert ledger_totals(session, tenant.tenant_id, int(member)) == (6_000, 1_250, 6_000, 1_250)


def test_entries_page_newest_first(client: TestClient, admin: dict[str, str]) -> None:
    member = order(client, admin, "T1", "300")
    for amount in ("1", "2", "3"):
        top_up(client, admin, member, amount)
    url = f"/api/v1/members/{member}/stored-value"
    first = client.get(url, params={"limit": 2}, headers=admin).json()
    assert [e["amount"] for e in first["entries"]] == ["3.00", "2.00"]
    rest = client.get(url, params={"limit": 2, "cursor": first["next_cursor"]}, headers=admin)
    assert [e["amount"] for e in rest.json()["entries"]] == ["1.00"]
    assert rest.json()["next_cursor"] is None
    assert_problem(client.get(url, params={"cursor": "x"}, headers=admin), 422, "invalid_input")


@pytest.mark.parametrize("months", [0, 121])
def test_the_liability_report_refuses_a_window_out_of_range(
    client: TestClient, admin: dict[str, str], months: int
) -> None:
    response = client.get(LIABILITY, params={"months": months}, headers=admin)
    assert_invalid(response, ["query", "months"])
