"""The parameters of the built-in journey templates (``templates``): one pydantic model each,
whose JSON Schema ``GET /journey-templates`` lists and whose checks refuse a start with ``422
journeys.invalid`` naming ``body.params.<name>`` (a missing coupon template, a day out of
range)."""

from datetime import datetime, time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from memberops.kernel.pagination import MAX_KEY
from memberops.members.models import Gender
from memberops.messaging.models import ChannelName

TemplateId = Annotated[int, Field(ge=1, le=MAX_KEY, description="A coupon template's id")]
#: Free text put into a message: no template syntax.
Plain = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[^{}%]*$")]


class Params(BaseModel):
    """What every template takes: the channel its messages go on."""

    model_config = ConfigDict(extra="forbid")

    channel: ChannelName = Field(default=ChannelName.sms, description="The messages' channel")


class WelcomeParams(Params):
    coupon_template_id: TemplateId = Field(description="The new-member coupon (新人券)")


class OrderCareParams(Params):
    review_after_days: int = Field(default=3, ge=1, le=30, description="Days after delivery")


class BirthdayParams(Params):
    coupon_template_id: TemplateId = Field(description="The birthday coupon (生日券)")
    days_before: int = Field(default=3, ge=0, le=30)
    at: time = Field(default=time(9), description="Local time of the messages")


class WinBackParams(Params):
    coupon_30_template_id: TemplateId = Field(description="The offer at 30 days idle")
    coupon_60_template_id: TemplateId = Field(description="The bigger offer at 60 days")
    coupon_90_template_id: TemplateId = Field(description="The biggest offer at 90 days")


class LaunchParams(Params):
    start_at: datetime | None = Field(
        default=None, description="Local date and time to start (default: tomorrow 10:00)"
    )


class SamplingParams(LaunchParams):
    coupon_template_id: TemplateId = Field(description="The new-product sample (新品小样)")
    gender: Gender | None = Field(default=None, description="Only members of this gender")
    preference_tag: str | None = Field(
        default=None, min_length=1, max_length=48, description="Only members holding this tag"
    )
    idle_days: int = Field(default=365, ge=30, le=3650, description="No order for this long")


class NoveltyParams(LaunchParams):
    product_name: Plain = "本季新品"
    coupon_template_id: TemplateId | None = Field(default=None, description="A launch coupon")


class ExpiryParams(Params):
    within_days: int = Field(default=30, ge=1, le=365)


class UpgradeParams(Params):
    points: int = Field(default=0, ge=0, le=1_000_000, description="Congratulation points")


class MemberDayParams(Params):
    day: int | None = Field(
        default=None, ge=1, le=28, description="Day of the month (default: the tenant's)"
    )
    at: time = Field(default=time(10), description="Local time of the message")
    coupon_template_id: TemplateId | None = Field(default=None, description="A member-day coupon")


class VipReviewParams(Params):
    """Who belongs on the VIP groups: spend or orders over the last 365 days (either is
    enough, as tiers qualify), reviewed on ``day`` of each month."""

    min_spend_365d: int = Field(
        default=2000, ge=1, le=100_000_000, description="Yuan spent in the last 365 days"
    )
    min_orders_365d: int = Field(
        default=6, ge=1, le=10_000, description="Orders in the last 365 days"
    )
    day: int = Field(default=1, ge=1, le=28, description="Day of the month of the review")
    at: time = Field(default=time(10), description="Local time of the review")
    group_id: int | None = Field(
        default=None, ge=1, le=MAX_KEY, description="The VIP group (default: the first)"
    )
