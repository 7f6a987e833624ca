"""Request and response shapes of outgoing webhooks (``webhooks.py``)."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, UrlConstraints

from memberops.kernel.schemas import Input
from memberops.messaging.models import MessageStatus, WebhookEvent
from memberops.messaging.schemas import AttemptRead


class WebhookCreate(Input):
    """``POST /webhooks``: where to POST the tenant's events, and which ones."""

    model_config = ConfigDict(extra="forbid")

    url: Annotated[HttpUrl, UrlConstraints(max_length=255)] = Field(
        description="An http(s) URL of at most 255 characters"
    )
    events: list[WebhookEvent] = Field(min_length=1, max_length=10)


class WebhookRead(BaseModel):
    id: str
    url: str
    events: list[str]
    active: bool
    created_at: datetime


class WebhookCreated(WebhookRead):
    """The new subscription with its signing secret: shown this once, never again."""

    secret: str


class WebhookPage(BaseModel):
    items: list[WebhookRead]
    next_cursor: str | None


class DeliveryRead(BaseModel):
    """One event sent (or being sent) to the subscription: the outbox message and its
    attempts."""

    message_id: str
    event_id: str
    body: str
    status: MessageStatus
    attempts: list[AttemptRead]
    last_error: str
    delivered_at: datetime | None
    failed_at: datetime | None
    created_at: datetime


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
    next_cursor: str | None
