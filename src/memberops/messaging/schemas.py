"""Request and response shapes of the messaging room."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from memberops.kernel.pagination import MAX_KEY
from memberops.kernel.schemas import Input
from memberops.messaging.channels.webhook import WEBHOOK_SECRET
from memberops.messaging.models import AttemptOutcome, ChannelName, MessageStatus
from memberops.messaging.templates import MessageContext

_TEMPLATE = "A template (docs/messaging.md#templates): fields and link(url)"


class MessageCreate(Input):
    """``POST /messages``: one message to a member (its address on the channel is looked up)
    or to an explicit ``recipient``."""

    model_config = ConfigDict(extra="forbid")

    channel: ChannelName = ChannelName.log
    member_id: int | None = Field(default=None, ge=1, le=MAX_KEY)
    recipient: str | None = Field(default=None, min_length=1, max_length=255)
    subject: str = Field(default="", max_length=200, description=_TEMPLATE)
    body: str = Field(min_length=1, max_length=20_000, description=_TEMPLATE)
    context: MessageContext = Field(
        default_factory=MessageContext, description="The template fields for this member"
    )
    payload: dict[str, Any] = Field(
        default_factory=dict, description="What the channel needs besides the text"
    )

    @field_validator("payload")
    @classmethod
    def _not_a_subscriptions(cls, payload: dict[str, Any]) -> dict[str, Any]:
        """Only an outgoing webhook's message names its own URL and key (``webhooks.py``): a
        message sent through the API must not make the worker POST anywhere it is told."""
        if WEBHOOK_SECRET in payload:
            raise ValueError(f"{WEBHOOK_SECRET!r} is reserved for outgoing webhooks")
        return payload


class PreviewRequest(Input):
    """``POST /messages:preview``: a subject and body rendered for a member, nothing stored."""

    model_config = ConfigDict(extra="forbid")

    member_id: int | None = Field(default=None, ge=1, le=MAX_KEY)
    subject: str = Field(default="", max_length=200, description=_TEMPLATE)
    body: str = Field(min_length=1, max_length=20_000, description=_TEMPLATE)
    context: MessageContext = Field(default_factory=MessageContext)


class PreviewRead(BaseModel):
    subject: str
    body: str


class AttemptRead(BaseModel):
    """A delivery receipt: one attempt and how it ended."""

    number: int
    outcome: AttemptOutcome
    detail: str
    provider_message_id: str | None
    at: datetime


class ClickRead(BaseModel):
    """A click receipt: a tracked link of the message, followed."""

    url: str
    user_agent: str
    at: datetime


class MessageRead(BaseModel):
    """A message and where it stands; recipient, subject and body (which name the member)
    masked for roles without personal data."""

    id: str
    idempotency_key: str
    channel: ChannelName
    member_id: str | None
    recipient: str
    subject: str
    body: str
    status: MessageStatus
    attempts: int
    due_at: datetime
    last_error: str
    provider_message_id: str | None
    delivered_at: datetime | None
    failed_at: datetime | None
    created_by: str
    created_at: datetime


class MessageDetail(MessageRead):
    """One message with its receipts: every delivery attempt, every click."""

    receipts: list[AttemptRead]
    clicks: list[ClickRead]


class MessagePage(BaseModel):
    items: list[MessageRead]
    next_cursor: str | None
