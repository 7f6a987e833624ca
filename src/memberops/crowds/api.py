"""HTTP routes of the crowds room: preview a condition, keep crowds, page through their members,
compare two, export one as CSV, and the fields the crowd builder offers. Thin: the work is in
``service`` and ``export``."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from memberops.crowds import service
from memberops.crowds.export import export_lines
from memberops.crowds.schemas import (
    CrowdCreate,
    CrowdMemberPage,
    CrowdPage,
    CrowdPatch,
    CrowdPreview,
    CrowdPreviewRequest,
    CrowdRead,
    FieldRead,
    OverlapRead,
)
from memberops.kernel import clock
from memberops.kernel.pagination import MAX_KEY, cut_page, decode_cursor, encode_cursor
from memberops.kernel.web import Cursor, Limit, SessionDep
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.dependencies import require

router = APIRouter(tags=["crowds"])

Reader = Annotated[Principal, Depends(require(Permission.crowds_read))]
Manager = Annotated[Principal, Depends(require(Permission.crowds_manage))]
CrowdId = Annotated[int, Path(ge=1, le=MAX_KEY, description="A crowd id")]
CROWD = "/crowds/{crowd_id}"


@router.get("/crowds/fields", response_model=list[FieldRead])
def fields(session: SessionDep, principal: Reader) -> list[FieldRead]:
    """Every field a condition can name: type, operators, labels, and the values it takes."""
    return service.fields(session, principal)


@router.post("/crowds:preview", response_model=CrowdPreview)
def preview(body: CrowdPreviewRequest, session: SessionDep, principal: Reader) -> CrowdPreview:
    """How many active members the condition selects now, and the first of them by id."""
    return service.preview(session, principal, body)


@router.post("/crowds", response_model=CrowdRead, status_code=201)
def create(body: CrowdCreate, session: SessionDep, principal: Manager) -> CrowdRead:
    """Keep a crowd: dynamic (its condition, evaluated at each use) or a snapshot (frozen)."""
    return service.read(service.create_crowd(session, principal, body))


@router.get("/crowds", response_model=CrowdPage)
def list_crowds(
    session: SessionDep, principal: Reader, cursor: Cursor = None, limit: Limit = 50
) -> CrowdPage:
    """The tenant's crowds, newest first, each with its size when last counted."""
    rows = service.list_crowds(session, principal, decode_cursor(cursor), limit + 1)
    page = cut_page(rows, limit)
    return CrowdPage(items=[service.read(c) for c in page.items], next_cursor=page.next_cursor)


@router.get(CROWD, response_model=CrowdRead)
def get(crowd_id: CrowdId, session: SessionDep, principal: Reader) -> CrowdRead:
    """One crowd, counted now."""
    crowd = service.get_crowd(session, principal, crowd_id)
    return service.read(service.counted(session, principal, crowd))


@router.patch(CROWD, response_model=CrowdRead)
def update(
    crowd_id: CrowdId, body: CrowdPatch, session: SessionDep, principal: Manager
) -> CrowdRead:
    """Rename a crowd, describe it or change its condition."""
    return service.read(service.update_crowd(session, principal, crowd_id, body))


@router.delete(CROWD, status_code=204)
def delete(crowd_id: CrowdId, session: SessionDep, principal: Manager) -> Response:
    """Forget a crowd (campaigns that used it keep what they sent)."""
    service.delete_crowd(session, principal, crowd_id)
    return Response(status_code=204)


@router.post(CROWD + ":freeze", response_model=CrowdRead)
def freeze(crowd_id: CrowdId, session: SessionDep, principal: Manager) -> CrowdRead:
    """Freeze a snapshot crowd again: its members become those its condition selects now."""
    return service.read(service.freeze(session, principal, crowd_id))


@router.get(CROWD + "/members", response_model=CrowdMemberPage)
def members(
    crowd_id: CrowdId,
    session: SessionDep,
    principal: Reader,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> CrowdMemberPage:
    """The crowd's members now, by member id; names and phones masked for roles without
    access to personal data."""
    ids = service.members_page(session, principal, crowd_id, decode_cursor(cursor), limit + 1)
    more = len(ids) > limit
    return CrowdMemberPage(
        items=service.member_rows(session, principal, ids[:limit]),
        next_cursor=encode_cursor(ids[limit - 1]) if more else None,
    )


@router.get(CROWD + "/overlap", response_model=OverlapRead)
def overlap(
    crowd_id: CrowdId,
    session: SessionDep,
    principal: Reader,
    other: Annotated[int, Query(ge=1, le=MAX_KEY, description="The crowd to compare with")],
) -> OverlapRead:
    """How this crowd's members and another's overlap now."""
    return service.overlap(session, principal, crowd_id, other)


@router.get(
    CROWD + "/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "The members as CSV"}},
)
def export(
    crowd_id: CrowdId, request: Request, session: SessionDep, principal: Reader
) -> StreamingResponse:
    """The crowd's members as CSV (UTF-8 with a BOM, for Excel), masked by role, streamed."""
    crowd = service.get_crowd(session, principal, crowd_id)
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    lines = export_lines(request.app.state.session_factory, principal, crowd.id)
    headers = {"Content-Disposition": f'attachment; filename="crowd-{crowd.id}-{stamp}.csv"'}
    return StreamingResponse(lines, media_type="text/csv; charset=utf-8", headers=headers)
