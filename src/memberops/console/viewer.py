"""Who is looking at the console: the signed-in user, the tenant they chose and the role they
hold there, resolved afresh on every page so a revoked role takes effect at the next click."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from memberops.console.formatting import local_time
from memberops.console.i18n import supported, translate
from memberops.tenancy import service as tenancy
from memberops.tenancy import users
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role


@dataclass(frozen=True)
class TenantChoice:
    """A tenant the user may switch to, as the tenant switcher lists it."""

    id: int
    name: str
    role: Role


@dataclass(frozen=True)
class Viewer:
    """The signed-in user acting for one tenant; ``principal`` carries the user's email as the
    audit actor, so the audit log names the person, not "the console"."""

    user_id: int
    email: str
    locale: str
    principal: Principal
    tenants: tuple[TenantChoice, ...]

    def t(self, key: str, **values: object) -> str:
        """A label in the user's language."""
        return translate(self.locale, key, **values)

    def when(self, at: datetime | None) -> str:
        """A time in the tenant's timezone."""
        return local_time(at, self.principal.timezone)

    @property
    def tenant(self) -> TenantChoice:
        return next(c for c in self.tenants if c.id == self.principal.tenant_id)


def build_viewer(
    session: Session, user_id: int, email: str, locale: str, tenant_id: int | None
) -> Viewer | None:
    """The viewer acting for ``tenant_id`` (or the user's first tenant when that is not one of
    theirs); None when the user belongs to no tenant any more."""
    memberships = users.user_tenants(session, user_id)
    if not memberships:
        return None
    tenant, role = next(((t, r) for t, r in memberships if t.id == tenant_id), memberships[0])
    return Viewer(
        user_id=user_id,
        email=email,
        locale=supported(locale),
        principal=tenancy.principal_for(tenant, role, actor=f"user:{email}"),
        tenants=tuple(TenantChoice(t.id, t.display_name, r) for t, r in memberships),
    )
