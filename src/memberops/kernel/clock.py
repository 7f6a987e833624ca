"""The only reader of the current time.

Every "now" in memberops comes from :func:`now`, so tests freeze and move time instead of
sleeping, and every stored time is timezone-aware UTC.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_frozen: list[datetime] = []


def now() -> datetime:
    """The current time, timezone-aware in UTC (or the frozen time inside :func:`frozen`)."""
    if _frozen:
        return _frozen[-1]
    return datetime.now(UTC)


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Hold the clock at ``at`` (which must be timezone-aware) until the block ends."""
    if at.tzinfo is None:
        raise ValueError("frozen() needs a timezone-aware datetime")
    _frozen.append(at.astimezone(UTC))
    try:
        yield
    finally:
        _frozen.pop()


def advance(delta: timedelta) -> None:
    """Move a frozen clock forward; only meaningful inside :func:`frozen`."""
    if not _frozen:
        raise RuntimeError("advance() needs a frozen clock")
    _frozen[-1] = _frozen[-1] + delta
