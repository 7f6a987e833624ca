"""Console users: accounts with argon2-hashed passwords, their role in each tenant, sign-in and
their console language. Callers own the transaction."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.tenancy.access import Principal, tenant_scope
from memberops.tenancy.errors import InvalidCredentials, InvalidTenantSetting
from memberops.tenancy.models import Role, Tenant, TenantUser, User
from memberops.tenancy.service import audit, record_audit

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(
    session: Session, principal: Principal, email: str, password: str, role: Role, *, locale: str
) -> User:
    """Give ``email`` the ``role`` in the principal's tenant, creating the user when new, with
    ``locale`` (the deployment's default) as their console language.

    An existing user keeps their password and language; a second role in the same tenant
    replaces the first.
    """
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise InvalidTenantSetting(f"{email!r} is not an email address.", field="email")
    if len(password) < 8:
        raise InvalidTenantSetting("A password needs at least 8 characters.", field="password")
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            password_hash=hash_password(password),
            locale=locale,
            created_at=clock.now(),
        )
        session.add(user)
        session.flush()
    membership = session.scalar(
        tenant_scope(principal, TenantUser).where(TenantUser.user_id == user.id)
    )
    before = {"role": membership.role} if membership else None
    if membership is None:
        membership = TenantUser(
            tenant_id=principal.tenant_id, user_id=user.id, role=role, created_at=clock.now()
        )
        session.add(membership)
    membership.role = role
    audit(
        session,
        principal,
        "user.grant",
        ("user", str(user.id)),
        before,
        {"email": email, "role": role.value},
    )
    return user


def verify_login(session: Session, email: str, password: str) -> User:
    """The user whose email and password these are, or :class:`InvalidCredentials`."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        _hasher.hash(password)  # same cost as a real check, so timing does not reveal emails
        raise InvalidCredentials("Wrong email or password.")
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError) as exc:
        raise InvalidCredentials("Wrong email or password.") from exc
    return user


def user_tenants(session: Session, user_id: int) -> list[tuple[Tenant, Role]]:
    """The tenants a user works for, with the role in each, oldest tenant first."""
    rows = session.execute(
        select(Tenant, TenantUser.role)
        .join(TenantUser, TenantUser.tenant_id == Tenant.id)
        .where(TenantUser.user_id == user_id)
        .order_by(Tenant.id)
    ).all()
    return [(tenant, Role(role)) for tenant, role in rows]


def set_user_locale(session: Session, user_id: int, locale: str) -> None:
    """Remember the console language a user chose, so it follows them to any browser."""
    user = session.get_one(User, user_id)
    if user.locale != locale:
        before = {"locale": user.locale}
        user.locale = locale
        record_audit(
            session,
            f"user:{user.email}",
            None,
            "user.locale",
            ("user", str(user.id)),
            before,
            {"locale": locale},
        )
