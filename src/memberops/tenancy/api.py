"""HTTP routes of the tenancy room: the tenant's settings, channels, stores, API keys, console
users and the audit log."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from memberops.kernel.errors import InvalidInput
from memberops.kernel.pagination import cut_page, decode_cursor
from memberops.kernel.schemas import Text
from memberops.kernel.web import SessionDep, SettingsDep
from memberops.tenancy import service, users
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.dependencies import require
from memberops.tenancy.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    AuditPage,
    AuditRead,
    ChannelCreate,
    ChannelRead,
    StoreCreate,
    StoreRead,
    TenantRead,
    TenantUpdate,
    UserGrant,
)

router = APIRouter(tags=["tenancy"])

Reader = Annotated[Principal, Depends(require(Permission.tenancy_read))]
Admin = Annotated[Principal, Depends(require(Permission.tenancy_admin))]
Auditor = Annotated[Principal, Depends(require(Permission.audit_read))]


@router.get("/tenant", response_model=TenantRead)
def read_tenant(session: SessionDep, principal: Reader) -> object:
    return service.current_tenant(session, principal)


@router.patch("/tenant", response_model=TenantRead)
def update_tenant(body: TenantUpdate, session: SessionDep, principal: Admin) -> object:
    return service.update_tenant(session, principal, body.model_dump(exclude_none=True))


@router.get("/channels", response_model=list[ChannelRead])
def list_channels(session: SessionDep, principal: Reader) -> object:
    return service.list_channels(session, principal)


@router.post("/channels", response_model=ChannelRead, status_code=201)
def create_channel(body: ChannelCreate, session: SessionDep, principal: Admin) -> object:
    return service.create_channel(session, principal, body.code, body.name)


@router.get("/stores", response_model=list[StoreRead])
def list_stores(session: SessionDep, principal: Reader) -> list[StoreRead]:
    return [
        StoreRead(code=s.code, name=s.name, channel=s.channel_code)
        for s in service.list_stores(session, principal)
    ]


@router.post("/stores", response_model=StoreRead, status_code=201)
def create_store(body: StoreCreate, session: SessionDep, principal: Admin) -> StoreRead:
    store = service.create_store(session, principal, body.code, body.name, body.channel)
    return StoreRead(code=store.code, name=store.name, channel=store.channel_code)


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=201)
def create_api_key(body: ApiKeyCreate, session: SessionDep, principal: Admin) -> ApiKeyCreated:
    key = service.create_api_key(session, principal, body.scope, body.name)
    return ApiKeyCreated(key=key, scope=body.scope, name=body.name)


@router.post("/users", status_code=201)
def grant_user(
    body: UserGrant, session: SessionDep, settings: SettingsDep, principal: Admin
) -> dict[str, str]:
    user = users.create_user(
        session, principal, body.email, body.password, body.role, locale=settings.default_locale
    )
    return {"id": str(user.id), "email": user.email, "role": body.role.value}


@router.get("/audit", response_model=AuditPage)
def list_audit(
    session: SessionDep,
    principal: Auditor,
    entity_type: Annotated[Text | None, Query(max_length=64)] = None,
    entity_id: Annotated[Text | None, Query(max_length=64)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> AuditPage:
    """The tenant's audit log, newest first; ``entity_type`` and ``entity_id`` go together."""
    if bool(entity_type) != bool(entity_id):
        missing = "entity_id" if entity_type else "entity_type"
        raise InvalidInput(
            "Filter by entity with both entity_type and entity_id.",
            errors=[{"loc": ["query", missing], "msg": "required with the other entity filter"}],
        )
    entity = (entity_type, entity_id) if entity_type and entity_id else None
    rows = service.list_audit(session, principal, entity, decode_cursor(cursor), limit + 1)
    page = cut_page(rows, limit)
    items = [
        AuditRead(
            id=str(r.id),
            actor=r.actor,
            action=r.action,
            entity_type=r.entity_type,
            entity_id=r.entity_id,
            before=r.before,
            after=r.after,
            at=r.at,
        )
        for r in page.items
    ]
    return AuditPage(items=items, next_cursor=page.next_cursor)
