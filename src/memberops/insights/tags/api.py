"""HTTP routes of the tags room: the tags with their sizes, definitions and levers; creating
and changing them; who holds one; tagging a member by hand or a list by upload; evaluating the
computed tags; the behaviour thresholds. Thin: parsing and status codes here, verbs in the
services."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Query, Response, UploadFile

from memberops.insights.tags import membership, service
from memberops.insights.tags.errors import UnreadableUpload
from memberops.insights.tags.rules import BehaviourRules
from memberops.insights.tags.schemas import (
    MemberTagRead,
    RefreshRead,
    RefreshRequest,
    TagAssign,
    TagCreate,
    TagMemberPage,
    TagPage,
    TagPatch,
    TagRead,
    UploadReport,
)
from memberops.insights.tags.upload import LIST_COLUMNS, upload_list
from memberops.kernel import clock
from memberops.kernel.pagination import MAX_KEY, cut_page, decode_cursor
from memberops.kernel.web import Cursor, Limit, MemberId, SessionDep
from memberops.members import service as members
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.dependencies import require
from memberops.tenancy.sections import save_section

router = APIRouter(tags=["tags"])

Reader = Annotated[Principal, Depends(require(Permission.insights_read))]
Manager = Annotated[Principal, Depends(require(Permission.insights_manage))]
RulesEditor = Annotated[Principal, Depends(require(Permission.insights_rules))]
TagId = Annotated[int, Path(ge=1, le=MAX_KEY, description="A tag id")]
_CREATED: dict[int | str, dict[str, Any]] = {201: {"description": "Created"}}
TAGS = "/tags"


@router.get(TAGS, response_model=TagPage)
def list_tags(
    session: SessionDep, principal: Reader, cursor: Cursor = None, limit: Limit = 100
) -> TagPage:
    """The tenant's tags in creation order (the built-in behaviour tags first), each with the
    active members holding it; behaviour tags with their definition and marketing lever."""
    rows = service.list_tags(session, principal, decode_cursor(cursor), limit + 1)
    page = cut_page(rows, limit)
    return TagPage(
        items=service.read_tags(session, principal, page.items), next_cursor=page.next_cursor
    )


@router.post(TAGS, response_model=TagRead, status_code=201)
def create_tag(body: TagCreate, session: SessionDep, principal: Manager) -> TagRead:
    """A manual tag, or a rule tag whose members are worked out at once from its condition
    (422 ``conditions.invalid`` naming the place in it that does not hold)."""
    tag = service.create_tag(session, principal, body)
    return service.read_tags(session, principal, [tag])[0]


@router.get(TAGS + "/behaviour-rules", response_model=BehaviourRules)
def read_behaviour_rules(session: SessionDep, principal: Reader) -> BehaviourRules:
    """The behaviour tags' thresholds (seed 004's defaults until changed)."""
    return service.behaviour_rules(session, principal.tenant_id)


@router.put(TAGS + "/behaviour-rules", response_model=BehaviourRules)
def replace_behaviour_rules(
    body: BehaviourRules, session: SessionDep, principal: RulesEditor
) -> BehaviourRules:
    """Replace the thresholds (audited); they apply from the next refresh."""
    return save_section(session, principal, body)


@router.post(TAGS + ":refresh", response_model=RefreshRead)
def refresh(body: RefreshRequest, session: SessionDep, principal: Manager) -> RefreshRead:
    """Evaluate every active rule and behaviour tag now (or as of ``as_of``)."""
    as_of = clock.now() if body.as_of is None else body.as_of
    return RefreshRead(as_of=as_of, tags=service.refresh_tags(session, principal, as_of))


@router.get(TAGS + "/{tag_id}", response_model=TagRead)
def read_tag(tag_id: TagId, session: SessionDep, principal: Reader) -> TagRead:
    tag = service.get_tag(session, principal, tag_id)
    return service.read_tags(session, principal, [tag])[0]


@router.patch(TAGS + "/{tag_id}", response_model=TagRead)
def patch_tag(tag_id: TagId, body: TagPatch, session: SessionDep, principal: Manager) -> TagRead:
    """Rename, describe, change a rule tag's condition, or (de)activate a tag; behaviour tags
    change only ``active``."""
    tag = service.update_tag(session, principal, tag_id, body)
    return service.read_tags(session, principal, [tag])[0]


@router.get(TAGS + "/{tag_id}/members", response_model=TagMemberPage)
def tag_members(
    tag_id: TagId, session: SessionDep, principal: Reader, cursor: Cursor = None, limit: Limit = 50
) -> TagMemberPage:
    """The active members holding the tag, by member id; names and phones masked for roles
    without access to personal data."""
    rows = membership.holders(session, principal, tag_id, decode_cursor(cursor), limit + 1)
    page = cut_page(rows, limit)
    items = membership.read_holders(session, principal, page.items)
    return TagMemberPage(items=items, next_cursor=page.next_cursor)


@router.post(TAGS + "/{tag_id}/members:upload", response_model=UploadReport)
def upload(
    tag_id: TagId,
    session: SessionDep,
    principal: Manager,
    file: Annotated[UploadFile | None, File(description="The CSV list (required)")] = None,
    column: Annotated[str | None, Query(description=f"One of {', '.join(LIST_COLUMNS)}")] = None,
) -> UploadReport:
    """Tag the members a CSV list names with this manual tag. Rows that match no active member
    are reported with their row number and why; uploading the same list again changes
    nothing. ``column`` picks the identity column when the header has several."""
    membership.manual_tag(session, principal, tag_id)
    if file is None:
        message = "send the list as the multipart field file"
        raise UnreadableUpload(message, errors=[{"loc": ["body", "file"], "msg": message}])
    return upload_list(session, principal, tag_id, file.file.read(), column=column)


@router.get("/members/{member_id}/tags", response_model=list[MemberTagRead])
def member_tags(member_id: MemberId, session: SessionDep, principal: Reader) -> list[Any]:
    """The active tags the member holds: manual, rule, then behaviour ones."""
    members.get_member(session, principal, member_id)
    return service.tags_of(session, principal, member_id)


@router.post("/members/{member_id}/tags", response_model=list[MemberTagRead], responses=_CREATED)
def tag_member(
    member_id: MemberId,
    body: TagAssign,
    response: Response,
    session: SessionDep,
    principal: Manager,
) -> list[Any]:
    """Give the member a manual tag: 201 when it is new, 200 when the member already held it.
    Answers the member's tags."""
    added = membership.tag_member(session, principal, member_id, body.tag_id)
    response.status_code = 201 if added else 200
    return service.tags_of(session, principal, member_id)


@router.delete("/members/{member_id}/tags/{tag_id}", status_code=204)
def untag_member(
    member_id: MemberId, tag_id: TagId, session: SessionDep, principal: Manager
) -> Response:
    """Take a manual tag from the member (204 also when it did not hold it)."""
    membership.untag_member(session, principal, member_id, tag_id)
    return Response(status_code=204)
