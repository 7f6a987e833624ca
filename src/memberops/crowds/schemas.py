"""Request and response shapes of the crowds room.

A ``condition`` is a tree of the condition language (docs/conditions.md); it is read by the
service, so any problem with it — shape, field, operator, value — is one ``conditions.invalid``
naming its place (``body.condition.all.1.value``).
"""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from memberops.activity.money import MoneyOut
from memberops.crowds.models import CrowdKind
from memberops.kernel.schemas import Input

_CONDITION = "The crowd's condition tree (docs/conditions.md)"
#: Most members a preview shows.
MAX_SAMPLE = 100


class CrowdPreviewRequest(Input):
    """``POST /crowds:preview``: how many members a condition selects now, and some of them."""

    model_config = ConfigDict(extra="forbid")

    condition: dict[str, Any] = Field(description=_CONDITION)
    sample: int = Field(default=20, ge=0, le=MAX_SAMPLE, description="Members to show")


class CrowdCreate(Input):
    """``POST /crowds``: a dynamic crowd (the condition, evaluated at each use) or a snapshot
    (the members it selects now, frozen)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=500)
    kind: CrowdKind = CrowdKind.dynamic
    condition: dict[str, Any] = Field(description=_CONDITION)


class CrowdPatch(Input):
    """``PATCH /crowds/{id}``: fields left out stay. A snapshot's new condition applies when it
    is next frozen (``POST /crowds/{id}:freeze``)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    condition: dict[str, Any] | None = Field(default=None, description=_CONDITION)


class CrowdMemberRead(BaseModel):
    """A member of a crowd as lists and exports show them: name and phone masked for roles
    without access to personal data; figures from the member's stats."""

    member_id: str
    name: str
    phone: str
    gender: str | None
    city: str | None
    orders: int = Field(description="Orders not wholly refunded")
    spend: MoneyOut = Field(description="Paid minus refunded, all time")
    last_order_at: datetime | None


class CrowdRead(BaseModel):
    """A crowd. ``size`` is its count at ``counted_at`` (now, for one crowd read by id; when
    last counted, in the list)."""

    id: str
    name: str
    description: str
    kind: CrowdKind
    condition: dict[str, Any]
    size: int
    counted_at: datetime
    frozen_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime


class CrowdPage(BaseModel):
    items: list[CrowdRead]
    next_cursor: str | None


class CrowdPreview(BaseModel):
    """What a condition selects at ``as_of``: the count and the first members by id."""

    size: int
    sample: list[CrowdMemberRead]
    as_of: datetime


class CrowdMemberPage(BaseModel):
    items: list[CrowdMemberRead]
    next_cursor: str | None


class OverlapRead(BaseModel):
    """Two crowds side by side: how many are in each, in both, in one only, in either, and the
    Jaccard index (both / either; 0 when both are empty)."""

    crowd_id: str
    other_id: str
    size: int
    other_size: int
    both: int
    only: int
    only_other: int
    either: int
    jaccard: float
    as_of: datetime


class FieldRead(BaseModel):
    """A field conditions can name, as the crowd builder offers it: type, operators, labels,
    and the values it takes where it has a fixed or tenant-specific list (ordered for an
    ordinal field)."""

    name: str
    kind: str
    ops: list[str]
    labels: dict[str, str]
    choices: list[str]
