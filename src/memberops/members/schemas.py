"""Request and response shapes of the members room."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from memberops.kernel.schemas import Input
from memberops.members.models import ConsentChannel, Gender


class MemberAttributes(Input):
    """The attributes of a member a caller may set; omitted or null fields are left alone."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    nickname: str | None = Field(default=None, max_length=200)
    gender: Gender | None = None
    birthday: date | None = None
    province: str | None = Field(default=None, max_length=64)
    city: str | None = Field(default=None, max_length=64)
    custom: dict[str, Any] | None = Field(default=None, description="The merchant's own keys")


class ConsentRead(BaseModel):
    granted: bool
    source: str
    at: datetime


class MemberRead(BaseModel):
    """A member as the API shows it; PII is masked for roles that may not see it."""

    id: str
    status: str
    merged_into: str | None
    registered: bool
    first_channel: str | None
    attributes: MemberAttributes
    consent: dict[ConsentChannel, ConsentRead]
    created_at: datetime
    updated_at: datetime
