"""A tenant's growth rules (a settings section): what a genuine referral gives each side, the
new-member pack of each join source, and the join page that invite links and scene QR codes
lead to. The defaults give the referrer 500 points (5 yuan) and the newcomer 200, and every
source the perks' default pack."""

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from memberops.growth.models import JoinSource
from memberops.loyalty.perks.rules import Gift
from memberops.tenancy.sections import SettingsSection


class ReferralRewards(BaseModel):
    """What each side of a genuine referral gets on the newcomer's first paid order."""

    model_config = ConfigDict(extra="forbid")

    referrer: Gift = Field(default_factory=lambda: Gift(points=500))
    newcomer: Gift = Field(default_factory=lambda: Gift(points=200))


class GrowthRules(SettingsSection):
    section = "growth"

    referral: ReferralRewards = Field(default_factory=ReferralRewards)
    join_packs: dict[JoinSource, Gift] = Field(
        default_factory=dict,
        description="The new-member pack by join source; a source not listed gets the perks' "
        "default pack (loyalty/perk-rules)",
    )
    join_page_url: HttpUrl | None = Field(
        default=None,
        description="The shop's join page: /j/{code} and /s/{code} lead here with "
        "?invite=CODE or ?scene=CODE",
    )
