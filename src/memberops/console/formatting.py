"""How the console writes times: in the tenant's timezone, the Chinese way (2026-11-23 18:30),
whatever the user's language, so a time reads the same on every screen and in every export."""

from datetime import datetime
from zoneinfo import ZoneInfo

#: Shown where a value is absent, so an empty cell is visibly empty rather than missing.
BLANK = "—"


def local_time(at: datetime | None, timezone: str) -> str:
    """``at`` (UTC) as wall-clock time in ``timezone``, to the minute."""
    if at is None:
        return BLANK
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
