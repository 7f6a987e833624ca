"""Preset ``uci`` on a handmade file: invoices to orders, cancellations to refunds of the
matched earlier order, and every row it does not import reported with its reason."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from memberops.identity.models import IdentityType
from memberops.imports.errors import BadMapping
from memberops.imports.orders.parsed import ParsedLine, ParsedOrder, ParsedRefund
from memberops.imports.orders.read import read_orders
from memberops.imports.rows import Problem
from tests.imports.orders.helpers import read_all, write

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
ROWS = """\
536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom
536365,POST,POSTAGE,1,2010-12-01 08:26:00,18.00,17850,United Kingdom
C536366,85123A,HEART,-2,2010-12-01 09:00:00,2.55,17850,United Kingdom
536367,22633,HAND WARMER,6,2010-12-01 09:30:00,1.85,,United Kingdom
536368,22960,JAM,0,2010-12-01 10:00:00,4.25,13047,United Kingdom
536369,PADS,PADS,1,2010-12-01 10:00:00,0.001,13047,United Kingdom
536370,22728,ALARM,24,2010-12-01 11:00:00,3.75,12583,France
C536371,D,Discount,-1,2010-12-01 11:05:00,5.00,12583,France
C536372,99999,UNKNOWN,-1,2010-12-01 11:06:00,1.00,12583,France
C536373,22728,ALARM,-100,2010-12-01 11:07:00,3.75,12583,France
A563186,B,Adjust bad debt,1,2011-08-12 14:51:00,-11062.06,,United Kingdom
536374,21258,JAR,2,2010-12-01 12:00:00,abc,12583,France
536374,21259,JAR 2,1,2010-12-01 12:00:00,10.50,12583,France
536365,85123A,HEART,1,2010-12-01 12:00:00,2.55,17850,United Kingdom
536375,21260,MUG,2,2010-12-01 12:30:00,1.50,14000,United Kingdom
C536376,21260,MUG,-1,2010-12-01 12:31:00,1.50,14000,United Kingdom
536375,21261,CUP,1,2010-12-01 12:31:00,2.00,14000,United Kingdom
536375,21262,PLATE,1,2010-12-01 12:31:00,2.00,15000,United Kingdom
"""


def _at(hour: int, minute: int) -> datetime:
    """A time of 1 December 2010 in London, which is UTC in winter."""
    return datetime(2010, 12, 1, hour, minute, tzinfo=UTC)


def _order(
    invoice: str, customer: str, at: datetime, *lines: ParsedLine, rows: tuple[int, ...]
) -> tuple[object, ...]:
    amount = sum(line.amount_cents for line in lines)
    return (
        invoice,
        ((IdentityType.crm_id, "", customer),),
        "online",
        None,
        at,
        amount,
        amount,
        lines,
        rows,
    )


def _fields(order: ParsedOrder) -> tuple[object, ...]:
    return (
        order.external_id,
        order.identities,
        order.channel,
        order.store,
        order.paid_at,
        order.amount_cents,
        order.list_amount_cents,
        order.lines,
        order.rows,
    )


def _line(
    sku: str, name: str, cents: int, quantity: int, category: str | None = None
) -> ParsedLine:
    return ParsedLine(sku, name, category, cents, cents, quantity)


EXPECTED_ORDERS = [
    _order(
        "536365",
        "17850",
        _at(8, 26),
        _line("85123A", "HEART", 255, 6),
        _line("POST", "POSTAGE", 1800, 1, "postage"),
        rows=(2, 3),
    ),
    _order("536370", "12583", _at(11, 0), _line("22728", "ALARM", 375, 24), rows=(8,)),
    _order("536374", "12583", _at(12, 0), _line("21259", "JAR 2", 1050, 1), rows=(14,)),
    _order(
        "536375",
        "14000",
        _at(12, 30),
        _line("21260", "MUG", 150, 2),
        _line("21261", "CUP", 200, 1),
        rows=(16, 18),
    ),
]
EXPECTED_REFUNDS = [
    ParsedRefund("536365", "C536366", 510, _at(9, 0), (4,)),
    ParsedRefund("536370", "C536371", 500, _at(11, 5), (9,)),
    ParsedRefund("536375", "C536376", 150, _at(12, 31), (17,)),
]
EXPECTED_PROBLEMS = [
    Problem(5, "CustomerID", "", "no customer"),
    Problem(6, "Quantity", "0", "quantity must be above zero on a sale invoice"),
    Problem(7, "UnitPrice", "0.001", "zero price: not a sale"),
    Problem(10, "StockCode", "99999", "cancellation matches no earlier order of customer 12583"),
    Problem(
        11, "Quantity", "-100", "refund of 375.00 exceeds what is left of order 536370 (85.00)"
    ),
    Problem(12, "StockCode", "B", "bad-debt adjustment, not a purchase"),
    Problem(13, "UnitPrice", "abc", "expected an amount such as 12.50"),
    Problem(
        15,
        "InvoiceNo",
        "536365",
        "rows of invoice 536365 must be adjacent; it ended before this row",
    ),
    Problem(19, "CustomerID", "15000", "invoice 536375 belongs to customer 14000"),
]


@pytest.mark.parametrize("chunk_rows", [1, 3, 1000])
def test_invoices_cancellations_and_reported_rows(tmp_path: Path, chunk_rows: int) -> None:
    parsed = read_all(write(tmp_path, "retail.csv", HEADER + ROWS), "uci", chunk_rows=chunk_rows)
    assert [_fields(order) for order in parsed.orders] == EXPECTED_ORDERS
    assert parsed.refunds == EXPECTED_REFUNDS
    assert parsed.problems == EXPECTED_PROBLEMS
    assert parsed.rows == 18


def test_a_refund_never_comes_before_its_order(tmp_path: Path) -> None:
    """C536376 sits inside invoice 536375 (as C542805 sits inside 542806 in the real file)."""
    seen: set[str] = set()
    for chunk in read_orders(write(tmp_path, "r.csv", HEADER + ROWS), "uci", chunk_rows=1):
        seen |= {order.external_id for order in chunk.orders}
        assert {refund.order_external_id for refund in chunk.refunds} <= seen


def test_online_retail_ii_layout_and_float_customer_ids(tmp_path: Path) -> None:
    text = (
        "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"
        "489434,85048,LED CUSHION,12,2009-12-01 07:45:00,6.95,13085.0,United Kingdom\n"
        "489435,22350,CAT BOWL,12,2009-12-01 07:46:00,2.55,,United Kingdom\n"
    )
    parsed = read_all(write(tmp_path, "ii.csv", text), "uci", timezone="UTC")
    (order,) = parsed.orders
    assert order.identities == ((IdentityType.crm_id, "", "13085"),)
    assert order.amount_cents == 8340
    assert order.paid_at == datetime(2009, 12, 1, 7, 45, tzinfo=UTC)
    assert parsed.problems == [Problem(3, "Customer ID", "", "no customer")]


def test_summer_times_are_london_time(tmp_path: Path) -> None:
    text = HEADER + "550000,1,X,1,2011-06-01 10:00:00,1.00,12346,United Kingdom\n"
    (order,) = read_all(write(tmp_path, "s.csv", text), "uci").orders
    assert order.paid_at == datetime(2011, 6, 1, 9, 0, tzinfo=UTC)


def test_a_file_without_the_uci_columns_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadMapping, match="no UnitPrice or Price column"):
        read_orders(
            write(
                tmp_path,
                "x.csv",
                "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,CustomerID\n",
            ),
            "uci",
        )


def test_cells_that_are_not_numbers_or_times(tmp_path: Path) -> None:
    text = HEADER + (
        "536380,1,X,two,2010-12-01 08:26:00,1.00,12346,United Kingdom\n"
        "536381,1,X,1,01/12/2010 08:26,1.00,12346,United Kingdom\n"
        "C536382,1,X,1,2010-12-01 08:26:00,1.00,12346,United Kingdom\n"
    )
    assert read_all(write(tmp_path, "u.csv", text), "uci").problems == [
        Problem(2, "Quantity", "two", "expected a whole number"),
        Problem(
            3,
            "InvoiceDate",
            "01/12/2010 08:26",
            "expected a time such as 2026-11-11 10:00:00 or 2026-11-11T10:00:00+08:00",
        ),
        Problem(4, "Quantity", "1", "quantity must be below zero on a cancellation invoice"),
    ]


def test_a_second_read_gives_the_same_orders_and_refunds(tmp_path: Path) -> None:
    path = write(tmp_path, "retail.csv", HEADER + ROWS)
    first, second = read_all(path, "uci"), read_all(path, "uci")
    assert (first.orders, first.refunds, first.problems) == (
        second.orders,
        second.refunds,
        second.problems,
    )
