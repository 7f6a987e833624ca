"""A UCI cancellation takes back an order earlier in the file even when the customer buys the
same item again right after it (the later sale must not hide the earlier one)."""

from pathlib import Path

from memberops.imports.orders.parsed import ParsedRefund
from tests.imports.orders.helpers import read_all, write

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
ROWS = (
    "500001,X1,Cup,2,2010-12-01 10:00:00,2.50,17850,United Kingdom\n"
    "C500002,X1,Cup,-1,2010-12-01 11:00:00,2.50,17850,United Kingdom\n"
    "500003,X1,Cup,1,2010-12-01 12:00:00,2.50,17850,United Kingdom\n"
)


def test_a_cancellation_is_matched_before_later_sales(tmp_path: Path) -> None:
    parsed = read_all(write(tmp_path, "uci.csv", HEADER + ROWS), "uci")
    assert parsed.problems == []
    assert [order.external_id for order in parsed.orders] == ["500001", "500003"]
    (refund,) = parsed.refunds
    assert refund == ParsedRefund("500001", "C500002", 250, refund.refunded_at, (3,))
    assert refund.refunded_at.isoformat() == "2010-12-01T11:00:00+00:00"
