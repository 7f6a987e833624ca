"""Request and response shapes of the growth room."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from memberops.growth.models import JoinSource, ReferralStatus
from memberops.identity.schemas import IdentityIn, MemberDetail
from memberops.kernel.schemas import Input
from memberops.members.models import ConsentChannel
from memberops.members.schemas import MemberAttributes

Label = Field(default="", max_length=64)


class SceneCreate(Input):
    """``POST /join-scenes``: a QR code for parcel cards, a store's till or the official
    account's menu."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    source: JoinSource = Field(description="parcel_card, store_qr or official_account_menu")
    campaign: str = Label
    store: str | None = Field(default=None, max_length=32, description="A store code")


class SceneRead(BaseModel):
    id: str
    code: str
    name: str
    source: JoinSource
    campaign: str
    store: str | None
    link: str = Field(description="What the QR code holds: scanning it leads to the join page")
    scans: int
    created_by: str
    created_at: datetime


class JoinIn(Input):
    """``POST /joins``: a person registers (resolved by identities like ``POST /members``),
    from a scene's QR code, with an invite code, or naming a source."""

    model_config = ConfigDict(extra="forbid")

    identities: list[IdentityIn] = Field(min_length=1, max_length=50)
    attributes: MemberAttributes = Field(default_factory=MemberAttributes)
    consent: dict[ConsentChannel, bool] = Field(default_factory=dict)
    channel: str | None = Field(default=None, max_length=32)
    scene: str | None = Field(default=None, min_length=1, max_length=32)
    invite_code: str | None = Field(default=None, min_length=1, max_length=32)
    source: JoinSource | None = Field(
        default=None, description="Without a scene: referral with an invite code, else api"
    )
    campaign: str | None = Field(default=None, max_length=64)


class JoinRead(BaseModel):
    member_id: str
    source: JoinSource
    campaign: str
    store: str | None
    scene: str | None
    referrer_id: str | None
    joined_at: datetime


class JoinResult(BaseModel):
    """``joined``: this request registered the member (201); otherwise the member was already
    registered and ``join`` is how it joined then (null for members registered by a file)."""

    joined: bool
    created: bool = Field(description="The member record was created by this request")
    join: JoinRead | None
    member: MemberDetail


class ReferralRead(BaseModel):
    referrer_id: str
    newcomer_id: str
    code: str
    status: ReferralStatus
    reason: str | None
    order_id: str | None
    rewards: dict[str, Any]
    created_at: datetime
    decided_at: datetime | None


class InviteRead(BaseModel):
    """A member's invite code, its link and what came of it."""

    member_id: str
    code: str
    link: str
    clicks: int
    invited: int
    rewarded: int
    refused: int
    pending: int


class LeaderRead(BaseModel):
    member_id: str
    rewarded: int
    invited: int


class LeaderPage(BaseModel):
    items: list[LeaderRead]
    next_cursor: str | None
