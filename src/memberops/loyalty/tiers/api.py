"""HTTP routes of the tiers room: the ladder (read, replace), members per level, and a
member's level with its history. Thin: verbs in ``service``, reads in ``queries``."""

from typing import Annotated

from fastapi import APIRouter, Query

from memberops.kernel.pagination import cut_page, decode_cursor
from memberops.kernel.web import MemberId, SessionDep
from memberops.loyalty.access import Reader, RulesKeeper
from memberops.loyalty.tiers import queries, service
from memberops.loyalty.tiers.rules import TierLadder
from memberops.loyalty.tiers.schemas import Distribution, LadderSaved, MemberTierRead
from memberops.members import service as members

router = APIRouter(tags=["loyalty"])


@router.get("/loyalty/tiers", response_model=TierLadder)
def read_ladder(session: SessionDep, principal: Reader) -> TierLadder:
    """The tenant's tier ladder, lowest level first."""
    return service.ladder(session, principal.tenant_id)


@router.put("/loyalty/tiers", response_model=LadderSaved)
def replace_ladder(body: TierLadder, session: SessionDep, principal: RulesKeeper) -> LadderSaved:
    """Replace the whole ladder (audited) and re-evaluate every member against it at once:
    members are placed and upgraded, never moved down before their period ends."""
    changed = service.save_ladder(session, principal, body)
    return LadderSaved(ladder=body, members_changed=changed)


@router.get("/loyalty/tiers/distribution", response_model=Distribution)
def distribution(session: SessionDep, principal: Reader) -> Distribution:
    """How many members hold each level."""
    return queries.distribution(session, principal)


@router.get("/members/{member_id}/tier", response_model=MemberTierRead)
def member_tier(
    member_id: MemberId,
    session: SessionDep,
    principal: Reader,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> MemberTierRead:
    """The member's level now and its tier history, newest first."""
    members.get_member(session, principal, member_id)
    rows = queries.history(session, principal, member_id, decode_cursor(cursor), limit + 1)
    page = cut_page(rows, limit)
    return MemberTierRead(
        member_id=str(member_id),
        level=queries.level_of(session, principal, member_id),
        history=[queries.read_change(change) for change in page.items],
        next_cursor=page.next_cursor,
    )
