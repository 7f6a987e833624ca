"""Request and response shapes of the watches room. Thresholds and values are decimals in the
figure's unit: percent for ``dormant_share`` and ``redemption_rate``, yuan for ``daily_gmv``,
members for ``crowd_size``."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from memberops.kernel.pagination import MAX_KEY
from memberops.kernel.schemas import Input
from memberops.watches.models import Direction, Figure, Period

Threshold = Annotated[Decimal, Field(ge=0, le=10**12, decimal_places=2)]
#: The channels an operator is told through (those that reach a member are not for operators).
Channel = Literal["log", "email", "webhook"]


class _Watch(Input):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _email_has_an_address(self) -> "_Watch":
        channel, recipient = getattr(self, "channel", None), getattr(self, "recipient", None)
        if channel == "email" and recipient is not None and "@" not in recipient:
            raise ValueError("an email watch needs an email address as its recipient")
        return self


class WatchCreate(_Watch):
    name: str = Field(min_length=1, max_length=100)
    figure: Figure
    crowd_id: int | None = Field(default=None, ge=1, le=MAX_KEY)
    threshold: Threshold
    direction: Direction = Direction.above
    period: Period = Period.day
    channel: Channel = "log"
    recipient: str = Field(default="operator", min_length=1, max_length=255)
    active: bool = True


class WatchPatch(_Watch):
    """What changes; fields left out stay."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    threshold: Threshold | None = None
    direction: Direction | None = None
    period: Period | None = None
    channel: Channel | None = None
    recipient: str | None = Field(default=None, min_length=1, max_length=255)
    active: bool | None = None


class WatchRead(BaseModel):
    """A watch, its last value and its last notification (the message it queued)."""

    id: str
    name: str
    figure: Figure
    crowd_id: str | None
    threshold: Decimal
    direction: Direction
    period: Period
    channel: str
    recipient: str
    active: bool
    checked_at: datetime | None
    last_value: Decimal | None
    notified_at: datetime | None
    notified_period: str | None
    message_id: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime


class WatchPage(BaseModel):
    items: list[WatchRead]
    next_cursor: str | None
