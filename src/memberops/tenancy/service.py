"""Verbs of the tenancy room: create tenants, channels, stores, keys and users; authenticate;
write the audit log. Callers own the transaction."""

import hashlib
import hmac
import re
import secrets
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.kernel.pagination import newest_first
from memberops.kernel.settings import Settings
from memberops.tenancy.access import Principal, tenant_scope
from memberops.tenancy.errors import (
    ApiKeyNotFound,
    CodeExists,
    InvalidCredentials,
    InvalidTenantSetting,
    TenantExists,
    TenantNotFound,
)
from memberops.tenancy.models import (
    ApiKey,
    AuditEntry,
    Channel,
    Role,
    Store,
    Tenant,
)

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
#: The public part of a key, as :func:`create_api_key` makes it (checked before any query).
_KEY_PREFIX = re.compile(r"[0-9a-f]{1,16}")

#: Channels every new tenant starts with (SPEC §1); merchants add their own.
DEFAULT_CHANNELS = {
    "taobao": "淘宝 Taobao",
    "tmall": "天猫 Tmall",
    "jd": "京东 JD",
    "youzan": "有赞 Youzan",
    "mini_program": "小程序 Mini-program",
    "pos": "门店 POS",
    "wechat_oa": "公众号 WeChat OA",
    "wecom": "企业微信 WeCom",
    "web": "网站 Web",
    "app": "App",
}

SYSTEM_ACTOR = "system"


