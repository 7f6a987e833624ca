"""The only reader of the current time.

Every "now" in memberops comes from :func:`now`, so tests freeze and move time instead of
sleeping, and every stored time is timezone-aware UTC.

A demo deployment (``MEMBEROPS_DEMO_CLOCK``) may also move the real clock forward for the whole
process with :func:`shift` — an offset added to the time of day, never taken back while the
process runs — so an operator sees birthdays come and waits end without waiting. A frozen
clock ignores the offset: tests keep exactly the time they froze.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_frozen: list[datetime] = []
#: How far :func:`shift` moved this process's clock ahead of the time of day.
_offset: list[timedelta] = [timedelta(0)]


def now() -> datetime:
    """The current time, timezone-aware in UTC (or the frozen time inside :func:`frozen`),
    plus whatever :func:`shift` added."""
    if _frozen:
        return _frozen[-1]
    return datetime.now(UTC) + _offset[0]


def offset() -> timedelta:
    """How far the demo clock runs ahead of the time of day (zero unless :func:`shift`ed)."""
    return _offset[0]


def shift(delta: timedelta) -> datetime:
    """Move this process's clock forward by ``delta`` (the demo clock; the caller checks that
    the deployment allows it) and return the new time. Only forward: times already written
    stay in the past."""
    if delta < timedelta(0):
        raise ValueError("the clock only moves forward")
    _offset[0] += delta
    return now()


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
