"""The reference files of ../shared/data imported into the database: CDNOW_sample with no
problem, and UCI Online Retail giving, for every customer, the order count, gross spend and
refunded amount of an independent computation over the raw file (issue 3, acceptance 2), and
the RFM scores and 8-type segment of a pandas computation over the same orders (issue 5,
acceptance 2: one import serves both, the file takes half a minute to import).

What is compared, per CustomerID (read through the ``crm_id`` identity of the order's member):

* orders: distinct non-``C`` invoices with at least one line of quantity ≥ 1 and a price that
  is not zero once rounded half-even to whole pence;
* gross spend: the sum of quantity × pence over those lines (``orders.amount_cents``);
* refunded: the cancellation lines (quantity < 0 on a ``C`` invoice) that the documented
  matching rule takes back, summed as −quantity × pence (``orders.refunded_cents``). The rule,
  written here from the docstring of ``imports/orders/ledger.py`` rather than from its code:
  a cancelled line goes to the customer's latest earlier sale invoice holding the same
  StockCode, if that invoice was paid no later than the cancellation; a charge or adjustment
  code finding none goes to the customer's latest earlier invoice; a line that would take an
  invoice's refunds past its amount is not refunded.
"""

from collections import Counter
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from memberops.activity.models import Order
from memberops.identity.models import Identity, IdentityType
from memberops.imports.orders.jobs import import_orders
from memberops.insights.rfm.models import MemberRfm
from memberops.insights.rfm.service import refresh_rfm
from memberops.tenancy.access import Principal
from tests.insights.rfm.reference import rfm

CHARGES = {"POST", "DOT", "C2", "M", "D", "S", "BANK CHARGES", "AMAZONFEE", "CRUK", "PADS"}
Figures = dict[str, tuple[int, int, int]]
#: RFM of the UCI file as of the day after its last invoice.
UCI_AS_OF = datetime(2011, 12, 10, tzinfo=UTC)


def _pence(prices: pl.Series) -> dict[str, int]:
    one = Decimal(1)
    return {p: int((Decimal(p) * 100).quantize(one, ROUND_HALF_EVEN)) for p in prices.unique()}


def _raw(path: Path) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema=False).filter(pl.col("CustomerID").is_not_null())
    return frame.with_columns(
        pl.col("Quantity").cast(pl.Int64),
        pl.col("UnitPrice").replace_strict(_pence(frame["UnitPrice"])).alias("pence"),
        pl.col("InvoiceDate").str.to_datetime("%Y-%m-%d %H:%M:%S").alias("at"),
        pl.col("InvoiceNo").str.starts_with("C").alias("cancel"),
    )


def _refunded(raw: pl.DataFrame, sales: pl.DataFrame) -> Counter[str]:
    """Per sale invoice, the cancellation lines matched to it by the documented rule, in file
    order."""
    paid = dict(sales.group_by("InvoiceNo").agg(pl.col("at").first()).iter_rows())
    left = dict(sales.group_by("InvoiceNo").agg(pl.col("value").sum()).iter_rows())
    valid = set(zip(sales["InvoiceNo"], sales["StockCode"], strict=True))
    by_item: dict[tuple[str, str], str] = {}
    by_customer: dict[str, str] = {}
    refunded: Counter[str] = Counter()
    for invoice, sku, quantity, at, customer, pence, cancel in raw.select(
        "InvoiceNo", "StockCode", "Quantity", "at", "CustomerID", "pence", "cancel"
    ).iter_rows():
        if not cancel:
            if (invoice, sku) in valid:
                by_item[customer, sku] = by_customer[customer] = invoice
            continue
        order = by_item.get((customer, sku))
        if order is None and sku in CHARGES:
            order = by_customer.get(customer)
        value = -quantity * pence
        if order is None or paid[order] > at or quantity >= 0 or left[order] < value:
            continue
        left[order] -= value
        refunded[order] += value
    return refunded


def _expected(path: Path) -> Figures:
    raw = _raw(path)
    sales = raw.filter(~pl.col("cancel"), pl.col("Quantity") >= 1, pl.col("pence") != 0)
    sales = sales.with_columns((pl.col("Quantity") * pl.col("pence")).alias("value"))
    per = sales.group_by("CustomerID").agg(
        pl.col("InvoiceNo").n_unique().alias("orders"), pl.col("value").sum().alias("spend")
    )
    by_order = _refunded(raw, sales)
    owners = dict(sales.select("InvoiceNo", "CustomerID").unique().iter_rows())
    refunded: Counter[str] = Counter()
    for invoice, value in by_order.items():
        refunded[owners[invoice]] += value
    return {c: (n, s, refunded[c]) for c, n, s in per.iter_rows()}


