"""HTTP routes of the community room: groups, their rosters, the rules and the review. Thin:
the work is in ``service`` and ``review``. Reading takes ``campaigns:read``, changing
``campaigns:manage`` (groups are a marketing reach, kept by the same operators)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from memberops.community import review, service
from memberops.community.models import CommunityGroup
from memberops.community.rules import CommunityRules
from memberops.community.schemas import (
    GroupCreate,
    GroupDetail,
    GroupPage,
    GroupRead,
    InviteRequest,
    InviteResult,
    ReviewResult,
    RosterRead,
)
from memberops.kernel.pagination import MAX_KEY, cut_page, decode_cursor
from memberops.kernel.web import Cursor, Limit, SessionDep
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.dependencies import require
from memberops.tenancy.sections import load_section
from memberops.tenancy.service import audit

router = APIRouter(tags=["community"])

Reader = Annotated[Principal, Depends(require(Permission.campaigns_read))]
Manager = Annotated[Principal, Depends(require(Permission.campaigns_manage))]
GroupId = Annotated[int, Path(ge=1, le=MAX_KEY, description="A community group id")]
MemberId = Annotated[int, Path(ge=1, le=MAX_KEY, description="A member id")]
GROUPS = "/community-groups"
GROUP = GROUPS + "/{group_id}"


def _read(group: CommunityGroup, limit: int) -> GroupRead:
    return GroupRead(
        id=str(group.id),
        kind=group.kind,
        name=group.name,
        series=group.series,
        number=group.number,
        size=group.size,
        limit=limit,
        created_by=group.created_by,
        created_at=group.created_at,
    )


@router.get(GROUPS, response_model=GroupPage)
def list_groups(
    session: SessionDep, principal: Reader, cursor: Cursor = None, limit: Limit = 50
) -> GroupPage:
    """The tenant's groups, newest first, with their sizes."""
    rows = service.list_groups(session, principal, decode_cursor(cursor), limit + 1)
    page = cut_page(rows, limit)
    size = service.group_size(session, principal)
    return GroupPage(items=[_read(g, size) for g in page.items], next_cursor=page.next_cursor)


@router.post(GROUPS, response_model=GroupRead, status_code=201)
def create(body: GroupCreate, session: SessionDep, principal: Manager) -> GroupRead:
    """The first group of a series; the next ones open by themselves as it fills. 409
    ``community.name_taken`` for a name in use."""
    group = service.create_group(session, principal, body)
    return _read(group, service.group_size(session, principal))


@router.get(GROUPS + "/rules", response_model=CommunityRules)
def read_rules(session: SessionDep, principal: Reader) -> CommunityRules:
    """The group size and the VIP rule of the monthly review (defaults until changed)."""
    return load_section(session, principal.tenant_id, CommunityRules)


@router.put(GROUPS + "/rules", response_model=CommunityRules)
def replace_rules(body: CommunityRules, session: SessionDep, principal: Manager) -> CommunityRules:
    """Replace the whole document (audited). 422 ``conditions.invalid`` for a VIP rule that
    does not compile, ``community.invalid`` for a group that is not one of the VIP groups."""
    return review.save_rules(session, principal, body)


@router.post(GROUPS + ":review", response_model=ReviewResult)
def run_review(session: SessionDep, principal: Manager) -> ReviewResult:
    """Run the VIP review now (the worker runs it once a month): invite who the rule selects,
    remove who it no longer does."""
    return review.review_now(session, principal)


@router.get(GROUP, response_model=GroupDetail)
def get(
    group_id: GroupId,
    session: SessionDep,
    principal: Reader,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> GroupDetail:
    """One group with a page of its current roster, the latest joined first."""
    group = service.get_group(session, principal, group_id)
    page = cut_page(
        service.roster(session, principal, group, decode_cursor(cursor), limit + 1), limit
    )
    roster = [
        RosterRead(member_id=str(r.member_id), joined_at=r.joined_at, invited_by=r.invited_by)
        for r in page.items
    ]
    read = _read(group, service.group_size(session, principal))
    return GroupDetail(**read.model_dump(), roster=roster, next_cursor=page.next_cursor)


@router.post(GROUP + "/members", response_model=InviteResult)
def invite(
    group_id: GroupId, body: InviteRequest, session: SessionDep, principal: Manager
) -> InviteResult:
    """Invite members into the group's series (the next group opens when it is full). A
    member already on a group of the kind is left there (``already``); ids that are no active
    member of the tenant are listed in ``not_found``."""
    group = service.get_group(session, principal, group_id)
    ids = body.ids()
    active = service.active_members(session, principal, ids)
    already = service.current_of_kind(session, principal, group.kind, ids)
    seated = service.invite(session, principal, group, ids, f"operator:{principal.actor}")
    if seated:
        audit(
            session,
            principal,
            "community.invite",
            ("community_group", str(group.id)),
            None,
            {"member_ids": [str(m) for m in seated]},
        )
    return InviteResult(
        invited={str(m): str(g) for m, g in seated.items()},
        already=[str(m) for m in ids if m in already],
        not_found=[str(m) for m in ids if m not in active],
    )


@router.delete(GROUP + "/members/{member_id}", status_code=204)
def remove(group_id: GroupId, member_id: MemberId, session: SessionDep, principal: Manager) -> None:
    """Take the member off the group. 404 ``community.not_in_group`` when not on it."""
    service.remove_member(session, principal, group_id, member_id)
