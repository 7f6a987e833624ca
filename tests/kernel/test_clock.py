"""The clock: the one reader of time, frozen and moved by tests, always timezone-aware UTC."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from memberops.kernel import clock

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_now_is_aware_utc() -> None:
    assert clock.now().tzinfo is UTC


def test_frozen_holds_the_time_until_the_block_ends() -> None:
    with clock.frozen(START):
        assert clock.now() == START
        assert clock.now() == START
    assert clock.now() != START
    assert clock.now().tzinfo is UTC


def test_advance_moves_a_frozen_clock() -> None:
    with clock.frozen(START):
        clock.advance(timedelta(days=1, seconds=30))
        assert clock.now() == datetime(2026, 11, 24, 10, 0, 30, tzinfo=UTC)
        clock.advance(timedelta(microseconds=1))
        assert clock.now() == datetime(2026, 11, 24, 10, 0, 30, 1, tzinfo=UTC)


def test_frozen_converts_any_timezone_to_utc() -> None:
    local = datetime(2026, 11, 23, 18, 0, tzinfo=SHANGHAI)
    with clock.frozen(local):
        assert clock.now() == START
        assert clock.now().tzinfo is UTC


def test_nested_frozen_blocks_restore_the_outer_time() -> None:
    with clock.frozen(START):
        with clock.frozen(START + timedelta(hours=5)):
            clock.advance(timedelta(hours=1))
            assert clock.now() == START + timedelta(hours=6)
        assert clock.now() == START


def test_frozen_is_released_when_the_block_raises() -> None:
    with pytest.raises(KeyError), clock.frozen(START):
        raise KeyError("boom")
    assert clock.now() != START


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"), clock.frozen(datetime(2026, 11, 23)):  # noqa: DTZ001
        pass  # pragma: no cover


def test_advance_needs_a_frozen_clock() -> None:
    with pytest.raises(RuntimeError, match="frozen clock"):
        clock.advance(timedelta(seconds=1))


@pytest.fixture
def unshifted(monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean offset for the test, whatever a shift in it does."""
    monkeypatch.setattr(clock, "_offset", [timedelta(0)])


@pytest.mark.usefixtures("unshifted")
def test_shift_moves_the_process_clock_forward() -> None:
    assert clock.offset() == timedelta(0)
    before = clock.now()
    moved = clock.shift(timedelta(days=3))
    assert clock.offset() == timedelta(days=3)
    assert moved - before >= timedelta(days=3)
    assert clock.now() - before >= timedelta(days=3)
    assert clock.now().tzinfo is UTC
    clock.shift(timedelta(hours=2))
    assert clock.offset() == timedelta(days=3, hours=2)


@pytest.mark.usefixtures("unshifted")
def test_shift_goes_forward_only_and_a_frozen_clock_ignores_it() -> None:
    with pytest.raises(ValueError, match="only moves forward"):
        clock.shift(timedelta(seconds=-1))
    clock.shift(timedelta(days=30))
    with clock.frozen(START):
        assert clock.now() == START
        clock.advance(timedelta(hours=1))
        assert clock.now() == START + timedelta(hours=1)
    assert clock.now() > datetime.now(UTC) + timedelta(days=29)
