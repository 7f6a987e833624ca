"""Preset ``generic``: one row per order line, order fields from the order's first row,
adjacent rows per order, exact money, refunds, and an order with a bad row imported not at all."""

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from memberops.identity.models import IdentityType
from memberops.imports.errors import BadMapping
from memberops.imports.orders.parsed import ParsedLine, ParsedOrder, ParsedRefund
from memberops.imports.orders.read import read_orders
from memberops.imports.rows import Problem
from tests.imports.orders.helpers import read_all, write

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADER = (
    "order_id,paid_at,phone,crm_id,channel,store,sku,name,category,unit_price,list_price,"
    "quantity,amount,is_gift_wrap,refund_id,refund_amount,refunded_at\n"
)
GOOD = (
    "T1,2026-11-11 10:00:00,138 0000 0001,,taobao,s1,A1,Tea,drink,99.50,129.50,2,189.00,,,,\n"
    "T1,,,,,,B2,Cup,,10,,1,,yes,R1,50.00,2026-11-12T09:00:00+08:00\n"
    "T2,2026-11-11T10:00:00-05:00,,C9,,,A1,Tea,,99.50,,1,,,,,\n"
)
BAD = (
    "T3,2026-11-11 10:00:00,13800000003,,,,A1,Tea,,1.005,,1,,,,,\n"
    "T3,,,,,,A2,Pot,,5,,2,,,,,\n"
    "T4,2026-11-11 10:00:00,13800000004,,,,A1,Tea,,5,,0,,,,,\n"
    "T5,2026-11-11 10:00:00,,,,,A1,Tea,,5,,1,,,,,\n"
    "T6,2026-11-11 10:00:00,13800000006,,,,A1,Tea,,5,,1,,,,,\n"
    "T6,2026-11-12 10:00:00,,,,,A2,Pot,,5,,1,,,,,\n"
    "T1,2026-11-11 10:00:00,13800000001,,,,A3,Mug,,5,,1,,,,,\n"
    ",,,,,,,,,,,,,,,,\n"
    "T7,2026-11-11 10:00:00,13800000007,,,,A1,Tea,,5,,1,,,R9,6.00,2026-11-12 10:00\n"
)


def test_good_orders_with_lines_and_a_refund(tmp_path: Path) -> None:
    parsed = read_all(write(tmp_path, "orders.csv", HEADER + GOOD), "generic")
    assert parsed.problems == []
    assert parsed.orders == [
        ParsedOrder(
            external_id="T1",
            identities=((IdentityType.phone, "", "+8613800000001"),),
            channel="taobao",
            store="s1",
            paid_at=datetime(2026, 11, 11, 10, tzinfo=SHANGHAI),
            amount_cents=18900,
            list_amount_cents=26900,
            lines=(
                ParsedLine("A1", "Tea", "drink", 9950, 12950, 2),
                ParsedLine("B2", "Cup", None, 1000, 1000, 1, is_gift_wrap=True),
            ),
            rows=(2, 3),
        ),
        ParsedOrder(
            external_id="T2",
            identities=((IdentityType.crm_id, "", "C9"),),
            channel="online",
            store=None,
            paid_at=datetime(2026, 11, 11, 10, tzinfo=timezone(timedelta(hours=-5))),
            amount_cents=9950,
            list_amount_cents=9950,
            lines=(ParsedLine("A1", "Tea", None, 9950, 9950, 1),),
            rows=(4,),
        ),
    ]
    assert parsed.refunds == [
        ParsedRefund("T1", "R1", 5000, datetime(2026, 11, 12, 9, tzinfo=SHANGHAI), (3,))
    ]


