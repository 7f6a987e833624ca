"""Money in exact cents and times made aware: the rules every preset reads cells with."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memberops.imports.orders.values import (
    aware_time,
    exact_cents,
    integer,
    positive_quantity,
    rounded_cents,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("text", "cents"), [("199.00", 19900), ("199.5", 19950), ("0.1", 10), ("7", 700), (".5", 50)]
)
def test_exact_cents(text: str, cents: int) -> None:
    assert exact_cents(text) == cents


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1.005", "more than two decimals"),
        ("-1.00", "must not be negative"),
        ("1e3", "expected an amount such as 12.50"),
        ("¥12", "expected an amount such as 12.50"),
        ("", "expected an amount such as 12.50"),
    ],
)
def test_exact_cents_refuses(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        exact_cents(text)


def test_rounded_cents_is_half_even() -> None:
    assert [rounded_cents(Decimal(t)) for t in ("0.125", "0.135", "0.001", "2.555")] == [
        12,
        14,
        0,
        256,
    ]


def test_counts() -> None:
    assert integer("-12") == -12
    assert positive_quantity("3") == 3
    with pytest.raises(ValueError, match="quantity must be at least 1"):
        positive_quantity("0")
    with pytest.raises(ValueError, match="expected a whole number"):
        integer("1.5")


def test_times_without_offset_are_read_in_the_zone_given() -> None:
    assert aware_time("2026-11-11 10:00:00", SHANGHAI) == datetime(2026, 11, 11, 2, 0, tzinfo=UTC)
    assert aware_time("2026/11/11 10:00", SHANGHAI) == datetime(2026, 11, 11, 10, tzinfo=SHANGHAI)
    offset = aware_time("2026-11-11T10:00:00-05:00", SHANGHAI)
    assert offset.utcoffset() == timedelta(hours=-5)
    with pytest.raises(ValueError, match="expected a time"):
        aware_time("11/11/2026", SHANGHAI)


@given(st.integers(min_value=0, max_value=10**15 - 1))
def test_exact_cents_is_exact_for_any_amount(cents: int) -> None:
    assert exact_cents(f"{cents // 100}.{cents % 100:02d}") == cents
    if cents % 10 == 0:
        assert exact_cents(f"{cents // 100}.{cents % 100 // 10}") == cents
