"""The tenant's community rules, section ``community``: how many members a group holds, and
the VIP rule the monthly review keeps the VIP rosters by."""

from typing import Any

from pydantic import Field

from memberops.kernel.pagination import MAX_KEY
from memberops.tenancy.sections import SettingsSection


class CommunityRules(SettingsSection):
    """``group_size``: members a group holds before the next of its series opens (400, a
    WeChat group's comfortable size). ``vip_rule``: a condition (docs/conditions.md) the
    monthly review invites by and removes by; None: no review. ``vip_group_id``: the group
    whose series the review invites into (None: the tenant's first VIP group, opened as
    ``VIP`` when there is none)."""

    section = "community"

    group_size: int = Field(default=400, ge=1, le=10_000)
    vip_rule: dict[str, Any] | None = None
    vip_group_id: int | None = Field(default=None, ge=1, le=MAX_KEY)
