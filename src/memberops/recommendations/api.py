"""HTTP routes of the recommendations room: a member's recommendations, an on-demand rebuild
and the rules. Thin: the work is in ``service``."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from memberops.kernel import clock
from memberops.kernel.web import MemberId, SessionDep
from memberops.recommendations import service
from memberops.recommendations.rules import RecommendationRules
from memberops.recommendations.schemas import RebuildRead, RecommendationsRead
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.dependencies import require
from memberops.tenancy.sections import load_section, save_section

router = APIRouter(tags=["recommendations"])

MemberReader = Annotated[Principal, Depends(require(Permission.members_read))]
Reader = Annotated[Principal, Depends(require(Permission.insights_read))]
Manager = Annotated[Principal, Depends(require(Permission.insights_manage))]
RulesEditor = Annotated[Principal, Depends(require(Permission.insights_rules))]


@router.get("/members/{member_id}/recommendations", response_model=RecommendationsRead)
def member_recommendations(
    member_id: MemberId,
    session: SessionDep,
    principal: MemberReader,
    limit: Annotated[int, Query(ge=1, le=50, description="Items at most")] = 10,
) -> RecommendationsRead:
    """Products to suggest to the member, best first, none they bought, each with its reason:
    bought together with theirs, top sellers of their favourite categories, new arrivals
    (novelty seekers), top sellers (herd buyers, and to fill a short list). Read from the
    figures of the latest rebuild (``computed_at``)."""
    return service.recommend(session, principal, member_id, limit)


@router.post("/recommendations:rebuild", response_model=RebuildRead)
def rebuild_now(session: SessionDep, principal: Manager) -> RebuildRead:
    """Rebuild the co-purchase neighbours and product figures now (the worker does it daily)."""
    now = clock.now()
    done = service.rebuild(session, principal, now)
    return RebuildRead(products=done.products, neighbours=done.neighbours, computed_at=now)


@router.get("/recommendations/rules", response_model=RecommendationRules)
def read_rules(session: SessionDep, principal: Reader) -> RecommendationRules:
    """The tenant's recommendation settings (the defaults until it saves its own)."""
    return load_section(session, principal.tenant_id, RecommendationRules)


@router.put("/recommendations/rules", response_model=RecommendationRules)
def replace_rules(
    body: RecommendationRules, session: SessionDep, principal: RulesEditor
) -> RecommendationRules:
    """Replace the settings; the next rebuild uses them."""
    return save_section(session, principal, body)
