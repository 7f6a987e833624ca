"""Trend buckets are local days of the tenant's timezone, also across a DST change."""

from datetime import UTC, date, datetime

from memberops.dashboard.periods import Bucket, periods


def test_days_are_local_and_end_tomorrow_at_midnight() -> None:
    now = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # already 11-24 01:00 in Shanghai
    found = periods(now, "Asia/Shanghai", 2, Bucket.day)
    assert [p.first_day for p in found] == [date(2026, 11, 23), date(2026, 11, 24)]
    assert found[0].start == datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
    assert found[-1].end == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)


def test_a_dst_day_has_its_own_length() -> None:
    now = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)  # New York left DST on 11-01
    found = periods(now, "America/New_York", 3, Bucket.day)
    assert [(p.end - p.start).total_seconds() / 3600 for p in found] == [24, 25, 24]


def test_weeks_are_labelled_by_monday_and_clipped_to_the_range() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
    found = periods(now, "UTC", 10, Bucket.week)
    assert [p.first_day for p in found] == [date(2026, 11, 16), date(2026, 11, 23)]
    assert found[0].start == datetime(2026, 11, 16, tzinfo=UTC)
    assert found[1].start == datetime(2026, 11, 23, tzinfo=UTC)
    assert found[1].end == datetime(2026, 11, 26, tzinfo=UTC)
