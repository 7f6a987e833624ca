"""A journey version's definition — its trigger and ordered steps — as pydantic models with a
``type`` discriminator, stored as the JSON they validate.

Steps are one flat list: a position is an index into it, which is what the worker stores and
the report counts. A branch jumps forward (``yes`` / ``no``: the index of a later step, or the
list's length to finish); leaving one out goes on with the next step. Jumps only go forward, so
every member reaches the end in at most as many steps as the list holds, and an advance never
loops. Whether a condition's fields, a coupon template or a tag exist is checked against the
tenant by ``service`` (this module knows no database).
"""

from datetime import datetime, time
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, model_validator

from memberops.community.models import GroupKind
from memberops.insights.lifecycle.models import Stage
from memberops.kernel.pagination import MAX_KEY
from memberops.kernel.schemas import Input
from memberops.loyalty.tiers.models import TierChangeKind
from memberops.messaging.models import ChannelName

_TEMPLATE = "A message template (docs/messaging.md#templates): fields and link(url)"
Id = Annotated[int, Field(ge=1, le=MAX_KEY)]


class _Strict(Input):
    model_config = ConfigDict(extra="forbid")


class EventTrigger(_Strict):
    """A domain event of the member enters them, in the transaction that publishes it."""

    type: Literal[
        "member_registered",
        "order_paid",
        "order_shipped",
        "order_delivered",
        "order_refunded",
        "checked_in",
    ]


class StageTrigger(_Strict):
    """The member's lifecycle stage changed (to ``to_stage`` only, when given)."""

    type: Literal["stage_changed"]
    to_stage: Stage | None = None


class TierTrigger(_Strict):
    """The member's tier changed (to ``to_tier`` only, and by a move of ``kind`` only —
    ``upgrade``, ``downgrade``… — when given)."""

    type: Literal["tier_changed"]
    to_tier: str | None = Field(default=None, min_length=1, max_length=32)
    kind: TierChangeKind | None = None


class BirthdayTrigger(_Strict):
    """``days_before`` the member's birthday, at ``at`` in the tenant's timezone."""

    type: Literal["birthday"]
    days_before: int = Field(default=0, ge=0, le=60)
    at: time = time(9)


class InactiveTrigger(_Strict):
    """No order and no visit for ``days`` days (from member_stats)."""

    type: Literal["inactive"]
    days: int = Field(ge=1, le=3650)


class PointsExpiringTrigger(_Strict):
    """Points of the member expire within ``within_days`` days."""

    type: Literal["points_expiring"]
    within_days: int = Field(ge=1, le=365)


class CrowdTrigger(_Strict):
    """The member is in the crowd (seen there by a worker pass)."""

    type: Literal["crowd_joined"]
    crowd_id: Id


class MemberDayTrigger(_Strict):
    """The monthly member day (会员日): on ``day`` of each month (the tenant's
    ``loyalty.points`` ``member_day`` when left out) once it is ``at`` locally, the members the
    ``condition`` holds for (all active members without one)."""

    type: Literal["member_day"]
    day: int | None = Field(default=None, ge=1, le=28)
    at: time = time(10)
    condition: dict[str, Any] | None = None


class FixedDateTrigger(_Strict):
    """Once, at ``at`` (a local date and time in the tenant's timezone): the members the
    ``condition`` holds for then (all active members without one). Checked until a day after
    ``at``, so a worker down at that moment still enters them when it is back."""

    type: Literal["fixed_date"]
    at: datetime
    condition: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _local(self) -> "FixedDateTrigger":
        if self.at.tzinfo is not None:
            raise ValueError("a local date and time, without an offset (the tenant's timezone)")
        return self


class CartTrigger(_Strict):
    """A cart add (the ``cart_add`` behaviour event) ``hours`` old with no paid order of the
    member since (seen by a worker pass, up to a day after it falls due)."""

    type: Literal["cart_abandoned"]
    hours: int = Field(default=24, ge=1, le=720)


