"""The tier ladder a tenant runs (SPEC §6), as a settings section with SPEC's ladder as default.

Levels are listed lowest first; the first is where every member starts and has no thresholds.
A member qualifies for a level with rolling-365-day spend OR orders at or above its
``qualify_*`` figures and keeps it at the end of a tier period with the ``retain_*`` figures.
Money is in yuan strings in and out (``Money``), cents inside.
"""

from decimal import Decimal
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from memberops.activity.money import Money
from memberops.kernel.schemas import Text
from memberops.tenancy.sections import SettingsSection

Code = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$", description="A stable id, e.g. gold")


class TierBenefits(BaseModel):
    """What a level gives; read by points (multiplier), coupons (exclusive templates) and
    perks (birthday gift, member-day access)."""

    model_config = ConfigDict(extra="forbid")

    discount_rate: Decimal = Field(
        default=Decimal("1.00"), gt=0, le=1, decimal_places=2, description="0.95 = 9.5折"
    )
    points_multiplier: Decimal = Field(default=Decimal("1.0"), ge=0, le=100, decimal_places=2)
    free_shipping: bool = False
    birthday_points: int = Field(default=0, ge=0, le=1_000_000)
    birthday_coupon_template_ids: list[int] = Field(default_factory=list, max_length=10)
    exclusive_coupon_template_ids: list[int] = Field(default_factory=list, max_length=50)
    member_day_access: bool = False


class TierLevel(BaseModel):
    """One rung: qualified for with ``qualify_spend`` OR ``qualify_orders`` (rolling 365 days),
    kept at a period's end with ``retain_spend`` OR ``retain_orders`` (its qualify figures when
    it has no retain figures). A threshold left out is never met on its own."""

    model_config = ConfigDict(extra="forbid")

    code: str = Code
    name: Text = Field(min_length=1, max_length=40)
    qualify_spend: Money | None = None
    qualify_orders: int | None = Field(default=None, ge=1, le=1_000_000)
    retain_spend: Money | None = None
    retain_orders: int | None = Field(default=None, ge=1, le=1_000_000)
    benefits: TierBenefits = Field(default_factory=TierBenefits)


def _level(
    code: str, name: str, figures: tuple[int, int, int, int] | None, **benefits: object
) -> TierLevel:
    """A default level; ``figures`` = (qualify yuan, qualify orders, retain yuan, retain orders)."""
    thresholds = {}
    if figures is not None:
        spend, orders, keep_spend, keep_orders = figures
        thresholds = {
            "qualify_spend": f"{spend}",
            "qualify_orders": orders,
            "retain_spend": f"{keep_spend}",
            "retain_orders": keep_orders,
        }
    return TierLevel.model_validate(
        {"code": code, "name": name, **thresholds, "benefits": benefits}
    )


def default_levels() -> list[TierLevel]:
    """SPEC's ladder 普通/銀卡 → 金卡 → 白金卡 → 鑽石卡 with thresholds typical of a mid-price
    Chinese retailer; a merchant changes them in the console or by API."""
    return [
        _level("silver", "银卡会员", None),
        _level(
            "gold",
            "金卡会员",
            (2000, 5, 1500, 4),
            discount_rate="0.98",
            points_multiplier="1.2",
            birthday_points=200,
        ),
        _level(
            "platinum",
            "白金卡会员",
            (8000, 15, 6000, 11),
            discount_rate="0.95",
            points_multiplier="1.5",
            free_shipping=True,
            birthday_points=500,
            member_day_access=True,
        ),
        _level(
            "diamond",
            "钻石卡会员",
            (20000, 30, 15000, 22),
            discount_rate="0.90",
            points_multiplier="2.0",
            free_shipping=True,
            birthday_points=1000,
            member_day_access=True,
        ),
    ]


class TierLadder(SettingsSection):
    """A tenant's levels, lowest first, and how long a tier lasts before its review."""

    section = "loyalty.tiers"

    levels: list[TierLevel] = Field(default_factory=default_levels, min_length=1, max_length=10)
    period_days: int = Field(default=365, ge=30, le=3650)

    @model_validator(mode="after")
    def _ladder_climbs(self) -> Self:
        """Refuse a ladder no member could be placed on, naming the offending field
        (``levels.2.code``) as a request error does, so the API's 422 points at it."""
        problems = ladder_problems(self.levels)
        if problems:
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [
                    InitErrorDetails(
                        type=PydanticCustomError("tier_ladder", message), loc=loc, input=value
                    )
                    for loc, message, value in problems
                ],
            )
        return self

    def level(self, code: str) -> TierLevel | None:
        return next((level for level in self.levels if level.code == code), None)


Problem = tuple[tuple[str | int, ...], str, object]


def ladder_problems(levels: list[TierLevel]) -> list[Problem]:
    """Each (location, message, value) that makes ``levels`` unusable: a code used twice, a
    base level with thresholds (every member starts there), a higher level nobody could
    qualify for."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, level in enumerate(levels):
        if level.code in seen:
            message = f"code {level.code!r} is already used by levels.{seen[level.code]}"
            problems.append((("levels", index, "code"), message, level.code))
        seen.setdefault(level.code, index)
    base, *higher = levels
    for name in _THRESHOLDS:
        if getattr(base, name) is not None:
            message = "the first level is every member's: it has no thresholds"
            problems.append((("levels", 0, name), message, getattr(base, name)))
    for index, level in enumerate(higher, start=1):
        if level.qualify_spend is None and level.qualify_orders is None:
            message = f"level {level.code!r} needs qualify_spend or qualify_orders"
            problems.append((("levels", index, "qualify_spend"), message, None))
    return problems


_THRESHOLDS = ("qualify_spend", "qualify_orders", "retain_spend", "retain_orders")
