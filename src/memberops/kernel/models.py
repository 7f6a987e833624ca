"""The kernel's tables: claimed idempotency keys (``kernel.idempotency``) and the claims of
scheduled daily runs (``kernel.schedule``)."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base

#: Longest key accepted (Stripe allows 255; UUIDs need 36).
KEY_MAX_LENGTH = 200


class IdempotencyRecord(Base):
    """One claimed key and the answer it gave; ``answer`` is empty only while it runs."""

    __tablename__ = "idempotency_keys"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    operation: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_MAX_LENGTH), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    answer: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class RunStatus(StrEnum):
    running = "running"
    done = "done"
    failed = "failed"


class ScheduledRun(Base):
    """One tenant's run of one daily job on one local day (see ``kernel.schedule``): the row is
    the claim, so two workers never run the same job for the same day at once."""

    __tablename__ = "scheduled_runs"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    status: Mapped[RunStatus] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime] = mapped_column(default=clock.now)
    finished_at: Mapped[datetime | None]
    summary: Mapped[str] = mapped_column(String(500), default="")
