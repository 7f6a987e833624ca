"""HTTP routes for members: register or resolve by identities, read, look up, update, merge
history and undo, erase and export. They live in the identity room because every one of them
needs identities; the member record itself belongs to ``members``."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response

from memberops.identity import privacy, service
from memberops.identity.errors import IdentityNotFound
from memberops.identity.merge import undo_merge
from memberops.identity.normalise import parse_identity_query
from memberops.identity.schemas import (
    MemberDetail,
    MemberPage,
    MemberPatch,
    MemberUpsert,
    MergeRead,
    UpsertResult,
)
from memberops.kernel.pagination import MAX_KEY, cut_page, decode_cursor
from memberops.kernel.schemas import Text
from memberops.kernel.web import MemberId, SessionDep
from memberops.members import service as members
from memberops.members.errors import MemberErased
from memberops.members.models import MemberStatus
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.dependencies import get_principal, require

router = APIRouter(tags=["members"])

Writer = Annotated[Principal, Depends(require(Permission.members_write))]
Reader = Annotated[Principal, Depends(require(Permission.members_read))]
Merger = Annotated[Principal, Depends(require(Permission.members_merge))]
Eraser = Annotated[Principal, Depends(require(Permission.members_erase))]
Exporter = Annotated[Principal, Depends(require(Permission.members_export))]
AnyRole = Annotated[Principal, Depends(get_principal)]


@router.post("/members", response_model=UpsertResult, responses={201: {"model": UpsertResult}})
def upsert_member(
    body: MemberUpsert, response: Response, session: SessionDep, principal: Writer
) -> UpsertResult:
    """Create the member these identities belong to, or return it (merging when they belong
    to several). 201 when a member was created, 200 otherwise."""
    result = service.upsert_member(session, principal, body, registration=True)
    response.status_code = 201 if result.created else 200
    return result


@router.get("/members", response_model=MemberPage)
def list_members(
    session: SessionDep,
    principal: AnyRole,
    identity: Annotated[
        str | None, Query(max_length=400, description="type:value, e.g. phone:+8613800000000")
    ] = None,
    q: Annotated[Text | None, Query(max_length=200, description="Any identity or a name")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> MemberPage:
    """Find the member with one identity, search by any identity or name, or page through all."""
    if identity is not None:
        principal.require(Permission.members_lookup)
        try:
            query = parse_identity_query(identity, principal.phone_region)
            found = [service.find_by_identity(session, principal, query)]
        except IdentityNotFound:
            found = []
        return MemberPage(
            items=[members.read_member(session, principal, m) for m in found], next_cursor=None
        )
    principal.require(Permission.members_list)
    if q:
        rows = service.search_members(session, principal, q, limit)
        return MemberPage(
            items=[members.read_member(session, principal, m) for m in rows], next_cursor=None
        )
    page = cut_page(
        members.list_members(session, principal, decode_cursor(cursor), limit + 1), limit
    )
    return MemberPage(
        items=[members.read_member(session, principal, m) for m in page.items],
        next_cursor=page.next_cursor,
    )


@router.get("/members/{member_id}", response_model=MemberDetail)
def read_member(member_id: MemberId, session: SessionDep, principal: Reader) -> MemberDetail:
    """The member with identities and merge history. A merged-away member answers with
    ``status: merged`` and ``merged_into`` naming the survivor."""
    return service.member_detail(
        session, principal, members.get_member(session, principal, member_id)
    )


@router.patch("/members/{member_id}", response_model=MemberDetail)
def update_member(
    member_id: MemberId, body: MemberPatch, session: SessionDep, principal: Writer
) -> MemberDetail:
    member = members.get_member(session, principal, member_id)
    if member.status != MemberStatus.active:
        merged = member.status == MemberStatus.merged
        raise MemberErased(
            f"Member {member_id} was merged into {member.merged_into_id}; change that member "
            "instead."
            if merged
            else f"Member {member_id} was erased and cannot be changed.",
            member_id=str(member_id),
            member_status=str(member.status),
            merged_into=str(member.merged_into_id) if merged else None,
        )
    members.update_attributes(session, principal, member, body.attributes)
    if body.consent:
        members.set_consent(
            session, principal, member.id, body.consent, body.consent_source or principal.actor
        )
    return service.member_detail(session, principal, member)


@router.get("/members/{member_id}/merges", response_model=list[MergeRead])
def list_merges(member_id: MemberId, session: SessionDep, principal: Reader) -> list[MergeRead]:
    members.get_member(session, principal, member_id)
    return [service.read_merge(m) for m in service.merges_of(session, principal, member_id)]


@router.post("/merges/{merge_id}/undo", response_model=MergeRead)
def undo(
    merge_id: Annotated[int, Path(ge=1, le=MAX_KEY)], session: SessionDep, principal: Merger
) -> MergeRead:
    """Undo a merge: both members come back as they were before it."""
    return service.read_merge(undo_merge(session, principal, merge_id))


@router.delete("/members/{member_id}/pii", response_model=MemberDetail)
def erase(member_id: MemberId, session: SessionDep, principal: Eraser) -> MemberDetail:
    """Right to be forgotten: remove the member's personal data, keep anonymous aggregates."""
    member = privacy.erase_member(session, principal, member_id)
    return service.member_detail(session, principal, member)


@router.get("/members/{member_id}/export")
def export(member_id: MemberId, session: SessionDep, principal: Exporter) -> dict[str, Any]:
    """Everything held on the member, as one JSON document."""
    return privacy.export_member(session, principal, member_id)