def test_bad_rows_are_reported_and_their_orders_left_out(tmp_path: Path) -> None:
    parsed = read_all(write(tmp_path, "orders.csv", HEADER + GOOD + BAD), "generic")
    assert [order.external_id for order in parsed.orders] == ["T1", "T2"]
    assert parsed.problems == [
        Problem(5, "unit_price", "1.005", "more than two decimals"),
        Problem(6, "order_id", "T3", "order T3 has a bad row"),
        Problem(7, "quantity", "0", "quantity must be at least 1"),
        Problem(8, "", "", "no identity: fill one of the identity columns"),
        Problem(9, "order_id", "T6", "order T6 has a bad row"),
        Problem(10, "paid_at", "2026-11-12 10:00:00", "differs from the order's first row (row 9)"),
        Problem(
            11, "order_id", "T1", "rows of order T1 must be adjacent; it ended before this row"
        ),
        Problem(12, "", "", "blank row"),
        Problem(13, "refund_amount", "6.00", "refunds exceed the order's amount (5.00)"),
    ]
    assert parsed.rows == 12


def test_the_timezone_is_a_parameter(tmp_path: Path) -> None:
    path = write(tmp_path, "orders.csv", HEADER + GOOD)
    (order, _) = read_all(path, "generic", timezone="Europe/Paris").orders
    assert order.paid_at == datetime(2026, 11, 11, 10, tzinfo=ZoneInfo("Europe/Paris"))


def test_a_file_without_the_required_columns_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadMapping, match="no column for paid_at, quantity"):
        read_orders(write(tmp_path, "o.csv", "order_id,phone,sku,unit_price\n"), "generic")
    with pytest.raises(BadMapping, match="No column maps to an identity"):
        read_orders(
            write(tmp_path, "o.csv", "order_id,paid_at,sku,unit_price,quantity\n"), "generic"
        )


MORE = (
    ",2026-11-11 10:00:00,13800000001,,,,A1,Tea,,5,,1,,,,,\n"
    "T8,11/11/2026,abc,,,,,Tea,,,,,,,,,\n"
    "T9,2026-11-11 10:00:00,13800000009,,,,A1,Tea,,5,,1,,,R1,,\n"
    "T10,2026-11-11 10:00:00,13800000010,,,,A1,Tea,,5,,1,,,R1,0,2026-11-12 10:00\n"
    "T11,2026-11-11 10:00:00,13800000011,,,,A1,Tea,,5,,1,,,R1,1.00,2026-11-12 10:00\n"
    "T11,,,,,,A2,Pot,,5,,1,,,R1,1.00,2026-11-12 10:00\n"
    "T12,2026-11-11 10:00:00,13800000012,,,,A1,Tea,,5,,1,,,R1,1.00,2026-11-12 10:00\n"
    "T12,,,,,,A2,Pot,,5,,1,,,R1,2.00,2026-11-12 10:00\n"
)


def test_missing_cells_bad_identities_and_refunds(tmp_path: Path) -> None:
    parsed = read_all(write(tmp_path, "orders.csv", HEADER + MORE), "generic")
    need = "a refund needs refund_id, refund_amount and refunded_at"
    assert parsed.problems == [
        Problem(2, "order_id", "", "no order id"),
        Problem(3, "sku", "", "no sku"),
        Problem(3, "unit_price", "", "no unit price"),
        Problem(3, "quantity", "", "no quantity"),
        Problem(
            3,
            "paid_at",
            "11/11/2026",
            "expected a time such as 2026-11-11 10:00:00 or 2026-11-11T10:00:00+08:00",
        ),
        Problem(3, "phone", "abc", "'abc' is not a phone number."),
        Problem(4, "refund_amount", "", need),
        Problem(4, "refunded_at", "", need),
        Problem(5, "refund_amount", "0", "a refund must be above zero"),
        Problem(8, "order_id", "T12", "order T12 has a bad row"),
        Problem(9, "refund_id", "R1", "refund R1 is given differently on row 8"),
    ]
    (order,) = parsed.orders
    assert (order.external_id, order.amount_cents) == ("T11", 1000)
    assert parsed.refunds == [
        ParsedRefund("T11", "R1", 100, datetime(2026, 11, 12, 10, tzinfo=SHANGHAI), (6, 7))
    ]
