"""HTTP routes of the points room: a member's points, redeem and adjust (idempotent on the
required ``Idempotency-Key``), members with points expiring, the liability report and the earn
rules. Thin: verbs in ``service``, reads in ``queries`` and ``expiry``."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from memberops.kernel.pagination import cut_page, decode_cursor
from memberops.kernel.web import Cursor, Limit, MemberId, RequiredIdempotencyKeyDep, SessionDep
from memberops.loyalty.access import REPLAYABLE, Manager, Operator, Reader, RulesKeeper
from memberops.loyalty.points import expiry, queries, service
from memberops.loyalty.points.rules import EarnRules
from memberops.loyalty.points.schemas import (
    AdjustIn,
    EntryRead,
    ExpiringMember,
    ExpiringPage,
    LiabilityRead,
    PointsRead,
    RedeemIn,
    RedemptionRead,
)
from memberops.members import service as members
from memberops.tenancy.sections import load_section, save_section

router = APIRouter(tags=["loyalty"])


@router.get("/members/{member_id}/points", response_model=PointsRead)
def member_points(
    member_id: MemberId,
    session: SessionDep,
    principal: Reader,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> PointsRead:
    """The member's balance (an integer number of points, = the sum of the ledger), its
    spendable lots by expiry, what expires soon, and its history, newest first."""
    return queries.read_points(session, principal, member_id, decode_cursor(cursor), limit)


@router.post(
    "/members/{member_id}/points/redeem", response_model=RedemptionRead, responses=REPLAYABLE
)
def redeem(
    member_id: MemberId,
    body: RedeemIn,
    key: RequiredIdempotencyKeyDep,
    response: Response,
    session: SessionDep,
    principal: Operator,
) -> RedemptionRead:
    """Spend points as a cash offset (``points_per_yuan_redeemed`` points = 1 yuan), oldest
    expiry first. 409 ``points.insufficient`` past the balance, ``points.over_order_share``
    past ``max_redeem_share`` of ``order_amount``; nothing is taken then."""
    members.get_member(session, principal, member_id)
    answer, done = service.redeem(session, principal, member_id, body, key)
    response.status_code = 201 if done else 200
    return answer


@router.post("/members/{member_id}/points/adjust", response_model=EntryRead, responses=REPLAYABLE)
def adjust(
    member_id: MemberId,
    body: AdjustIn,
    key: RequiredIdempotencyKeyDep,
    response: Response,
    session: SessionDep,
    principal: Manager,
) -> EntryRead:
    """Add (a new lot) or take (oldest expiry first) points by hand, with a reason; never
    below zero (409 ``points.insufficient``)."""
    members.get_member(session, principal, member_id)
    answer, done = service.adjust(session, principal, member_id, body, key)
    response.status_code = 201 if done else 200
    return answer


@router.get("/points/expiring", response_model=ExpiringPage)
def points_expiring(
    session: SessionDep,
    principal: Reader,
    days: Annotated[int, Query(ge=1, le=3650)] = 30,
    cursor: Cursor = None,
    limit: Limit = 100,
) -> ExpiringPage:
    """Members with points expiring within ``days``, by member id."""
    until, rows = expiry.expiring(session, principal, days, decode_cursor(cursor), limit + 1)
    page = cut_page(rows, limit)
    items = [
        ExpiringMember(member_id=str(r.id), points=r.points, first_expires_at=r.first_expires_at)
        for r in page.items
    ]
    return ExpiringPage(until=until, items=items, next_cursor=page.next_cursor)


@router.get("/points/liability", response_model=LiabilityRead)
def points_liability(session: SessionDep, principal: Reader) -> LiabilityRead:
    """Outstanding points and their money value, by local month of expiry; debts apart."""
    return queries.liability(session, principal)


@router.get("/loyalty/points-rules", response_model=EarnRules)
def read_rules(session: SessionDep, principal: Reader) -> EarnRules:
    """The tenant's earn and redeem rules (SPEC's defaults until changed)."""
    return load_section(session, principal.tenant_id, EarnRules)


@router.put("/loyalty/points-rules", response_model=EarnRules)
def replace_rules(body: EarnRules, session: SessionDep, principal: RulesKeeper) -> EarnRules:
    """Replace the whole rules document (audited); applies to orders recorded from now on."""
    return save_section(session, principal, body)
