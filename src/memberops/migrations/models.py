"""Every room's tables on one metadata, for migrations (the rooms stay unaware of each other)."""

from memberops.activity import models as activity_models
from memberops.campaigns import models as campaigns_models
from memberops.community import models as community_models
from memberops.crowds import models as crowds_models
from memberops.growth import models as growth_models
from memberops.identity import models as identity_models
from memberops.imports import models as imports_models
from memberops.insights.clv import models as clv_models
from memberops.insights.lifecycle import models as lifecycle_models
from memberops.insights.rfm import models as rfm_models
from memberops.insights.tags import models as tags_models
from memberops.journeys import models as journeys_models
from memberops.kernel import models as kernel_models
from memberops.kernel.db import Base
from memberops.loyalty.cards import models as cards_models
from memberops.loyalty.checkin import models as checkin_models
from memberops.loyalty.coupons import models as coupons_models
from memberops.loyalty.perks import models as perks_models
from memberops.loyalty.points import models as points_models
from memberops.loyalty.tiers import models as tiers_models
from memberops.loyalty.wallet import models as stored_value_models
from memberops.members import models as members_models
from memberops.messaging import models as messaging_models
from memberops.recommendations import models as recommendations_models
from memberops.tenancy import models as tenancy_models
from memberops.watches import models as watches_models

ROOM_MODELS = (
    tenancy_models,
    kernel_models,
    members_models,
    identity_models,
    activity_models,
    imports_models,
    tiers_models,
    points_models,
    coupons_models,
    checkin_models,
    perks_models,
    stored_value_models,
    cards_models,
    lifecycle_models,
    rfm_models,
    clv_models,
    tags_models,
    crowds_models,
    messaging_models,
    campaigns_models,
    journeys_models,
    community_models,
    growth_models,
    watches_models,
    recommendations_models,
)
metadata = Base.metadata
