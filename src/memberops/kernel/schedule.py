"""Claims on scheduled daily work: each job runs once per tenant per local day, however many
workers (or API processes running one in-process) poll for it.

A worker calls :func:`claim` in a transaction of its own and commits it before running the job,
so the job's own transactions run outside the claim and a second worker finds the claim instead
of running the job again. A claim is granted when (tenant, job, day) has no row yet; or when its
row failed at least ``retry_after`` ago; or when it has been ``running`` for longer than
``lease`` (its worker died) — the last two only while attempts are left. :func:`finish`
records the outcome on the row.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.kernel.db import is_postgresql
from memberops.kernel.models import RunStatus, ScheduledRun

#: Longest outcome summary kept on a run's row.
SUMMARY_LENGTH = 500


@dataclass(frozen=True)
class RetryPolicy:
    """When a claimed run may be claimed again (see the module docstring)."""

    lease: timedelta
    retry_after: timedelta
    attempts: int


def claim(session: Session, tenant_id: int, job: str, day: date, policy: RetryPolicy) -> bool:
    """Whether this caller may run ``job`` for ``tenant_id``'s local ``day`` now."""
    now = clock.now()
    dialect = postgresql if is_postgresql(session) else sqlite
    first = dialect.insert(ScheduledRun).values(
        tenant_id=tenant_id,
        job=job,
        day=day,
        status=RunStatus.running,
        attempts=1,
        started_at=now,
        summary="",
    )
    # RETURNING, not rowcount: psycopg reports rowcount -1 for this statement on PostgreSQL
    if session.execute(first.on_conflict_do_nothing().returning(ScheduledRun.job)).first():
        return True
    failed = and_(
        ScheduledRun.status == RunStatus.failed,
        ScheduledRun.finished_at <= now - policy.retry_after,
    )
    abandoned = and_(
        ScheduledRun.status == RunStatus.running, ScheduledRun.started_at <= now - policy.lease
    )
    again = (
        update(ScheduledRun)
        .where(ScheduledRun.tenant_id == tenant_id, ScheduledRun.job == job)
        .where(ScheduledRun.day == day, ScheduledRun.attempts < policy.attempts)
        .where(or_(failed, abandoned))
        .values(
            status=RunStatus.running,
            attempts=ScheduledRun.attempts + 1,
            started_at=now,
            finished_at=None,
        )
    )
    return session.execute(again.returning(ScheduledRun.job)).first() is not None


def finish(session: Session, tenant_id: int, job: str, day: date, ok: bool, summary: str) -> None:
    """Record how a claimed run ended, with a one-line summary (what it did, or the error)."""
    session.execute(
        update(ScheduledRun)
        .where(ScheduledRun.tenant_id == tenant_id, ScheduledRun.job == job)
        .where(ScheduledRun.day == day)
        .values(
            status=RunStatus.done if ok else RunStatus.failed,
            finished_at=clock.now(),
            summary=summary[:SUMMARY_LENGTH],
        )
    )
