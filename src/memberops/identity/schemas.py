"""Request and response shapes of the identity room."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from memberops.identity.models import IdentityType
from memberops.kernel.schemas import Input
from memberops.members.models import ConsentChannel
from memberops.members.schemas import MemberAttributes, MemberRead


class IdentityIn(Input):
    """One identity as a caller sends it; ``channel`` scopes nicks and external ids, ``app``
    scopes WeChat openids."""

    model_config = ConfigDict(extra="forbid")

    type: IdentityType
    value: str = Field(min_length=1, max_length=255)
    channel: str | None = Field(default=None, max_length=64)
    app: str | None = Field(default=None, max_length=64)


class IdentityRead(BaseModel):
    type: IdentityType
    value: str
    channel: str | None = None
    app: str | None = None
    source: str
    created_at: datetime


class MemberUpsert(Input):
    """``POST /members``: resolve these identities to one member, creating or merging."""

    model_config = ConfigDict(extra="forbid")

    identities: list[IdentityIn] = Field(min_length=1, max_length=50)
    attributes: MemberAttributes = Field(default_factory=MemberAttributes)
    consent: dict[ConsentChannel, bool] = Field(default_factory=dict)
    channel: str | None = Field(
        default=None, max_length=32, description="Where this request comes from (first channel)"
    )
    registered: bool = Field(default=False, description="The customer joined as a member")


class MergeRead(BaseModel):
    id: str
    survivor_id: str
    absorbed_id: str
    actor: str
    reason: str
    created_at: datetime
    undone_at: datetime | None


class MemberDetail(MemberRead):
    """A member with its identities and merge history, and the sections rooms above add."""

    identities: list[IdentityRead]
    merges: list[MergeRead]
    stats: dict[str, Any] | None = Field(
        default=None, description="Purchase and behaviour figures (SPEC §3); null without any"
    )
    tier: dict[str, Any] | None = Field(
        default=None, description="Tier level now: code, name, since, period end, benefits"
    )
    points: dict[str, Any] | None = Field(
        default=None, description="Points balance and the points expiring soon"
    )
    check_in: dict[str, Any] | None = Field(
        default=None, description="Check-in streak and last local date (SPEC §6)"
    )
    perks: list[dict[str, Any]] | None = Field(
        default=None, description="Perks granted: new-member pack, birthday gifts, member days"
    )
    coupons: dict[str, Any] | None = Field(
        default=None,
        description="Coupons held: counts by status and the usable ones expiring soonest",
    )
    benefit_cards: list[dict[str, Any]] | None = Field(
        default=None, description="Benefit cards valid now, with their benefits and payments"
    )
    stored_value: dict[str, Any] | None = Field(
        default=None, description="Stored-value balance, as principal (paid in) and bonus"
    )


class UpsertResult(MemberDetail):
    created: bool
    merged: list[str] = Field(description="Ids of the merges this request caused")


class MemberPage(BaseModel):
    items: list[MemberRead]
    next_cursor: str | None


class MemberPatch(Input):
    """``PATCH /members/{id}``: attributes to set and consent decisions to record."""

    model_config = ConfigDict(extra="forbid")

    attributes: MemberAttributes = Field(default_factory=MemberAttributes)
    consent: dict[ConsentChannel, bool] = Field(default_factory=dict)
    consent_source: str | None = Field(default=None, max_length=64)
