"""What the tiers API answers with (the ladder itself is ``rules.TierLadder``, in and out)."""

from datetime import datetime

from pydantic import BaseModel, Field

from memberops.activity.money import MoneyOut
from memberops.loyalty.tiers.models import TierChangeKind
from memberops.loyalty.tiers.rules import TierBenefits, TierLadder


class LevelRead(BaseModel):
    """A member's level now; ``since`` and ``period_ends_at`` are null until it is placed."""

    code: str
    name: str
    since: datetime | None
    period_ends_at: datetime | None = Field(description="When the level is next reviewed")
    benefits: TierBenefits


class TierChangeRead(BaseModel):
    """One move on the ladder and the rolling-365-day figures it was decided on."""

    from_tier: str | None
    to_tier: str
    kind: TierChangeKind
    spend_365d: MoneyOut
    orders_365d: int
    changed_at: datetime


class MemberTierRead(BaseModel):
    """``GET /members/{id}/tier``: the level now and a page of its history, newest first."""

    member_id: str
    level: LevelRead
    history: list[TierChangeRead]
    next_cursor: str | None


class LadderSaved(BaseModel):
    """``PUT /loyalty/tiers``: the ladder as stored and how many members it moved."""

    ladder: TierLadder
    members_changed: int


class LevelCount(BaseModel):
    code: str
    name: str
    members: int


class Distribution(BaseModel):
    """Members per level (those never evaluated count on the first level)."""

    levels: list[LevelCount]
    total: int
