"""Response shapes of the perks room."""

from datetime import datetime

from pydantic import BaseModel, Field

from memberops.loyalty.perks.models import PerkKind


class PerkGrantRead(BaseModel):
    """A perk given to a member once for ``period``; ``created`` is false when this answer
    repeats an earlier grant."""

    member_id: str
    kind: PerkKind
    period: str = Field(description='"once", the year "2026" or the month "2026-11"')
    points: int
    coupon_codes: list[str]
    granted_at: datetime
    created: bool = False
