"""``UTCDateTime``: every stored time is an aware UTC instant on both backends; naive datetimes
are refused before they reach the database."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from memberops.tenancy.models import ApiKey, Role, Tenant

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _tenant(name: str, created_at: datetime) -> Tenant:
    return Tenant(
        name=name,
        display_name=name,
        timezone="Asia/Shanghai",
        currency="CNY",
        phone_region="CN",
        created_at=created_at,
    )


def test_aware_datetime_comes_back_as_the_same_instant_in_utc(
    session: Session, backend: str
) -> None:
    local = datetime(2026, 11, 23, 8, 30, 15, 123456, tzinfo=SHANGHAI)
    with session.begin():
        if backend == "postgresql":  # the server renders in a non-UTC zone: still UTC to us
            session.execute(text("SET LOCAL TIME ZONE 'America/New_York'"))
        tenant = _tenant("utc-round-trip", local)
        session.add(tenant)
        session.flush()
        session.expire(tenant)
        loaded = tenant.created_at
        raw = session.scalar(
            text(
                "SELECT created_at AT TIME ZONE 'UTC' FROM tenants WHERE id = :id"
                if backend == "postgresql"
                else "SELECT created_at FROM tenants WHERE id = :id"
            ),
            {"id": tenant.id},
        )
    assert loaded == local
    assert loaded.tzinfo is UTC
    assert loaded == datetime(2026, 11, 23, 0, 30, 15, 123456, tzinfo=UTC)
    # Stored as the UTC wall time (SQLite keeps text without an offset).
    if backend == "sqlite":
        assert raw == "2026-11-23 00:30:15.123456"
    else:
        assert raw == datetime(2026, 11, 23, 0, 30, 15, 123456)  # noqa: DTZ001


def test_times_compare_as_instants_in_sql(session: Session) -> None:
    """08:00 in Shanghai is earlier than 01:00 UTC the same day; SQL must agree."""
    with session.begin():
        session.add(_tenant("utc-early", datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)))
        session.add(_tenant("utc-late", datetime(2026, 11, 23, 1, 0, tzinfo=UTC)))
        session.flush()
        names = session.scalars(
            text("SELECT name FROM tenants WHERE name LIKE 'utc-%' ORDER BY created_at")
        ).all()
    assert names == ["utc-early", "utc-late"]


def test_naive_datetime_is_refused(session: Session) -> None:
    naive = datetime(2026, 11, 23, 8, 0)  # noqa: DTZ001

    def store() -> None:
        with session.begin():
            session.add(_tenant("utc-naive", naive))

    with pytest.raises(StatementError) as caught:
        store()
    assert isinstance(caught.value.orig, ValueError)
    assert str(caught.value.orig) == "memberops stores only timezone-aware datetimes"


def test_none_stays_none(session: Session) -> None:
    with session.begin():
        tenant = _tenant("utc-none", datetime(2026, 1, 1, tzinfo=UTC))
        session.add(tenant)
        session.flush()
        key = ApiKey(
            tenant_id=tenant.id,
            prefix="utcnone00000",
            secret_hash="0" * 64,
            scope=Role.admin,
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        session.add(key)
        session.flush()
        session.expire(key)
        assert key.revoked_at is None
