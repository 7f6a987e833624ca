"""Resolve identities to one member (creating or merging), look members up by identity, read
a member's full record. Callers own the transaction."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import or_, select, tuple_
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from memberops.identity.errors import IdentityContention, IdentityNotFound, InvalidIdentity
from memberops.identity.events import MemberRegistered
from memberops.identity.merge import merge_members
from memberops.identity.models import PII_TYPES, Identity, IdentityType, MemberMerge
from memberops.identity.normalise import IdentityKey, identity_key, keys_of, normalise_phone
from memberops.identity.schemas import (
    IdentityIn,
    IdentityRead,
    MemberDetail,
    MemberUpsert,
    MergeRead,
    UpsertResult,
)
from memberops.kernel import clock
from memberops.kernel.events import publish
from memberops.members import service as members
from memberops.members.errors import MemberErased
from memberops.members.models import Member, MemberStatus
from memberops.tenancy.access import Principal, mask_email, mask_phone, mask_text, tenant_scope
from memberops.tenancy.service import audit

#: Sections of ``GET /members/{id}`` added by rooms above: each an optional MemberDetail field.
DetailSection = Callable[[Session, Principal, int], Any]
DETAIL_SECTIONS: dict[str, DetailSection] = {}


def register_detail_section(name: str, section: DetailSection) -> None:
    """Fill ``MemberDetail.<name>`` with ``section(session, principal, member_id)``."""
    if name not in MemberDetail.model_fields:
        raise ValueError(f"MemberDetail has no field {name!r}")
    DETAIL_SECTIONS[name] = section


_ATTEMPTS = 5
#: SQLSTATEs of a transaction that lost a race and may simply try again (serialization
#: failure, deadlock); any other database error is a bug and stays one.
_CONTENTION_SQLSTATES = frozenset({"40001", "40P01"})


class _OwnersMoved(Exception):
    """The members holding a request's identities changed while it waited for their locks."""


def _owners(
    session: Session, principal: Principal, keys: list[IdentityKey]
) -> dict[IdentityKey, int]:
    rows = session.execute(
        select(Identity.type, Identity.scope, Identity.value, Identity.member_id)
        .where(Identity.tenant_id == principal.tenant_id)
        .where(tuple_(Identity.type, Identity.scope, Identity.value).in_(keys))
    )
    return {(IdentityType(t), s, v): m for t, s, v, m in rows}


def _attach(
    session: Session, principal: Principal, member_id: int, keys: list[IdentityKey], source: str
) -> None:
    for type_, scope, value in keys:
        session.add(
            Identity(
                tenant_id=principal.tenant_id,
                member_id=member_id,
                type=type_,
                scope=scope,
                value=value,
                source=source,
                created_at=clock.now(),
            )
        )
    session.flush()
    if keys:
        audit(
            session,
            principal,
            "member.identities",
            ("member", str(member_id)),
            after={"added": [f"{t.value}:{s + ':' if s else ''}{v}" for t, s, v in keys]},
        )


def _oldest(session: Session, principal: Principal, member_ids: set[int]) -> list[int]:
    """Member ids oldest first (created_at, then id): the first survives a merge."""
    rows = session.execute(
        select(Member.id)
        .where(Member.tenant_id == principal.tenant_id, Member.id.in_(member_ids))
        .order_by(Member.created_at, Member.id)
    )
    return list(rows.scalars())


def _resolve_once(
    session: Session, principal: Principal, keys: list[IdentityKey], request: MemberUpsert
) -> tuple[Member, bool, list[MemberMerge]]:
    source = request.channel or principal.actor
    owners = _owners(session, principal, keys)
    # New identities go in in one order, so two requests inserting the same ones cannot
    # deadlock on the unique index; the loser meets the winner's row and retries.
    missing = sorted(key for key in keys if key not in owners)
    if not owners:
        member = members.new_member(session, principal, request.channel, request.registered)
        _attach(session, principal, member.id, missing, source)
        audit(
            session,
            principal,
            "member.create",
            ("member", str(member.id)),
            after={"first_channel": request.channel},
        )
        return member, True, []
    # Lock every member involved at once, in the one lock order (ascending id), then check
    # that a concurrent merge or erase did not move the identities while this request waited.
    locked = members.lock_members(session, principal, owners.values())
    if any(m.status != MemberStatus.active for m in locked) or (
        _owners(session, principal, keys) != owners
    ):
        raise _OwnersMoved
    survivor_id, *absorbed_ids = _oldest(session, principal, set(owners.values()))
    merges = [
        merge_members(
            session, principal, survivor_id, absorbed_id, reason="identities linked by one request"
        )
        for absorbed_id in absorbed_ids
    ]
    _attach(session, principal, survivor_id, missing, source)
    member = members.get_member(session, principal, survivor_id)
    if request.registered and not member.is_registered:
        member.is_registered = True
        audit(
            session,
            principal,
            "member.register",
            ("member", str(member.id)),
            {"registered": False},
            {"registered": True},
        )
    return member, False, merges


def _contention(exc: Exception) -> bool:
    """Whether ``exc`` means another transaction won a race for the same identities."""
    if isinstance(exc, OperationalError):
        return getattr(exc.orig, "sqlstate", None) in _CONTENTION_SQLSTATES
    return isinstance(exc, IntegrityError | _OwnersMoved)