Trigger = Annotated[
    EventTrigger
    | StageTrigger
    | TierTrigger
    | BirthdayTrigger
    | InactiveTrigger
    | PointsExpiringTrigger
    | CrowdTrigger
    | MemberDayTrigger
    | FixedDateTrigger
    | CartTrigger,
    Field(discriminator="type"),
]
#: Triggers the worker checks on its own (the others come with a domain event).
SCHEDULED = frozenset(
    {
        "birthday",
        "inactive",
        "points_expiring",
        "crowd_joined",
        "member_day",
        "fixed_date",
        "cart_abandoned",
    }
)


class WaitStep(_Strict):
    """Wait the duration, then — when ``at`` is given — until the next ``at`` in the tenant's
    timezone (``{"days": 1, "at": "10:00"}``: 10:00 the day after, or the day after that)."""

    type: Literal["wait"]
    days: int = Field(default=0, ge=0, le=365)
    hours: int = Field(default=0, ge=0, le=24 * 365)
    minutes: int = Field(default=0, ge=0, le=60 * 24 * 365)
    at: time | None = None

    @model_validator(mode="after")
    def _something(self) -> "WaitStep":
        if not (self.days or self.hours or self.minutes or self.at is not None):
            raise ValueError("a wait needs a duration or a time of day")
        return self


class BranchStep(_Strict):
    """Go on at ``yes`` when the condition (the crowd language) holds for the member, at
    ``no`` otherwise; either left out is the next step."""

    type: Literal["branch"]
    condition: dict[str, Any]
    yes: int | None = Field(default=None, ge=1, le=100)
    no: int | None = Field(default=None, ge=1, le=100)


class Purpose(StrEnum):
    """Why a message is sent, which decides whether the frequency cap applies to it."""

    marketing = "marketing"  # counted by the frequency cap, and skipped over it
    service = "service"  # a notice of the member's own order (paid, shipped, delivered)


class SendStep(_Strict):
    """A message through the outbox, past the campaigns' guard rails."""

    type: Literal["send"]
    channel: ChannelName = ChannelName.sms
    subject: str = Field(default="", max_length=200, description=_TEMPLATE)
    body: str = Field(min_length=1, max_length=20_000, description=_TEMPLATE)
    purpose: Purpose = Field(
        default=Purpose.marketing,
        description="service: a notice the member expects about their own order — neither "
        "counted by the frequency cap nor skipped by it; consent, unsubscribe and quiet hours "
        "apply as to marketing",
    )


class CouponStep(_Strict):
    type: Literal["issue_coupon"]
    coupon_template_id: Id


class PointsStep(_Strict):
    type: Literal["grant_points"]
    points: int = Field(ge=1, le=1_000_000_000)


class TagStep(_Strict):
    """Give or take a manual tag."""

    type: Literal["add_tag", "remove_tag"]
    tag_id: Id


class GroupStep(_Strict):
    """Put the member in a community group of ``kind`` — the series of ``group_id``, or the
    tenant's first group of the kind — or take them off their group of the kind (of
    ``group_id`` only, when given)."""

    type: Literal["add_to_group", "remove_from_group"]
    kind: GroupKind = GroupKind.vip
    group_id: Id | None = None


class ExitStep(_Strict):
    type: Literal["exit"]


Step = Annotated[
    WaitStep | BranchStep | SendStep | CouponStep | PointsStep | TagStep | GroupStep | ExitStep,
    Field(discriminator="type"),
]


def forward_only(steps: list[Any]) -> list[Any]:
    """Branches jump forward, at most to the end (the list's length)."""
    for index, step in enumerate(steps):
        if not isinstance(step, BranchStep):
            continue
        for target in (step.yes, step.no):
            if target is not None and not index < target <= len(steps):
                raise ValueError(
                    f"step {index}: a branch jumps to a later step "
                    f"({index + 1}..{len(steps)}), not {target}"
                )
    return steps


#: A version's steps: 1 to 50, branches jumping forward only.
Steps = Annotated[list[Step], Field(min_length=1, max_length=50), AfterValidator(forward_only)]


class Definition(_Strict):
    """What a journey version holds: its trigger and its steps."""

    trigger: Trigger
    steps: Steps

    def stored(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The trigger and steps as the JSON a version keeps."""
        document = self.model_dump(mode="json", exclude_none=True)
        return document["trigger"], document["steps"]