def _orders(path: Path, members: dict[str, int]) -> pd.DataFrame:
    """One row per sale invoice: its member (the id the database gave the customer, which
    breaks RFM ties), payment time in UTC, paid net of refunds, and whether any is kept."""
    raw = _raw(path)
    sales = raw.filter(~pl.col("cancel"), pl.col("Quantity") >= 1, pl.col("pence") != 0)
    sales = sales.with_columns((pl.col("Quantity") * pl.col("pence")).alias("value"))
    refunded = _refunded(raw, sales)
    per = sales.group_by("InvoiceNo").agg(
        pl.col("CustomerID").first(), pl.col("at").first(), pl.col("value").sum()
    )
    frame = pd.DataFrame(per.rows(), columns=["invoice", "customer", "at", "value"])
    frame["refunded"] = frame["invoice"].map(refunded).fillna(0).astype(int)
    london = frame["at"].dt.tz_localize("Europe/London", ambiguous=True)
    return pd.DataFrame(
        {
            "member": frame["customer"].map(members),
            "paid_at": london.dt.tz_convert("UTC"),
            "net": frame["value"] - frame["refunded"],
            "kept": frame["refunded"] < frame["value"],
        }
    )


def _members(session: Session, principal: Principal) -> dict[str, int]:
    query = select(Identity.value, Identity.member_id).where(
        Identity.tenant_id == principal.tenant_id, Identity.type == IdentityType.crm_id
    )
    return dict(session.execute(query).all())


def _stored_rfm(session: Session, principal: Principal) -> dict[int, tuple[Any, ...]]:
    query = select(MemberRfm).where(MemberRfm.tenant_id == principal.tenant_id)
    return {
        row.member_id: (
            row.recency_days,
            row.frequency,
            row.monetary_cents,
            row.r_score,
            row.f_score,
            row.m_score,
            str(row.rfm_type),
        )
        for row in session.scalars(query)
    }


def _reference_rfm(orders: pd.DataFrame) -> dict[int, tuple[Any, ...]]:
    expected = rfm(orders, UCI_AS_OF)
    return {
        int(member): (
            int(r.recency_days),
            int(r.frequency),
            int(r.monetary),
            int(r.r),
            int(r.f),
            int(r.m),
            r.type,
        )
        for member, r in expected.iterrows()
    }


def _imported(session: Session, principal: Principal) -> Figures:
    query = (
        select(
            Identity.value,
            func.count(Order.id),
            func.sum(Order.amount_cents),
            func.sum(Order.refunded_cents),
        )
        .join(Identity, Identity.member_id == Order.member_id)
        .where(Order.tenant_id == principal.tenant_id, Identity.tenant_id == principal.tenant_id)
        .where(Identity.type == IdentityType.crm_id)
        .group_by(Identity.value)
    )
    return {
        value: (n, int(spend), int(refunded))
        for value, n, spend, refunded in session.execute(query)
    }


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite"])
def test_uci_per_customer_figures_match_the_raw_file(
    session_factory: sessionmaker[Session],
    session: Session,
    tenant: Principal,
    client: TestClient,
    admin: dict[str, str],
    reference_data: Path,
) -> None:
    path = reference_data / "online_retail.csv"
    outcome = import_orders(session_factory, tenant, path, "uci")
    assert (outcome.rows, outcome.orders_created, outcome.refunds_created) == (
        541_909,
        18_532,
        3_954,
    )
    assert outcome.customers_created == 4_338
    with session.begin():
        imported = _imported(session, tenant)
    expected = _expected(path)
    assert len(expected) == 4_338
    assert imported == expected
    found = client.get("/api/v1/members?identity=crm_id:12346", headers=admin).json()["items"]
    assert len(found) == 1
    with session.begin():
        scored = refresh_rfm(session, tenant.tenant_id, UCI_AS_OF)
        stored, members = _stored_rfm(session, tenant), _members(session, tenant)
    reference = _reference_rfm(_orders(path, members))
    assert scored == len(reference) > 4_000
    assert stored == reference


def test_cdnow_sample_imports_cleanly(
    session_factory: sessionmaker[Session],
    session: Session,
    tenant: Principal,
    reference_data: Path,
) -> None:
    outcome = import_orders(session_factory, tenant, reference_data / "CDNOW_sample.txt", "cdnow")
    assert outcome.problems == []
    assert (outcome.rows, outcome.orders_created, outcome.customers_created) == (
        6_919,
        6_919,
        2_357,
    )
    with session.begin():
        imported = _imported(session, tenant)
    assert len(imported) == 2_357
    assert sum(n for n, _, _ in imported.values()) == 6_919
