"""HTTP routes of the perks room: claim the member day's coupons, and the tenant's perk rules.
The new-member pack follows a sign-up and birthday gifts come from the daily job
(``memberops loyalty daily``), so they have no route of their own."""

from typing import Any

from fastapi import APIRouter, Response

from memberops.kernel.web import MemberId, SessionDep
from memberops.loyalty.access import Operator, Reader, RulesKeeper
from memberops.loyalty.perks import service
from memberops.loyalty.perks.rules import PerkRules
from memberops.loyalty.perks.schemas import PerkGrantRead
from memberops.tenancy.sections import load_section

router = APIRouter(tags=["loyalty"])

_CREATED: dict[int | str, dict[str, Any]] = {201: {"description": "Coupons granted"}}


@router.post(
    "/members/{member_id}/member-day-coupons", response_model=PerkGrantRead, responses=_CREATED
)
def claim_member_day_coupons(
    member_id: MemberId, response: Response, session: SessionDep, principal: Operator
) -> PerkGrantRead:
    """On the member day, give a member whose tier has member-day access the tenant's
    member-day coupons: 201 the first time in the month, 200 with the same grant after.
    409 ``perks.not_member_day`` on other days, ``perks.no_access`` for a tier without
    access, ``perks.no_offer`` when no coupons are set, or a coupon's own refusal."""
    grant = service.claim_member_day_coupons(session, principal, member_id)
    response.status_code = 201 if grant.created else 200
    return grant


@router.get("/loyalty/perk-rules", response_model=PerkRules)
def read_rules(session: SessionDep, principal: Reader) -> PerkRules:
    """The tenant's new-member pack, birthday gift and member-day coupons."""
    return load_section(session, principal.tenant_id, PerkRules)


@router.put("/loyalty/perk-rules", response_model=PerkRules)
def replace_rules(body: PerkRules, session: SessionDep, principal: RulesKeeper) -> PerkRules:
    """Replace the tenant's perk rules (audited); they apply to grants from now on."""
    return service.save_rules(session, principal, body)
