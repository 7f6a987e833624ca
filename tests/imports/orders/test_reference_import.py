"""The reference files of ../shared/data imported into the database: CDNOW_sample with no
problem, and UCI Online Retail giving, for every customer, the order count, gross spend and
refunded amount of an independent computation over the raw file (issue 3, acceptance 2).

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
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from memberops.activity.models import Order
from memberops.identity.models import Identity, IdentityType
from memberops.imports.orders.jobs import import_orders
from memberops.tenancy.access import Principal

CHARGES = {"POST", "DOT", "C2", "M", "D", "S", "BANK CHARGES", "AMAZONFEE", "CRUK", "PADS"}
Figures = dict[str, tuple[int, int, int]]


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
    """Each cancellation line matched by the documented rule, in file order."""
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
        refunded[customer] += value
    return refunded


def _expected(path: Path) -> Figures:
    raw = _raw(path)
    sales = raw.filter(~pl.col("cancel"), pl.col("Quantity") >= 1, pl.col("pence") != 0)
    sales = sales.with_columns((pl.col("Quantity") * pl.col("pence")).alias("value"))
    per = sales.group_by("CustomerID").agg(
        pl.col("InvoiceNo").n_unique().alias("orders"), pl.col("value").sum().alias("spend")
    )
    refunded = _refunded(raw, sales)
    return {c: (n, s, refunded[c]) for c, n, s in per.iter_rows()}


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
