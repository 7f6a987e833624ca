"""Tables of the journeys room: journeys, their versions, and each member's place in one."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base, BigId, JsonDoc
from memberops.tenancy.models import TenantOwned


class JourneyStatus(StrEnum):
    draft = "draft"  # nobody enters, nothing advances
    active = "active"  # members enter and advance
    paused = "paused"  # nobody enters, nothing advances, every position kept
    archived = "archived"  # over for good


class EntryRule(StrEnum):
    once_ever = "once_ever"
    once_per_period = "once_per_period"  # at most once in ``period_days``
    every_time = "every_time"  # once per occurrence of the trigger (an order, a birthday)


class PositionStatus(StrEnum):
    active = "active"  # its step runs when ``due_at`` comes
    waiting = "waiting"  # in a wait step that ends at ``due_at``
    done = "done"  # ran past the last step
    exited = "exited"  # an exit step, or a member no longer there
    holdout = "holdout"  # entered, kept out of every step to measure the journey against


#: Positions the worker still advances.
MOVING = (PositionStatus.active, PositionStatus.waiting)


class Journey(TenantOwned, Base):
    """A journey: its entry rule, holdout and the version new entrants take. ``trigger_type``
    repeats the current version's trigger type so an event finds its journeys by index."""

    __tablename__ = "journeys"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        Index("ix_journeys_trigger", "tenant_id", "status", "trigger_type"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    status: Mapped[JourneyStatus] = mapped_column(String(16), default=JourneyStatus.draft)
    entry_rule: Mapped[EntryRule] = mapped_column(String(16))
    period_days: Mapped[int | None]
    holdout_percent: Mapped[int] = mapped_column(default=10)
    version: Mapped[int] = mapped_column(default=1)
    trigger_type: Mapped[str] = mapped_column(String(32))
    #: When a worker pass last entered the members a scheduled trigger (birthday…) selects.
    entries_checked_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)


class JourneyVersion(TenantOwned, Base):
    """A journey's trigger and steps as validated JSON (``schemas.Definition``); never changed
    once a member entered it: an edit then writes the next version."""

    __tablename__ = "journey_versions"
    __table_args__ = (UniqueConstraint("journey_id", "number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id"))
    number: Mapped[int]
    trigger: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class JourneyPosition(TenantOwned, Base):
    """One entry of a member into a journey: the version they follow to its end, the step they
    are at and when it runs. ``entry_key`` (per the entry rule) makes entering idempotent.
    ``due_at`` is set exactly while the position moves (``active``, ``waiting``), so the index on
    ``(journey_id, due_at)`` holds only what the worker may still claim, journey by journey."""

    __tablename__ = "journey_positions"
    __table_args__ = (
        UniqueConstraint("journey_id", "member_id", "entry_key"),
        Index("ix_journey_positions_due", "journey_id", "due_at"),
        Index("ix_journey_positions_member", "tenant_id", "member_id"),
        Index("ix_journey_positions_step", "journey_id", "version", "status", "step"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id"))
    version: Mapped[int]
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    step: Mapped[int] = mapped_column(default=0)
    status: Mapped[PositionStatus] = mapped_column(String(16))
    due_at: Mapped[datetime | None]
    entry_key: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_error: Mapped[str] = mapped_column(String(500), default="")
