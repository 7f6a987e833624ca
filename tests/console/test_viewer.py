"""Who the console acts as: the user's tenant and role, their email as the audit actor, their
language, and times in the tenant's timezone."""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.console.formatting import BLANK, local_time
from memberops.console.viewer import build_viewer
from memberops.kernel.settings import Settings
from memberops.tenancy import service as tenancy
from memberops.tenancy import users
from memberops.tenancy.access import Principal
from memberops.tenancy.models import AuditEntry, Role, User

PASSWORD = "long-enough-password"


def test_times_are_local_and_written_the_chinese_way() -> None:
    at = datetime(2026, 11, 23, 10, 30, 59, tzinfo=UTC)
    assert local_time(at, "Asia/Shanghai") == "2026-11-23 18:30"
    assert local_time(at, "Europe/London") == "2026-11-23 10:30"
    assert local_time(None, "Asia/Shanghai") == BLANK


def test_viewer_acts_for_the_chosen_tenant_with_its_role(
    session: Session, tenant: Principal, settings: Settings
) -> None:
    with session.begin():
        user = users.create_user(
            session, tenant, "ops@example.com", PASSWORD, Role.operator, locale="zh-CN"
        )
        outlet = tenancy.create_tenant(session, f"outlet-{user.id}", settings)
        outlet_admin = tenancy.principal_for(outlet, Role.admin, "test")
        users.create_user(
            session, outlet_admin, "ops@example.com", PASSWORD, Role.analyst, locale="zh-CN"
        )
        chosen = build_viewer(session, user.id, user.email, "en", outlet.id)
        fallback = build_viewer(session, user.id, user.email, "xx", 10**9)
    assert chosen is not None
    assert fallback is not None
    assert chosen.principal == tenancy.principal_for(outlet, Role.analyst, "user:ops@example.com")
    assert [c.id for c in chosen.tenants] == [tenant.tenant_id, outlet.id]
    assert chosen.tenant.role == Role.analyst
    assert chosen.t("nav.members") == "Members"
    assert fallback.principal.tenant_id == tenant.tenant_id
    assert fallback.principal.role == Role.operator
    assert fallback.locale == "zh-CN"
    assert fallback.when(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01 08:00"


def test_user_without_a_tenant_has_no_viewer(session: Session) -> None:
    with session.begin():
        user = User(email="orphan@example.com", password_hash=users.hash_password(PASSWORD))
        session.add(user)
        session.flush()
        assert build_viewer(session, user.id, user.email, "zh-CN", None) is None


def test_language_choice_is_kept_on_the_user_and_audited(
    session: Session, tenant: Principal
) -> None:
    with session.begin():
        user = users.create_user(
            session, tenant, "lang@example.com", PASSWORD, Role.analyst, locale="zh-CN"
        )
        users.set_user_locale(session, user.id, "en")
        users.set_user_locale(session, user.id, "en")
    with session.begin():
        assert users.verify_login(session, "lang@example.com", PASSWORD).locale == "en"
        entries = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "user.locale", AuditEntry.entity_id == str(user.id)
            )
        ).all()
    assert [(e.actor, e.before, e.after) for e in entries] == [
        ("user:lang@example.com", {"locale": "zh-CN"}, {"locale": "en"})
    ]
