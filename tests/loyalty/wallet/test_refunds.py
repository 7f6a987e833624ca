"""A refund of an order stored value paid for gives back the stored-value share: for each part,
floor(spent × refunded / paid) in all, never more than was spent, exactly once per refund;
orders stored value never paid are passed over. And the liability report reads what moved."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberops.loyalty.wallet.models import StoredValueAccount, StoredValueEntry
from memberops.tenancy.access import Principal
from tests.loyalty.wallet.support import (
    LIABILITY,
    adjust,
    ledger_totals,
    order,
    refund,
    set_tiers,
    spend,
    stored_value,
    top_up,
)


def _refunds(client: TestClient, headers: dict[str, str], member: str) -> list[tuple[str, str]]:
    entries = stored_value(client, headers, member)["entries"]
    return [(e["principal"], e["bonus"]) for e in reversed(entries) if e["kind"] == "refund"]


def test_a_partial_refund_gives_back_its_share_of_each_part(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    member = order(client, admin, "T1", "300")
    set_tiers(client, admin, ("1000", "100"))
    top_up(client, admin, member, "1000")  # 1,000 principal + 100 bonus
    spend(client, admin, member, "T1", "220")  # 200 principal + 20 bonus; 80 paid otherwise
    assert refund(client, admin, "T1", "R1", "150").status_code == 201  # half the order
    assert _refunds(client, admin, member) == [("100.00", "10.00")]
    assert refund(client, admin, "T1", "R1", "150").status_code == 200  # a replay
    assert refund(client, admin, "T1", "R2", "150").status_code == 201  # the rest
    assert _refunds(client, admin, member) == [("100.00", "10.00"), ("100.00", "10.00")]
    shown = stored_value(client, admin, member)
    assert (shown["principal"], shown["bonus"]) == ("1000.00", "100.00")
    assert ledger_totals(session, tenant.tenant_id, int(member)) == (
        100_000,
        10_000,
        100_000,
        10_000,
    )


def test_rounding_never_gives_back_more_than_was_spent(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    member = order(client, admin, "T1", "100")
    top_up(client, admin, member, "50")
    spend(client, admin, member, "T1", "33.33")
    refund(client, admin, "T1", "R1", "10")  # floor(3333 × 1000 / 10000) = 333
    refund(client, admin, "T1", "R2", "0.01")  # floor(3333 × 1001 / 10000) = 333: nothing more
    refund(client, admin, "T1", "R3", "89.99")  # all refunded: exactly what was spent
    assert _refunds(client, admin, member) == [("3.33", "0.00"), ("30.00", "0.00")]
    assert stored_value(client, admin, member)["balance"] == "50.00"
    assert ledger_totals(session, tenant.tenant_id, int(member)) == (5_000, 0, 5_000, 0)


def test_a_refund_of_an_order_stored_value_never_paid_changes_nothing(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    member = order(client, admin, "T1", "100")
    order(client, admin, "T2", "100")
    top_up(client, admin, member, "50")
    spend(client, admin, member, "T1", "20")
    assert refund(client, admin, "T2", "R1", "100").status_code == 201
    with session.begin():
        count = session.scalar(
            select(func.count()).where(StoredValueEntry.tenant_id == tenant.tenant_id)
        )
        accounts = session.scalar(
            select(func.count()).where(StoredValueAccount.tenant_id == tenant.tenant_id)
        )
    assert (count, accounts) == (2, 1)  # the top-up and the spend; no refund entry


def test_the_liability_report_reads_balances_and_the_month(
    client: TestClient, admin: dict[str, str]
) -> None:
    ann = order(client, admin, "T1", "300")
    bob = order(client, admin, "T2", "100", phone="13900000000")
    order(client, admin, "T3", "10", phone="13700000000")  # no stored value at all
    set_tiers(client, admin, ("1000", "100"))
    top_up(client, admin, ann, "1000")
    top_up(client, admin, bob, "80")
    spend(client, admin, ann, "T1", "110")  # 100 principal, 10 bonus
    refund(client, admin, "T1", "R1", "150")  # half back: 50 principal, 5 bonus
    spend(client, admin, bob, "T2", "80")  # bob's balance is spent
    adjust(client, admin, bob, "5", "credit", "bonus")
    report = client.get(LIABILITY, params={"months": 2}, headers=admin).json()
    assert (report["principal"], report["bonus"], report["balance"]) == (
        "950.00",
        "100.00",
        "1050.00",
    )
    assert report["members_with_balance"] == 2
    assert report["by_month"] == [
        {
            "month": "2026-10",
            "topped_up": "0.00",
            "bonus_given": "0.00",
            "spent": "0.00",
            "spent_principal": "0.00",
            "refunded": "0.00",
            "adjusted": "0.00",
        },
        {
            "month": "2026-11",
            "topped_up": "1080.00",
            "bonus_given": "100.00",
            "spent": "190.00",
            "spent_principal": "180.00",
            "refunded": "55.00",
            "adjusted": "5.00",
        },
    ]
