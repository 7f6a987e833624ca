"""How the console writes times, money and counts: the Chinese way whatever the user's
language — times in the tenant's timezone (2026-11-23 18:30), money as CNY (¥1,234.50), counts
with thousands separators — so a figure reads the same on every screen and in every export."""

from datetime import datetime
from zoneinfo import ZoneInfo

#: Shown where a value is absent, so an empty cell is visibly empty rather than missing.
BLANK = "—"


def local_time(at: datetime | None, timezone: str) -> str:
    """``at`` (UTC) as wall-clock time in ``timezone``, to the minute."""
    if at is None:
        return BLANK
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def number(value: int) -> str:
    """A count with thousands separators: ``38688`` → ``38,688``."""
    return f"{value:,}"


def yuan(cents: int | None) -> str:
    """Integer cents as CNY the way a Chinese shop writes it: ``¥1,234.50``."""
    if cents is None:
        return BLANK
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(cents), 100)
    return f"{sign}¥{whole:,}.{fraction:02d}"


def percent(rate: float | None) -> str:
    """A fraction 0–1 as a percentage with one decimal: ``0.1667`` → ``16.7%``."""
    return BLANK if rate is None else f"{rate * 100:.1f}%"
