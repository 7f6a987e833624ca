"""Request and response shapes of the coupons room. Amounts are yuan strings (``MoneyIn`` /
``MoneyOut``), percentages whole numbers (``20`` = 20 % off), times timezone-aware.

A template's fields that only some kinds use are checked together in
``templates.check_template`` (a 422 ``coupons.invalid_template`` naming each field), so the
request body stays one flat object whatever the kind."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from memberops.activity.money import MoneyIn, MoneyOut
from memberops.kernel.pagination import MAX_KEY
from memberops.kernel.schemas import Input
from memberops.loyalty.coupons.models import CouponKind, CouponSource, CouponStatus

#: The largest value of a 32-bit integer column (stock, limits, prices in points).
INT32 = 2_147_483_647
Scope = list[Annotated[str, Field(min_length=1, max_length=32)]]


def _in_utc(value: datetime) -> datetime:
    """The time in UTC, as it is stored; a time that has none (year 1 at +05:00) is refused."""
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("the time is out of range") from exc


Moment = Annotated[AwareDatetime, AfterValidator(_in_utc)]


class TemplateCreate(Input):
    """``POST /coupon-templates``: what the coupon gives, when, how many and for whom."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    kind: CouponKind
    amount_off: MoneyIn | None = Field(default=None, description="amount_off: yuan off")
    percent_off: int | None = Field(
        default=None,
        ge=1,
        le=99,
        description="percent_off: 20 = 20 % off the order amount (the member pays 80 %, 八折)",
    )
    threshold: MoneyIn = Field(
        default=0, description="The order amount (yuan) the coupon needs; 0 = any order"
    )
    gift: str | None = Field(default=None, max_length=200, description="gift: what is given")
    valid_from: Moment | None = Field(default=None, description="Fixed window start")
    valid_until: Moment | None = Field(default=None, description="Fixed window end")
    valid_days: int | None = Field(
        default=None, ge=1, le=3650, description="Valid this many days after issue"
    )
    stock: int | None = Field(default=None, ge=1, le=INT32, description="null = unlimited")
    per_member_limit: int | None = Field(
        default=1, ge=1, le=INT32, description="Coupons one member may hold; null = unlimited"
    )
    channels: Scope = Field(default_factory=list, max_length=50, description="Empty = all")
    stores: Scope = Field(default_factory=list, max_length=50, description="Empty = all")
    tiers: Scope = Field(
        default_factory=list, max_length=10, description="Tier codes it is exclusive to"
    )
    points_price: int | None = Field(
        default=None, ge=1, le=INT32, description="Points a member pays to exchange for one"
    )
    member_day_only: bool = False


class TemplatePatch(Input):
    """``PATCH /coupon-templates/{id}``: rename, (de)activate, change the stock (never below
    what was issued; null = unlimited). Fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    active: bool | None = None
    stock: int | None = Field(default=None, ge=1, le=INT32)


class TemplateStats(BaseModel):
    """``issued``/``redeemed``/``expired`` coupons (expired: past their validity unused, also
    before the expiry job marked them); ``redemption_rate`` = redeemed / issued; ``gmv`` = sum
    of the order amounts recorded when its coupons were redeemed."""

    issued: int
    redeemed: int
    expired: int
    redemption_rate: float | None
    gmv: MoneyOut


class TemplateRead(BaseModel):
    id: str
    name: str
    kind: CouponKind
    amount_off: MoneyOut | None
    percent_off: int | None
    threshold: MoneyOut
    gift: str | None
    valid_from: datetime | None
    valid_until: datetime | None
    valid_days: int | None
    stock: int | None
    remaining: int | None = Field(description="Coupons left to issue; null = unlimited")
    per_member_limit: int | None
    channels: list[str]
    stores: list[str]
    tiers: list[str]
    points_price: int | None
    member_day_only: bool
    active: bool
    created_at: datetime
    stats: TemplateStats


class TemplatePage(BaseModel):
    items: list[TemplateRead]
    next_cursor: str | None


class IssueRequest(Input):
    """``POST /members/{id}/coupons``: issue one coupon of a template to the member; with
    ``pay_with_points`` the member pays the template's ``points_price``."""

    model_config = ConfigDict(extra="forbid")

    template_id: int = Field(ge=1, le=MAX_KEY)
    pay_with_points: bool = False


class CouponRead(BaseModel):
    """A member's coupon; ``status`` is ``expired`` once past ``valid_until`` unused."""

    code: str
    member_id: str
    template_id: str
    name: str
    kind: CouponKind
    status: CouponStatus
    source: CouponSource
    issued_at: datetime
    valid_from: datetime
    valid_until: datetime
    redeemed_at: datetime | None
    order_id: str | None
    order_amount: MoneyOut | None


class CouponPage(BaseModel):
    items: list[CouponRead]
    next_cursor: str | None


class RedeemRequest(Input):
    """``POST /coupons/{code}/redeem``: use the coupon on an order (idempotent per order)."""

    model_config = ConfigDict(extra="forbid")

    order_id: str = Field(min_length=1, max_length=64, description="The order's external id")
    order_amount: MoneyIn = Field(description="What the order comes to before this coupon")
    channel: str | None = Field(default=None, min_length=1, max_length=32)
    store: str | None = Field(default=None, min_length=1, max_length=32)


class Redemption(BaseModel):
    """The coupon used on an order and what it gives on it: ``discount`` in yuan
    (``free_shipping`` and ``gift`` coupons give 0 off and say what they give instead)."""

    code: str
    member_id: str
    template_id: str
    kind: CouponKind
    order_id: str
    order_amount: MoneyOut
    discount: MoneyOut
    free_shipping: bool
    gift: str | None
    redeemed_at: datetime
