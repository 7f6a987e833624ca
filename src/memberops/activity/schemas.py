"""Request and response shapes of the activity room. Amounts are yuan strings (``money.py``);
times must carry a timezone (a naive ``paid_at`` is ambiguous across a merchant's channels)."""

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from memberops.activity.models import EventType, Fulfilment, OrderStatus
from memberops.activity.money import MoneyIn, MoneyOut
from memberops.identity.schemas import IdentityIn
from memberops.kernel.schemas import Input

Code = Field(min_length=1, max_length=32)


class MemberRef(Input):
    """Who bought or acted: any identities of the member (one is created when none match)."""

    model_config = ConfigDict(extra="forbid")

    identities: list[IdentityIn] = Field(min_length=1, max_length=50)


class Address(Input):
    """A shipping address (personal data: masked for roles without PII access)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=32)
    province: str | None = Field(default=None, max_length=64)
    city: str | None = Field(default=None, max_length=64)
    district: str | None = Field(default=None, max_length=64)
    detail: str | None = Field(default=None, max_length=300)


class LineCreate(Input):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(min_length=1, max_length=64)
    name: str = Field(default="", max_length=200)
    category: str | None = Field(default=None, max_length=64)
    unit_price: MoneyIn
    list_price: MoneyIn | None = Field(default=None, description="Defaults to the unit price")
    quantity: int = Field(ge=1, le=1_000_000)
    is_new_product: bool = False
    is_gift_wrap: bool = False


class OrderCreate(Input):
    """``POST /orders``: a paid order, idempotent on ``external_id``."""

    model_config = ConfigDict(extra="forbid")

    external_id: str = Field(min_length=1, max_length=64)
    member: MemberRef
    channel: str = Code
    store: str | None = Field(default=None, max_length=32)
    paid_at: AwareDatetime
    amount: MoneyIn
    list_amount: MoneyIn | None = Field(default=None, description="Defaults to the amount")
    is_promotion: bool = False
    lines: list[LineCreate] = Field(default_factory=list, max_length=500)
    shipping_address: Address | None = None
    payment_method: str | None = Field(default=None, max_length=32)
    payment_account: str | None = Field(default=None, max_length=128)


class LineRead(BaseModel):
    sku: str
    name: str
    category: str | None
    unit_price: MoneyOut
    list_price: MoneyOut
    quantity: int
    is_new_product: bool
    is_gift_wrap: bool


class OrderRead(BaseModel):
    external_id: str
    member_id: str
    channel: str
    store: str | None
    paid_at: datetime
    amount: MoneyOut
    list_amount: MoneyOut
    refunded: MoneyOut
    status: OrderStatus
    is_promotion: bool
    lines: list[LineRead]
    shipping_address: Address | None
    payment_method: str | None
    payment_account: str | None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    created_at: datetime


class FulfilmentUpdate(Input):
    """``POST /orders/{external_id}/fulfilment``: the order was shipped or delivered (at
    ``occurred_at``, now by default). Each is recorded once; sending it again changes nothing."""

    model_config = ConfigDict(extra="forbid")

    status: Fulfilment
    occurred_at: AwareDatetime | None = Field(default=None, description="Defaults to now")


class RefundCreate(Input):
    """``POST /orders/{external_id}/refunds``; without ``amount``, the rest of the order."""

    model_config = ConfigDict(extra="forbid")

    refund_id: str = Field(min_length=1, max_length=64)
    amount: MoneyIn | None = None
    refunded_at: AwareDatetime | None = Field(default=None, description="Defaults to now")
    reason: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _positive(self) -> "RefundCreate":
        if self.amount == 0:
            raise ValueError("a refund amount must be above zero")
        return self


class RefundRead(BaseModel):
    refund_id: str
    order_external_id: str
    member_id: str
    amount: MoneyOut
    refunded_at: datetime
    reason: str | None
    order: OrderRead


class EventCreate(Input):
    """``POST /events``: a behaviour event, idempotent on ``external_id``."""

    model_config = ConfigDict(extra="forbid")

    external_id: str = Field(min_length=1, max_length=64)
    member: MemberRef
    type: EventType
    occurred_at: AwareDatetime
    channel: str | None = Field(default=None, max_length=32)
    properties: dict[str, Any] = Field(default_factory=dict)


class EventRead(BaseModel):
    external_id: str
    member_id: str
    type: EventType
    occurred_at: datetime
    channel: str | None
    properties: dict[str, Any]
    created_at: datetime


class OrderPage(BaseModel):
    items: list[OrderRead]
    next_cursor: str | None


class EventPage(BaseModel):
    items: list[EventRead]
    next_cursor: str | None


class BatchIn(Input):
    """A batch of up to 1,000 items, each validated and stored on its own."""

    model_config = ConfigDict(extra="forbid")

    items: list[dict[str, Any]] = Field(min_length=1, max_length=1000)


class BatchResult(BaseModel):
    """One item's answer: its status, and the stored body or the problem document."""

    status: int
    body: dict[str, Any] | None = None
    problem: dict[str, Any] | None = None


class BatchOut(BaseModel):
    items: list[BatchResult]


class MemberStatsRead(BaseModel):
    """SPEC §3's figures of a member, computed as of ``as_of``; shares are fractions 0…1
    (rounded to 4 places; null when there is nothing to divide by)."""

    as_of: datetime
    first_order_at: datetime | None
    last_order_at: datetime | None
    orders_count: int
    kept_orders: int = Field(description="Orders not fully refunded")
    spend: MoneyOut
    average_order_value: MoneyOut | None
    max_order_value: MoneyOut
    orders_365d: int
    spend_365d: MoneyOut
    orders_2y: int
    spend_2y: MoneyOut
    discounted_orders: int
    discount_order_share: float | None
    special_price_share: float | None
    top_price_share: float | None
    shipping_addresses: int
    refunds_count: int
    last_visit_at: datetime | None
    last_cart_at: datetime | None
    last_favorite_at: datetime | None
    last_follow_at: datetime | None
