"""Request and response shapes of the tags room.

A rule tag's ``condition`` is the condition tree as JSON (``conditions.schemas``, docs/tags.md);
it is read by the service, so any problem with it — shape, field, operator, value — is one
``conditions.invalid`` naming its place (``body.condition.all.1.value``).
"""

from datetime import datetime
from typing import Any, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from memberops.insights.tags.models import TagKind, TagSource
from memberops.kernel.pagination import MAX_KEY
from memberops.kernel.schemas import Input

CODE = r"^[a-z][a-z0-9_]{0,47}$"
_CONDITION = "A rule tag's condition tree (docs/tags.md); none for a manual tag"


class TagCreate(Input):
    """``POST /tags``: a manual tag, or a rule tag with its condition."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=CODE, description="A stable id, e.g. vip_2026")
    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=500)
    kind: Literal[TagKind.manual, TagKind.rule] = TagKind.manual
    condition: dict[str, Any] | None = Field(default=None, description=_CONDITION)

    @model_validator(mode="after")
    def _condition_fits_kind(self) -> Self:
        if self.kind == TagKind.rule and self.condition is None:
            raise ValueError("a rule tag needs its condition")
        if self.kind == TagKind.manual and self.condition is not None:
            raise ValueError("a manual tag has no condition")
        return self


class TagPatch(Input):
    """``PATCH /tags/{id}``: fields left out stay. Behaviour tags change only ``active``;
    only rule tags have a ``condition``."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    condition: dict[str, Any] | None = Field(default=None, description=_CONDITION)
    active: bool | None = None


class TagRead(BaseModel):
    """A tag with how many active members hold it. Behaviour tags carry their ``definition``
    (written from the tenant's thresholds) and their marketing ``lever``, in ``zh-CN`` and
    ``en``; a rule tag its ``condition``."""

    id: str
    code: str
    name: str
    description: str
    kind: TagKind
    active: bool
    condition: dict[str, Any] | None
    members: int
    definition: dict[str, str] | None
    lever: dict[str, str] | None
    created_at: datetime
    updated_at: datetime
    evaluated_at: datetime | None = Field(description="As of when a computed tag's members are")


class TagPage(BaseModel):
    items: list[TagRead]
    next_cursor: str | None


class TagAssign(Input):
    """``POST /members/{id}/tags``: give the member a manual tag."""

    model_config = ConfigDict(extra="forbid")

    tag_id: int = Field(ge=1, le=MAX_KEY)


class MemberTagRead(BaseModel):
    """A tag a member holds."""

    id: str
    code: str
    name: str
    kind: TagKind
    source: TagSource
    added_at: datetime


class TagMemberRead(BaseModel):
    """A member holding a tag, masked for the reader's role."""

    member_id: str
    name: str
    phone: str
    source: TagSource
    added_at: datetime


class TagMemberPage(BaseModel):
    items: list[TagMemberRead]
    next_cursor: str | None


class UploadProblem(BaseModel):
    """A row of the list that tagged nobody: its number in the file (the header is row 1)."""

    row: int
    column: str
    value: str
    reason: str


class UploadReport(BaseModel):
    """What an uploaded list did: ``tagged`` members newly tagged, ``unchanged`` rows whose
    member already held the tag (or came earlier in the file), ``problems`` the rows that
    matched no active member."""

    tag_id: str
    column: str
    rows: int
    tagged: int
    unchanged: int
    problems: list[UploadProblem]


class RefreshRequest(Input):
    """``POST /tags:refresh``: evaluate every active rule and behaviour tag as of ``as_of``
    (now when left out)."""

    model_config = ConfigDict(extra="forbid")

    as_of: AwareDatetime | None = None


class RefreshRead(BaseModel):
    """Members holding each computed tag after the refresh, by code."""

    as_of: datetime
    tags: dict[str, int]
