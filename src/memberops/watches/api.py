"""HTTP routes of the watches room. Thin: the work is in ``service``. Reading takes
``insights:read``, changing ``insights:manage`` (a watch is a figure of the insights kind,
kept by the operators who keep tags and layering)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from memberops.kernel.pagination import MAX_KEY, cut_page, decode_cursor
from memberops.kernel.web import Cursor, Limit, SessionDep
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.dependencies import require
from memberops.watches import service
from memberops.watches.schemas import WatchCreate, WatchPage, WatchPatch, WatchRead

router = APIRouter(tags=["watches"])

Reader = Annotated[Principal, Depends(require(Permission.insights_read))]
Manager = Annotated[Principal, Depends(require(Permission.insights_manage))]
WatchId = Annotated[int, Path(ge=1, le=MAX_KEY, description="A watch id")]
WATCH = "/watches/{watch_id}"


@router.post("/watches", response_model=WatchRead, status_code=201)
def create(body: WatchCreate, session: SessionDep, principal: Manager) -> WatchRead:
    """A watch of a figure against a threshold. 422 ``watches.invalid`` for a crowd that is
    not the tenant's (or a crowd on another figure); 409 ``watches.name_taken``."""
    return service.read(service.create_watch(session, principal, body))


@router.get("/watches", response_model=WatchPage)
def list_watches(
    session: SessionDep, principal: Reader, cursor: Cursor = None, limit: Limit = 50
) -> WatchPage:
    """The tenant's watches, newest first, with their last values and notifications."""
    rows = service.list_watches(session, principal, decode_cursor(cursor), limit + 1)
    page = cut_page(rows, limit)
    return WatchPage(items=[service.read(w) for w in page.items], next_cursor=page.next_cursor)


@router.get(WATCH, response_model=WatchRead)
def get(watch_id: WatchId, session: SessionDep, principal: Reader) -> WatchRead:
    """One watch, its last value and last notification."""
    return service.read(service.get_watch(session, principal, watch_id))


@router.patch(WATCH, response_model=WatchRead)
def update(
    watch_id: WatchId, body: WatchPatch, session: SessionDep, principal: Manager
) -> WatchRead:
    """Change the watch (its figure and crowd stay)."""
    return service.read(service.update_watch(session, principal, watch_id, body))


@router.delete(WATCH, status_code=204)
def delete(watch_id: WatchId, session: SessionDep, principal: Manager) -> None:
    """Stop watching (the messages it queued stay)."""
    service.delete_watch(session, principal, watch_id)
