"""HTTP routes of a campaign's effect: the forecast before launch and the results after.
Thin: the work is in ``forecast`` and ``measurement``."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from memberops.campaigns import forecast as forecasting
from memberops.campaigns import measurement, service
from memberops.campaigns.effect_schemas import CampaignResults, ForecastRead
from memberops.campaigns.guard_rails import Rules
from memberops.kernel.pagination import MAX_KEY
from memberops.kernel.web import SessionDep, SettingsDep
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.dependencies import require

router = APIRouter(tags=["campaigns"])

Reader = Annotated[Principal, Depends(require(Permission.campaigns_read))]
CampaignId = Annotated[int, Path(ge=1, le=MAX_KEY, description="A campaign id")]


@router.post("/campaigns/{campaign_id}/forecast", response_model=ForecastRead)
def forecast(
    campaign_id: CampaignId, session: SessionDep, settings: SettingsDep, principal: Reader
) -> ForecastRead:
    """What a draft is expected to do if launched now: reach after the guard rails and the
    holdout, buyers, revenue, cost and ROI (with a budget, of the members it would choose).
    Changes nothing. 409 ``campaigns.not_draft`` once launched."""
    campaign = service.get_campaign(session, principal, campaign_id)
    return forecasting.forecast(session, principal, campaign, Rules.of(settings))


@router.get("/campaigns/{campaign_id}/results", response_model=CampaignResults)
def results(campaign_id: CampaignId, session: SessionDep, principal: Reader) -> CampaignResults:
    """Per variant, all variants and the holdout: sent, delivered, clicked, converted, revenue
    and cost in the attribution window; each variant's uplift over the holdout with its 95 %
    interval, incremental revenue and ROI; the winner when one is significant. 409
    ``campaigns.not_launched`` before the launch."""
    campaign = service.get_campaign(session, principal, campaign_id)
    return measurement.results(session, principal, campaign)
