"""HTTP routes of a campaign's effect: the results after launch. Thin: the work is in
``measurement``."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from memberops.campaigns import measurement, service
from memberops.campaigns.effect_schemas import CampaignResults
from memberops.kernel.pagination import MAX_KEY
from memberops.kernel.web import SessionDep
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.dependencies import require

router = APIRouter(tags=["campaigns"])

Reader = Annotated[Principal, Depends(require(Permission.campaigns_read))]
CampaignId = Annotated[int, Path(ge=1, le=MAX_KEY, description="A campaign id")]


@router.get("/campaigns/{campaign_id}/results", response_model=CampaignResults)
def results(campaign_id: CampaignId, session: SessionDep, principal: Reader) -> CampaignResults:
    """Per variant, all variants and the holdout: sent, delivered, clicked, converted, revenue
    and cost in the attribution window; each variant's uplift over the holdout with its 95 %
    interval, incremental revenue and ROI; the winner when one is significant. 409
    ``campaigns.not_launched`` before the launch."""
    campaign = service.get_campaign(session, principal, campaign_id)
    return measurement.results(session, principal, campaign)
