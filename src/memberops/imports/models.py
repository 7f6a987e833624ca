"""Tables of the imports room."""

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base, BigId
from memberops.tenancy.models import TenantOwned


class ImportRun(TenantOwned, Base):
    """One run of a file import: which file (by name and content digest), by whom, and what it
    did. A run that never finished (a crash) keeps ``finished_at`` empty; running the same file
    again carries on where it stopped."""

    __tablename__ = "import_runs"
    __table_args__ = (Index("ix_import_runs_tenant_started", "tenant_id", "started_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    preset: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(300))
    rows: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    matched: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    merged: Mapped[int] = mapped_column(default=0)
    bad_rows: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=clock.now)
    finished_at: Mapped[datetime | None]
