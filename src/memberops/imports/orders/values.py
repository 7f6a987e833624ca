"""Cell values of order files: money as exact integer cents, counts, and times made
timezone-aware.

Money is parsed with :class:`decimal.Decimal`, never a float, so ``0.1 + 0.2`` problems cannot
reach a total. Files written by people (the generic preset) must give at most two decimals:
a third decimal is a mistake to report, not to round away. Files exported by a system with
sub-penny prices (UCI) are rounded half-even to whole cents, per unit price (see ``uci.py``).
"""

import re
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

_MONEY = re.compile(r"-?\d{1,13}(\.\d+)?|-?\.\d+")
_INT = re.compile(r"[-+]?\d{1,9}")
_CENT = Decimal("0.01")
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")


def decimal_of(text: str) -> Decimal:
    """``"12.50"`` → ``Decimal("12.50")``; ValueError for anything but a plain decimal."""
    if not _MONEY.fullmatch(text):
        raise ValueError("expected an amount such as 12.50")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only decimals
        raise ValueError("expected an amount such as 12.50") from exc


def exact_cents(text: str) -> int:
    """A non-negative amount with at most two decimals, in cents: ``"199.5"`` → 19950."""
    value = decimal_of(text)
    if value < 0:
        raise ValueError("must not be negative")
    if value != value.quantize(_CENT):
        raise ValueError("more than two decimals")
    return int(value * 100)


def rounded_cents(value: Decimal) -> int:
    """``value`` (in currency units) in whole cents, rounded half-even: 0.125 → 12."""
    return int(value.quantize(_CENT, rounding=ROUND_HALF_EVEN) * 100)


def integer(text: str) -> int:
    if not _INT.fullmatch(text):
        raise ValueError("expected a whole number")
    return int(text)


def positive_quantity(text: str) -> int:
    quantity = integer(text)
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    return quantity


def aware_time(text: str, zone: tzinfo) -> datetime:
    """ISO 8601 with or without an offset (a date alone is its midnight), or
    ``YYYY-MM-DD HH:MM[:SS]`` / ``YYYY/MM/DD …``; a time without an offset is read in ``zone``
    (the file's, by default the tenant's)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = _formatted(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


def _formatted(text: str) -> datetime:
    for layout in _TIME_FORMATS:
        try:
            return datetime.strptime(text, layout)  # noqa: DTZ007 - the zone is added after
        except ValueError:
            continue
    raise ValueError("expected a time such as 2026-11-11 10:00:00 or 2026-11-11T10:00:00+08:00")


def money_text(cents: int) -> str:
    """12345 → ``"123.45"``, as reports show amounts."""
    return f"{cents // 100}.{cents % 100:02d}"