def record_audit(
    session: Session,
    actor: str,
    tenant_id: int | None,
    action: str,
    entity: tuple[str, str],
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Write one audit row: who (``actor``) did ``action`` to ``entity`` = (type, id)."""
    session.add(
        AuditEntry(
            tenant_id=tenant_id,
            actor=actor,
            action=action,
            entity_type=entity[0],
            entity_id=entity[1],
            before=before,
            after=after,
            at=clock.now(),
        )
    )


def audit(
    session: Session,
    principal: Principal,
    action: str,
    entity: tuple[str, str],
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Audit a change made through a principal (a key, a console user or the CLI)."""
    record_audit(session, principal.actor, principal.tenant_id, action, entity, before, after)


def _check_tenant_settings(timezone: str, currency: str, phone_region: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidTenantSetting(f"Unknown timezone {timezone!r}.", field="timezone") from exc
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise InvalidTenantSetting(f"Currency {currency!r} is not an ISO 4217 code.")
    if phone_region not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidTenantSetting(f"Unknown phone region {phone_region!r}.", field="region")


def create_tenant(
    session: Session, name: str, settings: Settings, actor: str = SYSTEM_ACTOR
) -> Tenant:
    """A new tenant with the deployment's default timezone, currency and phone region, and the
    common channels."""
    if not _NAME.match(name):
        raise InvalidTenantSetting(
            f"Tenant name {name!r} must be lower-case letters, digits, '-' or '_' (max 64)."
        )
    if session.scalar(select(Tenant.id).where(Tenant.name == name)) is not None:
        raise TenantExists(f"Tenant {name!r} already exists.", tenant=name)
    _check_tenant_settings(
        settings.default_timezone, settings.default_currency, settings.default_phone_region
    )
    tenant = Tenant(
        name=name,
        display_name=name,
        timezone=settings.default_timezone,
        currency=settings.default_currency,
        phone_region=settings.default_phone_region,
        created_at=clock.now(),
    )
    session.add(tenant)
    session.flush()
    for code, label in DEFAULT_CHANNELS.items():
        session.add(Channel(tenant_id=tenant.id, code=code, name=label, created_at=clock.now()))
    record_audit(
        session, actor, tenant.id, "tenant.create", ("tenant", str(tenant.id)), after={"name": name}
    )
    return tenant


def get_tenant(session: Session, name: str) -> Tenant:
    tenant = session.scalar(select(Tenant).where(Tenant.name == name))
    if tenant is None:
        raise TenantNotFound(f"No tenant named {name!r}.", tenant=name)
    return tenant


def list_tenants(session: Session) -> list[Tenant]:
    return list(session.scalars(select(Tenant).order_by(Tenant.id)))


def principal_for(tenant: Tenant, role: Role, actor: str) -> Principal:
    """The principal acting for ``tenant`` with ``role``, carrying the tenant's local settings."""
    return Principal(
        tenant_id=tenant.id,
        role=role,
        actor=actor,
        timezone=tenant.timezone,
        phone_region=tenant.phone_region,
    )


def _key_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(session: Session, principal: Principal, scope: Role, name: str = "") -> str:
    """Make a key for the principal's tenant and return it; only its digest is stored."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        tenant_id=principal.tenant_id,
        prefix=prefix,
        secret_hash=_key_digest(secret),
        scope=scope,
        name=name,
        created_at=clock.now(),
    )
    session.add(key)
    session.flush()
    audit(
        session,
        principal,
        "apikey.create",
        ("api_key", str(key.id)),
        after={"prefix": prefix, "scope": scope.value, "name": name},
    )
    return f"mo_{prefix}_{secret}"


def authenticate_api_key(session: Session, token: str) -> Principal:
    """The principal of a bearer token, or :class:`InvalidCredentials`."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != "mo" or not _KEY_PREFIX.fullmatch(parts[1]):
        raise InvalidCredentials("The API key is malformed.")
    row = session.execute(
        select(ApiKey, Tenant)
        .join(Tenant, Tenant.id == ApiKey.tenant_id)
        .where(ApiKey.prefix == parts[1], ApiKey.revoked_at.is_(None))
    ).first()
    if row is None or not hmac.compare_digest(row[0].secret_hash, _key_digest(parts[2])):
        raise InvalidCredentials("The API key is unknown or revoked.")
    key, tenant = row
    return principal_for(tenant, Role(key.scope), f"api_key:{key.prefix}")


def list_api_keys(session: Session, principal: Principal) -> list[ApiKey]:
    """The tenant's keys, revoked ones included, oldest first (secrets are never stored)."""
    return list(session.scalars(tenant_scope(principal, ApiKey).order_by(ApiKey.id)))


def revoke_api_key(session: Session, principal: Principal, prefix: str) -> ApiKey:
    """Stop a key from authenticating, at once; revoking a revoked key changes nothing."""
    key = session.scalar(tenant_scope(principal, ApiKey).where(ApiKey.prefix == prefix))
    if key is None:
        raise ApiKeyNotFound(f"No API key {prefix!r} in this tenant.", prefix=prefix)
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        audit(
            session,
            principal,
            "apikey.revoke",
            ("api_key", str(key.id)),
            {"revoked": False},
            {"revoked": True, "prefix": prefix},
        )
    return key


def create_channel(session: Session, principal: Principal, code: str, name: str) -> Channel:
    if session.scalar(tenant_scope(principal, Channel).where(Channel.code == code)):
        raise CodeExists(f"Channel {code!r} already exists.", channel=code)
    channel = Channel(tenant_id=principal.tenant_id, code=code, name=name, created_at=clock.now())
    session.add(channel)
    session.flush()
    audit(
        session,
        principal,
        "channel.create",
        ("channel", str(channel.id)),
        after={"code": code, "name": name},
    )
    return channel


def list_channels(session: Session, principal: Principal) -> list[Channel]:
    return list(session.scalars(tenant_scope(principal, Channel).order_by(Channel.code)))


def create_store(
    session: Session, principal: Principal, code: str, name: str, channel_code: str | None
) -> Store:
    if session.scalar(tenant_scope(principal, Store).where(Store.code == code)):
        raise CodeExists(f"Store {code!r} already exists.", store=code)
    store = Store(
        tenant_id=principal.tenant_id,
        code=code,
        name=name,
        channel_code=channel_code,
        created_at=clock.now(),
    )
    session.add(store)
    session.flush()
    audit(
        session,
        principal,
        "store.create",
        ("store", str(store.id)),
        after={"code": code, "name": name, "channel": channel_code},
    )
    return store


def list_stores(session: Session, principal: Principal) -> list[Store]:
    return list(session.scalars(tenant_scope(principal, Store).order_by(Store.code)))


def list_audit(
    session: Session,
    principal: Principal,
    entity: tuple[str, str] | None,
    after_id: int | None,
    limit: int,
) -> list[AuditEntry]:
    """The tenant's audit rows, newest first, optionally for one entity."""
    query = select(AuditEntry).where(AuditEntry.tenant_id == principal.tenant_id)
    if entity is not None:
        query = query.where(AuditEntry.entity_type == entity[0], AuditEntry.entity_id == entity[1])
    return list(session.scalars(newest_first(query, AuditEntry.id, after_id, limit)))


def current_tenant(session: Session, principal: Principal) -> Tenant:
    return session.get_one(Tenant, principal.tenant_id)


def update_tenant(session: Session, principal: Principal, changes: dict[str, str]) -> Tenant:
    """Change a tenant's own settings (display name, timezone, currency, phone region)."""
    tenant = current_tenant(session, principal)
    merged = {
        "timezone": tenant.timezone,
        "currency": tenant.currency,
        "phone_region": tenant.phone_region,
        **changes,
    }
    _check_tenant_settings(merged["timezone"], merged["currency"], merged["phone_region"])
    before = {key: getattr(tenant, key) for key in changes}
    for key, value in changes.items():
        setattr(tenant, key, value)
    audit(session, principal, "tenant.update", ("tenant", str(tenant.id)), before, changes)
    return tenant
