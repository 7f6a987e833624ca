"""The order import job: a small generic file written through the activity room's bulk path,
bad rows reported, a second run changing nothing, and imported orders and customers seen by
the API exactly as if they had been posted (a replay is recognised, ``crm_id`` finds them)."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from memberops.activity import stats
from memberops.activity.bulk import record_orders
from memberops.activity.events import HistoryLoaded
from memberops.activity.models import MemberStats, Order, OrderLine, Refund
from memberops.identity.models import Identity
from memberops.imports.orders import jobs
from memberops.imports.orders.jobs import OrdersOutcome, import_orders
from memberops.imports.rows import Problem
from memberops.kernel import clock
from memberops.members.models import Member
from memberops.tenancy.access import Principal
from memberops.tenancy.models import AuditEntry
from tests.activity.support import stats_rows
from tests.imports.orders.helpers import write

HEADER = (
    "order_id,paid_at,phone,crm_id,channel,store,sku,name,category,unit_price,list_price,"
    "quantity,amount,is_gift_wrap,refund_id,refund_amount,refunded_at\n"
)
ROWS = (
    "T1,2026-11-11 10:00:00,138 0000 0001,,taobao,s1,A1,Tea,drink,99.50,129.50,2,189.00,,,,\n"
    "T1,,,,,,B2,Cup,,10,,1,,yes,R1,50.00,2026-11-12T09:00:00+08:00\n"
    "T2,2026-11-11T10:00:00-05:00,,C9,,,A1,Tea,,99.50,,1,,,,,\n"
    "T3,2026-11-11 10:00:00,,C9,,,A1,Tea,,5,,0,,,,,\n"
    "T4,2026-11-12 10:00:00,,C9,,,A1,Tea,,1.50,,3,,,,,\n"
)
TABLES = (Order, OrderLine, Refund, Member, Identity, AuditEntry, MemberStats)


def _import(factory: sessionmaker[Session], principal: Principal, path: Path) -> OrdersOutcome:
    return import_orders(factory, principal, path, "generic", batch_size=2)


def _counts(session: Session, principal: Principal) -> dict[str, int]:
    return {
        table.__tablename__: session.scalar(
            select(func.count()).select_from(table).where(table.tenant_id == principal.tenant_id)
        )
        or 0
        for table in TABLES
    }


def _figures(outcome: OrdersOutcome) -> tuple[int, ...]:
    return (
        outcome.rows,
        outcome.orders_created,
        outcome.orders_replayed,
        outcome.refunds_created,
        outcome.refunds_replayed,
        outcome.customers_created,
        outcome.bad_rows,
    )


def test_a_generic_file_imports_and_a_second_run_changes_nothing(
    session_factory: sessionmaker[Session], session: Session, tenant: Principal, tmp_path: Path
) -> None:
    path = write(tmp_path, "orders.csv", HEADER + ROWS)
    with session.begin():
        audited = _counts(session, tenant)["audit_log"]  # the tenant's own creation
    first = _import(session_factory, tenant, path)
    assert _figures(first) == (5, 3, 0, 1, 0, 2, 1)
    assert first.problems == [Problem(5, "quantity", "0", "quantity must be at least 1")]
    with session.begin():
        orders = session.scalars(
            select(Order).where(Order.tenant_id == tenant.tenant_id).order_by(Order.external_id)
        ).all()
        assert [(o.external_id, o.amount_cents, o.refunded_cents, o.status) for o in orders] == [
            ("T1", 18900, 5000, "partially_refunded"),
            ("T2", 9950, 0, "paid"),
            ("T4", 450, 0, "paid"),
        ]
        assert orders[1].member_id == orders[2].member_id != orders[0].member_id
        before = _counts(session, tenant)
    assert before == {
        "orders": 3,
        "order_lines": 4,
        "refunds": 1,
        "members": 2,
        "identities": 2,
        "audit_log": audited + 4,  # member.create and member.identities, twice
        "member_stats": 2,
    }
    second = _import(session_factory, tenant, path)
    assert _figures(second) == (5, 0, 3, 0, 1, 0, 1)
    with session.begin():
        assert _counts(session, tenant) == before


def test_the_same_order_id_with_other_content_is_reported(
    session_factory: sessionmaker[Session], tenant: Principal, tmp_path: Path
) -> None:
    _import(session_factory, tenant, write(tmp_path, "a.csv", HEADER + ROWS))
    changed = write(tmp_path, "b.csv", HEADER + "T2,2026-11-11 10:00:00,,C9,,,A1,Tea,,1,,1,,,,,\n")
    outcome = _import(session_factory, tenant, changed)
    assert outcome.problems == [
        Problem(2, "", "T2", "Order 'T2' was already recorded with different content.")
    ]
    assert (outcome.orders_created, outcome.orders_replayed) == (0, 0)


def _posted_t2() -> dict[str, Any]:
    """Order T2 of the file as a client of ``POST /orders`` would send it."""
    return {
        "external_id": "T2",
        "member": {"identities": [{"type": "crm_id", "value": "C9"}]},
        "channel": "online",
        "paid_at": "2026-11-11T10:00:00-05:00",
        "amount": "99.50",
        "list_amount": "99.50",
        "lines": [
            {
                "sku": "A1",
                "name": "Tea",
                "unit_price": "99.50",
                "list_price": "99.50",
                "quantity": 1,
            }
        ],
    }


def test_the_api_sees_imported_orders_and_customers(
    session_factory: sessionmaker[Session],
    tenant: Principal,
    client: TestClient,
    admin: dict[str, str],
    tmp_path: Path,
) -> None:
    _import(session_factory, tenant, write(tmp_path, "orders.csv", HEADER + ROWS))
    found = client.get("/api/v1/members?identity=crm_id:C9", headers=admin)
    assert found.status_code == 200
    (member,) = found.json()["items"]
    replay = client.post("/api/v1/orders", json=_posted_t2(), headers=admin)
    assert replay.status_code == 200, replay.text
    assert replay.json()["member_id"] == member["id"]
    detail = client.get(f"/api/v1/members/{member['id']}", headers=admin).json()
    assert (detail["stats"]["orders_count"], detail["stats"]["spend"]) == (2, "104.00")


def test_an_interrupted_import_keeps_its_batches_and_a_rerun_finishes_it(
    session_factory: sessionmaker[Session],
    session: Session,
    tenant: Principal,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write(tmp_path, "orders.csv", HEADER + ROWS)
    calls = iter([False, True])

    def crashing(*args: Any) -> Any:
        if next(calls):
            raise RuntimeError("power cut")
        return record_orders(*args)

    monkeypatch.setattr(jobs, "record_orders", crashing)
    with pytest.raises(RuntimeError, match="power cut"):
        _import(session_factory, tenant, path)
    with session.begin():
        # The first chunk's batches (orders T1, T2, then refund R1) are kept; T4 is not.
        assert _counts(session, tenant)["orders"] == 2
        assert _counts(session, tenant)["refunds"] == 1
        # Stats are refreshed at the end of an import: the stopped one left none.
        assert _counts(session, tenant)["member_stats"] == 0
    monkeypatch.undo()
    with clock.frozen(datetime(2026, 11, 20, tzinfo=UTC)):
        again = _import(session_factory, tenant, path)
        # The rerun's replays rebuilt every member's stats, the stopped run's included.
        written = stats_rows(session, tenant.tenant_id)
        with session.begin():
            stats.refresh(session, tenant.tenant_id)
    assert _figures(again)[1:5] == (1, 2, 0, 1)
    assert len(written) == 2
    assert stats_rows(session, tenant.tenant_id) == written
    with session.begin():
        assert _counts(session, tenant)["orders"] == 3


def test_an_import_ends_by_telling_who_it_loaded(
    session_factory: sessionmaker[Session],
    session: Session,
    tenant: Principal,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    told: list[object] = []
    monkeypatch.setattr(jobs, "publish", lambda session, event: told.append(event))
    path = write(tmp_path, "orders.csv", HEADER + ROWS)
    _import(session_factory, tenant, path)
    with session.begin():
        owners = session.scalars(select(Order.member_id).where(Order.tenant_id == tenant.tenant_id))
        members = tuple(sorted(set(owners)))
    assert told == [HistoryLoaded(tenant.tenant_id, members)]
    _import(session_factory, tenant, path)  # replays: the whole tenant was rebuilt
    assert told[1:] == [HistoryLoaded(tenant.tenant_id, None)]
