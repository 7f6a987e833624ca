"""The reference data sets of ../shared/data read with zero surprises: CDNOW with no problem
into its documented customers, UCI Online Retail into per-customer order counts and spend that
equal an independent polars computation on the raw file (issue 3, acceptance 2)."""

from collections import Counter
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from memberops.imports.orders.parsed import Chunk
from tests.imports.orders.helpers import read_all

UCI_ROWS = 541_909


def _customers(chunk: Chunk) -> set[str]:
    return {order.identities[0][2] for order in chunk.orders}


def _dollars_in_cents(path: Path) -> int:
    with path.open() as stream:
        amounts = [line.split()[-1] for line in stream if line.split()]
    return sum(int(Decimal(a) * 100) for a in amounts if a != "dollar_value")


@pytest.fixture(scope="module")
def cdnow_master(reference_data: Path) -> Chunk:
    return read_all(reference_data / "CDNOW_master.txt", "cdnow")


def test_cdnow_master(reference_data: Path, cdnow_master: Chunk) -> None:
    assert cdnow_master.problems == []
    assert cdnow_master.rows == len(cdnow_master.orders) == 69_659
    assert len(_customers(cdnow_master)) == 23_570
    assert len({order.external_id for order in cdnow_master.orders}) == 69_659
    total = sum(order.amount_cents for order in cdnow_master.orders)
    assert total == _dollars_in_cents(reference_data / "CDNOW_master.txt")


def test_cdnow_sample_is_part_of_the_master(reference_data: Path, cdnow_master: Chunk) -> None:
    sample = read_all(reference_data / "CDNOW_sample.txt", "cdnow")
    assert sample.problems == []
    assert sample.rows == len(sample.orders) == 6_919
    assert len(_customers(sample)) == 2_357
    master = {order.external_id: order.amount_cents for order in cdnow_master.orders}
    assert {o.external_id: o.amount_cents for o in sample.orders}.items() <= master.items()


@pytest.fixture(scope="module")
def uci(reference_data: Path) -> Chunk:
    return read_all(reference_data / "online_retail.csv", "uci")


@pytest.fixture(scope="module")
def raw(reference_data: Path) -> pl.DataFrame:
    """The raw file, with each row's number in the file and its line total in pence."""
    frame = pl.read_csv(reference_data / "online_retail.csv", infer_schema=False)
    return frame.with_row_index("row", offset=2).with_columns(
        pl.col("Quantity").cast(pl.Int64),
        (pl.col("UnitPrice").cast(pl.Float64) * 100).round(0).cast(pl.Int64).alias("pence"),
        pl.col("InvoiceNo").str.starts_with("C").alias("cancel"),
    )


def test_uci_orders_and_spend_per_customer_match_the_raw_file(
    uci: Chunk, raw: pl.DataFrame
) -> None:
    sales = raw.filter(
        ~pl.col("cancel"),
        pl.col("CustomerID").is_not_null(),
        pl.col("Quantity") > 0,
        pl.col("pence") > 0,
    )
    expected = sales.group_by("CustomerID").agg(
        pl.col("InvoiceNo").n_unique().alias("orders"),
        (pl.col("Quantity") * pl.col("pence")).sum().alias("spend"),
    )
    orders: Counter[str] = Counter()
    spend: Counter[str] = Counter()
    for order in uci.orders:
        customer = order.identities[0][2]
        orders[customer] += 1
        spend[customer] += order.amount_cents
    assert dict(orders) == dict(zip(expected["CustomerID"], expected["orders"], strict=True))
    assert dict(spend) == dict(zip(expected["CustomerID"], expected["spend"], strict=True))
    assert len(orders) == 4_338
    assert sum(orders.values()) == 18_532


def test_uci_cancellations_are_refunded_or_reported(uci: Chunk, raw: pl.DataFrame) -> None:
    cancelled = raw.filter(pl.col("cancel"), pl.col("CustomerID").is_not_null())
    value = dict(zip(cancelled["row"], -cancelled["Quantity"] * cancelled["pence"], strict=True))
    refunded = [row for refund in uci.refunds for row in refund.rows]
    reported = [p.row for p in uci.problems if p.row in value]
    assert sorted(refunded + reported) == sorted(value)
    assert sum(r.amount_cents for r in uci.refunds) == sum(value[row] for row in refunded)
    assert len(uci.refunds) == 3_954
    assert len(reported) == 1_134


def test_uci_every_row_is_imported_or_reported(uci: Chunk, raw: pl.DataFrame) -> None:
    assert uci.rows == raw.height == UCI_ROWS
    used = [row for order in uci.orders for row in order.rows]
    used += [row for refund in uci.refunds for row in refund.rows]
    assert sorted(used + [p.row for p in uci.problems]) == list(range(2, UCI_ROWS + 2))
    reasons = Counter(p.reason for p in uci.problems)
    assert reasons["no customer"] == 135_077
    assert reasons["bad-debt adjustment, not a purchase"] == 3
    assert raw["CustomerID"].null_count() == 135_080
    assert reasons["zero price: not a sale"] == 44