def resolve_member(
    session: Session, principal: Principal, request: MemberUpsert
) -> tuple[Member, bool, list[MemberMerge]]:
    """Resolve the request's identities to one member (created, found or merged into the
    oldest), then apply attributes and consent; returns it, whether created, and the merges.

    Two requests racing to create the same identity meet at its unique constraint, and two
    merging overlapping members meet at the members' row locks; each attempt runs in a
    savepoint, so the loser rolls back only its own attempt, retries and finds the winner's
    member. After ``_ATTEMPTS`` lost races the request is refused with 409.
    """
    keys = keys_of(request.identities, principal.phone_region)
    for _ in range(_ATTEMPTS):
        try:
            with session.begin_nested():
                member, created, merges = _resolve_once(session, principal, keys, request)
            break
        except (IntegrityError, OperationalError, _OwnersMoved) as exc:
            if not _contention(exc):
                raise
    else:
        raise IdentityContention("These identities are being written by another request; retry.")
    if member.status == MemberStatus.erased:
        raise MemberErased(
            "This member was erased and cannot be updated.", member_id=str(member.id)
        )
    members.update_attributes(session, principal, member, request.attributes)
    if request.consent:
        members.set_consent(
            session, principal, member.id, request.consent, request.channel or principal.actor
        )
    return member, created, merges


def upsert_member(
    session: Session, principal: Principal, request: MemberUpsert, *, registration: bool = False
) -> UpsertResult:
    """``POST /members``: :func:`resolve_member`, answered with the member's full view. As the
    members API's sign-up (``registration``), a created member publishes ``MemberRegistered``
    first, so the answer shows what rooms gave a newcomer (the new-member pack)."""
    member, created, merges = resolve_member(session, principal, request)
    if created and registration:
        publish(session, MemberRegistered(principal.tenant_id, member.id))
    detail = member_detail(session, principal, member)
    return UpsertResult(**detail.model_dump(), created=created, merged=[str(m.id) for m in merges])


def find_by_identity(session: Session, principal: Principal, identity: IdentityIn) -> Member:
    """The member holding ``identity``, or :class:`IdentityNotFound`."""
    type_, scope, value = identity_key(identity, principal.phone_region)
    member = session.scalar(
        select(Member)
        .join(Identity, Identity.member_id == Member.id)
        .where(
            Identity.tenant_id == principal.tenant_id,
            Identity.type == type_,
            Identity.scope == scope,
            Identity.value == value,
        )
    )
    if member is None:
        raise IdentityNotFound("No member has this identity.", identity=f"{type_.value}")
    return member


def search_members(session: Session, principal: Principal, text: str, limit: int) -> list[Member]:
    """Members whose identity equals ``text`` in any type (phones in any usual format, emails
    in any case), or whose name starts with it: the console's search box."""
    text = text.strip()
    values = {text, text.lower()}
    try:
        values.add(normalise_phone(text, principal.phone_region))
    except InvalidIdentity:
        pass
    by_identity = select(Identity.member_id).where(
        Identity.tenant_id == principal.tenant_id, Identity.value.in_(values)
    )
    query = tenant_scope(principal, Member).where(
        Member.status != MemberStatus.merged,
        or_(Member.id.in_(by_identity), Member.name.startswith(text, autoescape=True)),
    )
    return list(session.scalars(query.order_by(Member.id).limit(limit)))


def _read_identity(identity: Identity, principal: Principal) -> IdentityRead:
    value = identity.value
    if not principal.sees_pii and identity.type in PII_TYPES:
        masks = {IdentityType.phone: mask_phone, IdentityType.email: mask_email}
        value = masks.get(identity.type, mask_text)(value)
    scope_field = "app" if identity.type == IdentityType.wechat_openid else "channel"
    return IdentityRead(
        type=identity.type,
        value=value,
        source=identity.source,
        created_at=identity.created_at,
        **({scope_field: identity.scope} if identity.scope else {}),
    )


def identities_of(session: Session, principal: Principal, member_id: int) -> list[Identity]:
    return list(
        session.scalars(
            tenant_scope(principal, Identity)
            .where(Identity.member_id == member_id)
            .order_by(Identity.id)
        )
    )


def phones_of(session: Session, principal: Principal, member_ids: list[int]) -> dict[int, str]:
    """Each member's first phone, masked for the principal's role: the phone column of a list
    of members, read in one query for the whole page."""
    rows = session.execute(
        select(Identity.member_id, Identity.value)
        .where(
            Identity.tenant_id == principal.tenant_id,
            Identity.type == IdentityType.phone,
            Identity.member_id.in_(member_ids),
        )
        .order_by(Identity.id.desc())
    )
    phones = dict(rows.all())  # the oldest phone comes last
    if principal.sees_pii:
        return phones
    return {member_id: mask_phone(phone) for member_id, phone in phones.items()}


def merges_of(session: Session, principal: Principal, member_id: int) -> list[MemberMerge]:
    """Every merge the member took part in, as survivor or absorbed, oldest first."""
    return list(
        session.scalars(
            tenant_scope(principal, MemberMerge)
            .where(or_(MemberMerge.survivor_id == member_id, MemberMerge.absorbed_id == member_id))
            .order_by(MemberMerge.id)
        )
    )


def read_merge(merge: MemberMerge) -> MergeRead:
    return MergeRead(
        id=str(merge.id),
        survivor_id=str(merge.survivor_id),
        absorbed_id=str(merge.absorbed_id),
        actor=merge.actor,
        reason=merge.reason,
        created_at=merge.created_at,
        undone_at=merge.undone_at,
    )


def member_detail(session: Session, principal: Principal, member: Member) -> MemberDetail:
    """A member with identities and merge history, masked for the principal's role."""
    base = members.read_member(session, principal, member)
    sections = {name: get(session, principal, member.id) for name, get in DETAIL_SECTIONS.items()}
    return MemberDetail(
        **base.model_dump(),
        identities=[
            _read_identity(i, principal) for i in identities_of(session, principal, member.id)
        ],
        merges=[read_merge(m) for m in merges_of(session, principal, member.id)],
        **sections,
    )
