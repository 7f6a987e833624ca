"""Request and response shapes of the tenancy room."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from memberops.kernel.schemas import Input
from memberops.tenancy.models import Role

CODE_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,31}$"


class TenantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    display_name: str
    timezone: str
    currency: str
    phone_region: str
    created_at: datetime


class TenantUpdate(Input):
    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    timezone: str | None = Field(default=None, max_length=64)
    currency: str | None = Field(default=None, max_length=3)
    phone_region: str | None = Field(default=None, max_length=2)


class ChannelCreate(Input):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1, max_length=200)


class ChannelRead(ChannelCreate):
    model_config = ConfigDict(from_attributes=True)


class StoreCreate(Input):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    channel: str | None = Field(default=None, pattern=CODE_PATTERN)


class StoreRead(BaseModel):
    code: str
    name: str
    channel: str | None


class ApiKeyCreate(Input):
    model_config = ConfigDict(extra="forbid")

    scope: Role
    name: str = Field(default="", max_length=200)


class ApiKeyCreated(BaseModel):
    key: str = Field(description="Shown once; only a digest is stored")
    scope: Role
    name: str


class UserGrant(Input):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=8, max_length=200)
    role: Role


class AuditRead(BaseModel):
    id: str
    actor: str
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: datetime


class AuditPage(BaseModel):
    items: list[AuditRead]
    next_cursor: str | None
