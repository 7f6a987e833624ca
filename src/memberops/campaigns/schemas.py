"""Request and response shapes of the campaigns room."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from memberops.campaigns.models import CampaignChannel, CampaignStatus, Outcome, SkipReason
from memberops.kernel.pagination import MAX_KEY
from memberops.kernel.schemas import Input

_TEMPLATE = "A message template (docs/messaging.md#templates): fields and link(url)"


class VariantIn(Input):
    """One message of the campaign; the variants' ``split_percent`` add up to 100."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=16)
    split_percent: int = Field(ge=1, le=100)
    subject: str = Field(default="", max_length=200, description=_TEMPLATE)
    body: str = Field(min_length=1, max_length=20_000, description=_TEMPLATE)


class _Fields(Input):
    """What a draft may say besides its name, crowd, channel and variants (None: the default
    on create, unchanged on update)."""

    model_config = ConfigDict(extra="forbid")

    best_time: bool | None = Field(
        default=None, description="Send each member at the hour they click and buy most"
    )
    coupon_template_id: int | None = Field(default=None, ge=1, le=MAX_KEY)
    points: int | None = Field(default=None, ge=1, le=1_000_000_000)
    holdout_percent: int | None = Field(default=None, ge=0, le=50)
    attribution_days: int | None = Field(default=None, ge=1, le=90)
    budget_cents: int | None = Field(default=None, ge=0, le=MAX_KEY)
    send_at: datetime | None = Field(default=None, description="When to send; now if left out")

    @model_validator(mode="after")
    def _aware(self) -> "_Fields":
        if self.send_at is not None and self.send_at.tzinfo is None:
            raise ValueError("send_at needs a timezone (2026-12-24T10:00:00+08:00)")
        return self


class CampaignCreate(_Fields):
    """``POST /campaigns``: a draft campaign; ``channel`` ``preferred`` sends each member on the
    channel they click most."""

    name: str = Field(min_length=1, max_length=100)
    crowd_id: int = Field(ge=1, le=MAX_KEY)
    channel: CampaignChannel = CampaignChannel.sms
    variants: list[VariantIn] = Field(min_length=1, max_length=10)


class CampaignPatch(_Fields):
    """``PATCH /campaigns/{id}``: fields left out stay; ``variants`` replace them all."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    crowd_id: int | None = Field(default=None, ge=1, le=MAX_KEY)
    channel: CampaignChannel | None = None
    variants: list[VariantIn] | None = Field(default=None, min_length=1, max_length=10)

    @model_validator(mode="after")
    def _kept(self) -> "CampaignPatch":
        """A null clears the offer, budget or send time; the other fields always hold a value,
        so a null for one of them is refused here rather than by the database."""
        cleared = sorted(n for n in self.model_fields_set & _REQUIRED if getattr(self, n) is None)
        if cleared:
            raise ValueError(f"{', '.join(cleared)} cannot be null: leave it out to keep it")
        return self


#: The fields of a campaign that always hold a value.
_REQUIRED = frozenset(
    {"name", "crowd_id", "channel", "variants", "best_time", "holdout_percent", "attribution_days"}
)


class VariantRead(BaseModel):
    id: str
    name: str
    split_percent: int
    subject: str
    body: str


class CampaignRead(BaseModel):
    """A campaign, its variants, and how many members each outcome (and skip reason) got."""

    id: str
    name: str
    status: CampaignStatus
    crowd_id: str
    channel: CampaignChannel
    best_time: bool
    coupon_template_id: str | None
    points: int | None
    holdout_percent: int
    attribution_days: int
    budget_cents: int | None
    send_at: datetime | None
    launched_at: datetime | None
    finished_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    variants: list[VariantRead]
    outcomes: dict[Outcome, int]
    skipped: dict[SkipReason, int]


class CampaignPage(BaseModel):
    items: list[CampaignRead]
    next_cursor: str | None


class RecipientRead(BaseModel):
    member_id: str
    outcome: Outcome
    skip_reason: SkipReason | None
    variant: str | None
    channel: str | None
    message_id: str | None
    decided_at: datetime


class RecipientPage(BaseModel):
    items: list[RecipientRead]
    next_cursor: str | None


class UnsubscribeRequest(Input):
    """``POST /members/{id}/unsubscribe``: no more campaign messages on this channel."""

    model_config = ConfigDict(extra="forbid")

    channel: str = Field(pattern="^(sms|email|wechat)$")
