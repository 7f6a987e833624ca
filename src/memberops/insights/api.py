"""HTTP routes of the insights room: a member's layering, the overview, the layering rules and
an on-demand recompute. Thin: reads in ``queries``, work in ``jobs``."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from memberops.insights import queries
from memberops.insights.jobs import recompute
from memberops.insights.rules import LayeringRules
from memberops.insights.schemas import (
    InsightsOverview,
    MemberInsights,
    RecomputeRead,
    RecomputeRequest,
)
from memberops.kernel.web import MemberId, SessionDep
from memberops.members import service as members
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.dependencies import require
from memberops.tenancy.sections import load_section, save_section

router = APIRouter(tags=["insights"])

Reader = Annotated[Principal, Depends(require(Permission.insights_read))]
Manager = Annotated[Principal, Depends(require(Permission.insights_manage))]
RulesEditor = Annotated[Principal, Depends(require(Permission.insights_rules))]


@router.get("/members/{member_id}/insights", response_model=MemberInsights)
def member_insights(member_id: MemberId, session: SessionDep, principal: Reader) -> MemberInsights:
    """The member's lifecycle stage, RFM, predicted value and tags, as last computed."""
    members.get_member(session, principal, member_id)
    return queries.member_insights(session, principal, member_id)


@router.get("/insights/overview", response_model=InsightsOverview)
def overview(
    session: SessionDep,
    principal: Reader,
    flow_days: Annotated[int, Query(ge=1, le=365)] = 30,
) -> InsightsOverview:
    """Members per stage, the RFM 8-type matrix and segments, stage flows, CLV bands."""
    return queries.overview(session, principal, flow_days)


@router.post("/insights:recompute", response_model=RecomputeRead)
def recompute_now(body: RecomputeRequest, session: SessionDep, principal: Manager) -> RecomputeRead:
    """Recompute stages, RFM, tags and predictions now (what the daily job does)."""
    report = recompute(session, principal, body.as_of)
    return RecomputeRead.model_validate(report, from_attributes=True)


@router.get("/insights/rules", response_model=LayeringRules)
def read_rules(session: SessionDep, principal: Reader) -> LayeringRules:
    """Lifecycle thresholds and RFM settings (SPEC's defaults until changed)."""
    return load_section(session, principal.tenant_id, LayeringRules)


@router.put("/insights/rules", response_model=LayeringRules)
def replace_rules(
    body: LayeringRules, session: SessionDep, principal: RulesEditor
) -> LayeringRules:
    """Replace the layering rules (audited); they apply from the next recompute."""
    return save_section(session, principal, body)
