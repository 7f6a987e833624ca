"""Request and response shapes of the community room."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from memberops.community.models import GroupKind
from memberops.kernel.pagination import MAX_KEY
from memberops.kernel.schemas import Input

MemberId = Annotated[int, Field(ge=1, le=MAX_KEY)]


class GroupCreate(Input):
    """``POST /community-groups``: the first group of a series (its name is the series')."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    kind: GroupKind = GroupKind.basic


class GroupRead(BaseModel):
    id: str
    kind: GroupKind
    name: str
    series: str
    number: int
    size: int
    limit: int
    created_by: str
    created_at: datetime


class GroupPage(BaseModel):
    items: list[GroupRead]
    next_cursor: str | None


class RosterRead(BaseModel):
    """A member currently in the group: when they joined and who invited them."""

    member_id: str
    joined_at: datetime
    invited_by: str


class GroupDetail(GroupRead):
    """A group with one page of its current roster, the latest joined first."""

    roster: list[RosterRead]
    next_cursor: str | None


class InviteRequest(Input):
    """``POST /community-groups/{id}/members``: members to invite into the group's series."""

    model_config = ConfigDict(extra="forbid")

    member_ids: list[MemberId] = Field(min_length=1, max_length=1000)

    def ids(self) -> list[int]:
        return list(dict.fromkeys(self.member_ids))


class InviteResult(BaseModel):
    """Who was invited (and into which group), who already was in a group of the kind, and
    ids that are no active member of the tenant."""

    invited: dict[str, str]
    already: list[str]
    not_found: list[str]


class ReviewResult(BaseModel):
    """What a review did: members invited and removed, and the rule's size when run."""

    qualified: int
    invited: int
    removed: int
