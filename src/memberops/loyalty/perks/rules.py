"""A tenant's perks (SPEC §6): the new-member pack (开卡礼包), the birthday gift and the monthly
member day's exclusive coupons, as a settings section. The birthday gift adds to what the
member's tier gives (``TierBenefits.birthday_points`` / ``birthday_coupon_template_ids``); the
member day's multiplied points are an earn rule (``EarnRules.member_day``)."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from memberops.kernel.pagination import MAX_KEY
from memberops.tenancy.sections import SettingsSection

#: A coupon template's id (a 64-bit row id).
TemplateId = Annotated[int, Field(ge=1, le=MAX_KEY)]


class Gift(BaseModel):
    model_config = ConfigDict(extra="forbid")

    points: int = Field(default=0, ge=0, le=1_000_000)
    coupon_template_ids: list[TemplateId] = Field(default_factory=list, max_length=20)


class PerkRules(SettingsSection):
    section = "loyalty.perks"

    new_member_pack: Gift = Field(default_factory=lambda: Gift(points=100))
    birthday_gift: Gift = Field(default_factory=Gift)
    member_day_coupon_template_ids: list[TemplateId] = Field(default_factory=list, max_length=20)
