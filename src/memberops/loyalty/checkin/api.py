"""HTTP routes of the check-in room: check a member in, read their standing, and the tenant's
check-in rules. Thin: parsing and status codes here, verbs in ``service``."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from memberops.kernel.web import MemberId, SessionDep
from memberops.loyalty.access import Operator, Reader, RulesKeeper
from memberops.loyalty.checkin import service
from memberops.loyalty.checkin.rules import CheckInRules
from memberops.loyalty.checkin.schemas import CheckInRead, CheckInStatus
from memberops.tenancy.sections import load_section

router = APIRouter(tags=["loyalty"])

Month = Annotated[
    str | None,
    Query(pattern=r"^2[01]\d\d-(0[1-9]|1[0-2])$", description="YYYY-MM; this local month"),
]
_CREATED: dict[int | str, dict[str, Any]] = {201: {"description": "Checked in"}}


@router.post("/members/{member_id}/check-ins", response_model=CheckInRead, responses=_CREATED)
def check_in(
    member_id: MemberId, response: Response, session: SessionDep, principal: Operator
) -> CheckInRead:
    """Check the member in for today in the tenant's timezone. 201 with the streak and the
    rewards; 200 with the same answer when already checked in today (nothing is granted
    twice); 409 ``checkin.disabled`` when check-in is off, ``members.erased`` for a merged or
    erased member."""
    answer = service.check_in(session, principal, member_id)
    response.status_code = 201 if answer.created else 200
    return answer


@router.get("/members/{member_id}/check-ins", response_model=CheckInStatus)
def check_in_status(
    member_id: MemberId, session: SessionDep, principal: Reader, month: Month = None
) -> CheckInStatus:
    """The member's current streak (0 once a local day was missed), whether they checked in
    today, what the next check-in earns and the check-ins of ``month``."""
    return service.check_in_status(session, principal, member_id, month)


@router.get("/loyalty/check-in-rules", response_model=CheckInRules)
def read_rules(session: SessionDep, principal: Reader) -> CheckInRules:
    """The tenant's check-in rules (SPEC's defaults until changed)."""
    return load_section(session, principal.tenant_id, CheckInRules)


@router.put("/loyalty/check-in-rules", response_model=CheckInRules)
def replace_rules(body: CheckInRules, session: SessionDep, principal: RulesKeeper) -> CheckInRules:
    """Replace the tenant's check-in rules (audited); they apply from the next check-in."""
    return service.save_rules(session, principal, body)
