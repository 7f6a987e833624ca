"""Request and response shapes of the benefit-cards room. Prices are yuan strings
(``MoneyIn`` / ``MoneyOut``) or whole points; rates are decimals as the tier ladder writes them
(``discount_rate`` 0.95 = 9.5折, ``points_multiplier`` 2 = ×2); times timezone-aware.

A card type's price fields are checked together in ``types.check_card_type`` (a 422
``cards.invalid_type`` naming each field), so the body stays one flat object."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from memberops.activity.money import MoneyIn, MoneyOut
from memberops.kernel.pagination import MAX_KEY
from memberops.kernel.schemas import Input
from memberops.loyalty.cards.models import HoldingStatus, PaymentKind, PriceKind, ValidityUnit

Code = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$", description="A stable id, e.g. plus_year")
#: Days or months one term lasts, at most ten years either way.
MAX_DAYS, MAX_MONTHS = 3650, 120


class MonthlyCoupon(BaseModel):
    """``quantity`` coupons of ``template_id`` every local calendar month the card is valid."""

    model_config = ConfigDict(extra="forbid")

    template_id: int = Field(ge=1, le=MAX_KEY)
    quantity: int = Field(default=1, ge=1, le=10)


class CardBenefits(BaseModel):
    """What a valid holding gives; combined with the tier's in ``benefits``."""

    model_config = ConfigDict(extra="forbid")

    discount_rate: Decimal = Field(
        default=Decimal("1.00"), gt=0, le=1, decimal_places=2, description="0.95 = 9.5折"
    )
    free_shipping: bool = False
    points_multiplier: Decimal = Field(
        default=Decimal("1.00"), ge=1, le=100, decimal_places=2, description="2 = double points"
    )
    monthly_coupons: list[MonthlyCoupon] = Field(default_factory=list, max_length=10)


class CardTypeCreate(Input):
    """``POST /benefit-cards``: a card, its price, one term's length and its benefits."""

    model_config = ConfigDict(extra="forbid")

    code: str = Code
    name: str = Field(min_length=1, max_length=100)
    price_kind: PriceKind
    price: MoneyIn | None = Field(default=None, description="money: yuan per term")
    price_points: int | None = Field(
        default=None, ge=1, le=2_147_483_647, description="points: points per term"
    )
    validity_unit: ValidityUnit
    validity_length: int = Field(ge=1, le=MAX_DAYS, description="Days or months per term")
    benefits: CardBenefits = Field(default_factory=CardBenefits)


class CardTypePatch(Input):
    """``PATCH /benefit-cards/{id}``: rename, archive (``active`` false: no longer sold or
    renewed) or change the benefits (they apply to every holding from now on)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    active: bool | None = None
    benefits: CardBenefits | None = None


class CardTypeRead(BaseModel):
    id: str
    code: str
    name: str
    price_kind: PriceKind
    price: MoneyOut | None
    price_points: int | None
    validity_unit: ValidityUnit
    validity_length: int
    benefits: CardBenefits
    active: bool
    holders: int = Field(description="Members holding a valid card of this type now")
    created_at: datetime


class CardTypePage(BaseModel):
    items: list[CardTypeRead]
    next_cursor: str | None


class PurchaseIn(Input):
    """``POST /members/{id}/benefit-cards``: buy (or take a free) card for the member."""

    model_config = ConfigDict(extra="forbid")

    card_type_id: int = Field(ge=1, le=MAX_KEY)
    payment_reference: str | None = Field(
        default=None, min_length=1, max_length=200, description="money cards: the payment's id"
    )


class RenewIn(Input):
    """``POST /members/{id}/benefit-cards/{holding_id}/renew``: pay one more term."""

    model_config = ConfigDict(extra="forbid")

    payment_reference: str | None = Field(default=None, min_length=1, max_length=200)


class RefundIn(Input):
    """``POST /members/{id}/benefit-cards/{holding_id}/refund``: return an unused card."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class PaymentRead(BaseModel):
    kind: PaymentKind
    price_kind: PriceKind
    amount: MoneyOut
    points: int
    payment_reference: str | None
    period_starts_at: datetime
    period_ends_at: datetime
    paid_at: datetime
    refunded_at: datetime | None


class HoldingRead(BaseModel):
    id: str
    member_id: str
    card_type_id: str
    card_code: str
    card_name: str
    status: HoldingStatus
    valid: bool = Field(description="Whether its benefits apply now")
    starts_at: datetime
    ends_at: datetime
    lapsed_at: datetime | None
    refunded_at: datetime | None
    refund_reason: str | None
    benefits: CardBenefits
    payments: list[PaymentRead]


class HoldingPage(BaseModel):
    items: list[HoldingRead]


class BenefitSource(BaseModel):
    """One source of benefits: the member's tier, or one valid card holding."""

    source: Literal["tier", "card"]
    code: str
    name: str
    holding_id: str | None = None
    ends_at: datetime | None = None
    discount_rate: Decimal
    free_shipping: bool
    points_multiplier: Decimal


class BenefitsRead(BaseModel):
    """The member's benefits now: the best discount of tier and cards, free shipping when any
    gives it, and points × the tier's multiplier × the largest card multiplier."""

    member_id: str
    as_of: datetime
    discount_rate: Decimal
    free_shipping: bool
    points_multiplier: Decimal
    sources: list[BenefitSource]
