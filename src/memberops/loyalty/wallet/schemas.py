"""Request and answer bodies of the stored-value API. Money is yuan strings; an entry's signed
amounts read ``"-12.50"``."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from memberops.activity.money import MoneyIn, to_cents, to_yuan
from memberops.kernel.schemas import Input


def signed_yuan(cents: int) -> str:
    """-1250 → ``"-12.50"``; 1250 → ``"12.50"``."""
    return f"-{to_yuan(-cents)}" if cents < 0 else to_yuan(cents)


def _signed_cents(value: object) -> object:
    """Cents as given (an answer built here), or a signed yuan string (an answer read back
    from an idempotency record) as cents."""
    if isinstance(value, str):
        cents = to_cents(value.removeprefix("-"))
        return -cents if value.startswith("-") else cents
    return value


#: An amount in an answer, possibly negative: integer cents inside, a yuan string out, and
#: read back from that string when a replay returns the stored answer.
Yuan = Annotated[
    int,
    BeforeValidator(_signed_cents),
    PlainSerializer(signed_yuan, return_type=str, when_used="always"),
]


def _above_zero(cents: int) -> int:
    if cents <= 0:
        raise ValueError("amount must be above zero")
    return cents


#: An amount in a request that must be above zero (yuan string in, cents inside).
PositiveMoneyIn = Annotated[MoneyIn, AfterValidator(_above_zero)]


class TopUpIn(Input):
    """Money the member paid in; the tenant's bonus tiers add their bonus."""

    model_config = ConfigDict(extra="forbid")

    amount: PositiveMoneyIn
    reference: str | None = Field(
        default=None, min_length=1, max_length=200, description="The payment's own reference"
    )


class TopUpRead(BaseModel):
    entry_id: str
    member_id: str
    amount: Yuan
    bonus: Yuan = Field(description="What the highest bonus tier reached added")
    balance: Yuan = Field(description="The balance after the top-up and its bonus")
    reference: str | None
    topped_up_at: datetime


class SpendIn(Input):
    """Pay part or all of one of the member's orders from the balance."""

    model_config = ConfigDict(extra="forbid")

    order_id: str = Field(min_length=1, max_length=64, description="The order's external id")
    amount: PositiveMoneyIn


class SpendRead(BaseModel):
    entry_id: str
    member_id: str
    order_id: str
    amount: Yuan
    from_principal: Yuan
    from_bonus: Yuan
    balance: Yuan = Field(description="The balance after the spend")
    spent_at: datetime


class Direction(StrEnum):
    credit = "credit"
    debit = "debit"


class Part(StrEnum):
    """Which part of the balance an adjustment changes: money paid in, or a promise."""

    principal = "principal"
    bonus = "bonus"


class AdjustIn(Input):
    """An operator's correction of one part of the balance, with the reason (audited)."""

    model_config = ConfigDict(extra="forbid")

    amount: PositiveMoneyIn
    direction: Direction
    part: Part = Field(description="principal: money paid in; bonus: a goodwill promise")
    reason: str = Field(min_length=1, max_length=500)


class EntryRead(BaseModel):
    id: str
    kind: str
    amount: Yuan
    principal: Yuan
    bonus: Yuan
    balance_after: Yuan
    order_id: str | None = Field(description="The order's external id, for spends and refunds")
    reference: str | None
    reason: str | None
    actor: str
    occurred_at: datetime


class StoredValueRead(BaseModel):
    """A member's balance (= principal + bonus = the sum of the ledger) and its entries,
    newest first."""

    member_id: str
    balance: Yuan
    principal: Yuan = Field(description="Money the member paid in and has not spent")
    bonus: Yuan = Field(description="Bonus not yet spent")
    entries: list[EntryRead]
    next_cursor: str | None


class LiabilityMonth(BaseModel):
    """What moved in one local month; every amount is positive but ``adjusted`` (net)."""

    month: str = Field(description="Local month, YYYY-MM", examples=["2026-11"])
    topped_up: Yuan = Field(description="Money paid in (principal)")
    bonus_given: Yuan
    spent: Yuan = Field(description="Spent on orders, both parts")
    spent_principal: Yuan
    refunded: Yuan = Field(description="Given back to balances by order refunds")
    adjusted: Yuan = Field(description="Net of manual adjustments")


class LiabilityRead(BaseModel):
    """Outstanding stored value as of ``as_of``: ``principal`` is the prepaid liability (money
    received, owed back in goods or cash), ``bonus`` the promise on top."""

    as_of: datetime
    principal: Yuan
    bonus: Yuan
    balance: Yuan
    members_with_balance: int
    by_month: list[LiabilityMonth]
