"""Verbs of the members room: create, update attributes and consent, look up, lock, erase.
Callers own the transaction; changes are audited by the caller's principal."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.kernel.db import is_postgresql
from memberops.members.errors import MemberErased, MemberNotFound
from memberops.members.models import (
    ATTRIBUTE_FIELDS,
    PII_ATTRIBUTES,
    Consent,
    ConsentChannel,
    Member,
    MemberStatus,
)
from memberops.members.schemas import ConsentRead, MemberAttributes, MemberRead
from memberops.tenancy.access import Principal, mask_name, mask_text, tenant_scope
from memberops.tenancy.service import audit

#: Sections of a member's data export, by name; rooms that hold member data add theirs.
ExportSection = Callable[[Session, Principal, int], Any]
EXPORT_SECTIONS: dict[str, ExportSection] = {}


def register_export_section(name: str, section: ExportSection) -> None:
    """Make ``section(session, principal, member_id)`` part of every member export."""
    EXPORT_SECTIONS[name] = section


def get_member(session: Session, principal: Principal, member_id: int) -> Member:
    member = session.scalar(tenant_scope(principal, Member).where(Member.id == member_id))
    if member is None:
        raise MemberNotFound(f"No member {member_id} in this tenant.", member_id=str(member_id))
    return member


def members_by_id(
    session: Session, principal: Principal, member_ids: Iterable[int]
) -> dict[int, Member]:
    """The tenant's members among ``member_ids``, by id, in one query (a list's page of names)."""
    wanted = set(member_ids)
    if not wanted:
        return {}
    found = session.scalars(tenant_scope(principal, Member).where(Member.id.in_(wanted)))
    return {member.id: member for member in found}


def lock_members(session: Session, principal: Principal, member_ids: Iterable[int]) -> list[Member]:
    """Load and row-lock members in ascending id order, the one lock order for members."""
    ids = sorted(set(member_ids))
    query = tenant_scope(principal, Member).where(Member.id.in_(ids)).order_by(Member.id)
    if is_postgresql(session):
        # FOR NO KEY UPDATE: writers of one member queue behind each other, while the KEY SHARE
        # locks that foreign-key checks take (an order or a stats row naming the member) do
        # not wait on it, nor it on them: FOR UPDATE deadlocked a stats refresh against an
        # order. populate_existing: the locked rows' current state, not what was read before.
        query = query.with_for_update(key_share=True).execution_options(populate_existing=True)
    members = list(session.scalars(query))
    if len(members) != len(ids):
        missing = sorted(set(ids) - {m.id for m in members})
        raise MemberNotFound(f"No member {missing[0]} in this tenant.", member_id=str(missing[0]))
    return members


def survivor_of(session: Session, principal: Principal, member: Member) -> Member:
    """The active member a merged-away member now lives in (following a chain of merges)."""
    while member.status == MemberStatus.merged and member.merged_into_id is not None:
        member = get_member(session, principal, member.merged_into_id)
    return member


def refuse_inactive(member: Member, instead: str) -> None:
    """A merged-away or erased member earns and claims nothing: the caller is told which member
    to act on (``instead``, e.g. "check that member in instead") or that there is none."""
    if member.status == MemberStatus.active:
        return
    merged = member.status == MemberStatus.merged
    raise MemberErased(
        f"Member {member.id} was merged into {member.merged_into_id}; {instead}."
        if merged
        else f"Member {member.id} was erased.",
        member_id=str(member.id),
        member_status=str(member.status),
        merged_into=str(member.merged_into_id) if merged else None,
    )


def new_member(
    session: Session, principal: Principal, first_channel: str | None, registered: bool
) -> Member:
    member = Member(
        tenant_id=principal.tenant_id,
        first_channel=first_channel,
        is_registered=registered,
        custom={},
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    session.add(member)
    session.flush()
    return member


def attribute_values(member: Member) -> dict[str, Any]:
    """The member's attributes as JSON-ready values (dates as ISO strings)."""
    values = {name: getattr(member, name) for name in ATTRIBUTE_FIELDS}
    if values["birthday"] is not None:
        values["birthday"] = values["birthday"].isoformat()
    if values["gender"] is not None:
        values["gender"] = str(values["gender"])
    return values


def update_attributes(
    session: Session, principal: Principal, member: Member, attributes: MemberAttributes
) -> bool:
    """Set each attribute the caller gave (custom keys are merged in); True when any changed.

    An update that changes nothing writes nothing, so replaying a request or re-importing a file
    leaves the member, its ``updated_at`` and the audit log as they were.
    """
    before = attribute_values(member)
    given = attributes.model_dump(exclude_none=True)
    if "custom" in given:
        given["custom"] = {**member.custom, **given["custom"]}
    changed = {k: v for k, v in given.items() if getattr(member, k) != v}
    if not changed:
        return False
    for name, value in changed.items():
        setattr(member, name, value)
    member.updated_at = clock.now()
    after = attribute_values(member)
    audit(
        session,
        principal,
        "member.update",
        ("member", str(member.id)),
        {k: before[k] for k in changed},
        {k: after[k] for k in changed},
    )
    return True


def set_consent(
    session: Session,
    principal: Principal,
    member_id: int,
    consent: Mapping[ConsentChannel, bool],
    source: str,
) -> bool:
    """Record each channel's yes or no with its source; True when any decision changed. The
    audit row holds each changed channel's decision before (null: never asked) and after."""
    rows = {
        row.channel: row
        for row in session.scalars(
            tenant_scope(principal, Consent).where(Consent.member_id == member_id)
        )
    }
    changed: dict[str, bool] = {}
    before: dict[str, bool | None] = {}
    for channel, granted in consent.items():
        row = rows.get(channel)
        if row is not None and row.granted == granted:
            continue
        before[str(channel)] = None if row is None else row.granted
        if row is None:
            row = Consent(
                tenant_id=principal.tenant_id,
                member_id=member_id,
                channel=channel,
                granted=granted,
                source=source,
                at=clock.now(),
            )
            session.add(row)
        row.granted, row.source, row.at = granted, source, clock.now()
        changed[str(channel)] = granted
    if changed:
        audit(session, principal, "member.consent", ("member", str(member_id)), before, changed)
    return bool(changed)


#: Where an unsubscribe is recorded: the consent's ``source`` (the campaigns' guard rails tell
#: an unsubscribe from a consent never given by it).
UNSUBSCRIBE_SOURCE = "unsubscribe"


def unsubscribe(
    session: Session, principal: Principal, member_id: int, channel: ConsentChannel
) -> bool:
    """The member wants no more campaign messages on ``channel``: their consent there becomes
    no, with the unsubscribe as its source. One function for the API and the message's
    unsubscribe link, so both record the same thing; True when it changed anything."""
    return set_consent(session, principal, member_id, {channel: False}, UNSUBSCRIBE_SOURCE)


def consents_of(session: Session, principal: Principal, member_id: int) -> list[Consent]:
    return list(
        session.scalars(
            tenant_scope(principal, Consent)
            .where(Consent.member_id == member_id)
            .order_by(Consent.channel)
        )
    )


def shown_name(member: Member, sees_pii: bool) -> str:
    """The name a list shows for the member: the name, else the nickname, masked for roles
    without access to personal data; empty when it has neither."""
    if member.name:
        return member.name if sees_pii else mask_name(member.name)
    if member.nickname:
        return member.nickname if sees_pii else mask_text(member.nickname)
    return ""


def read_member(session: Session, principal: Principal, member: Member) -> MemberRead:
    """The API's view of a member, masked for the principal's role."""
    values = attribute_values(member)
    if not principal.sees_pii:
        for name in PII_ATTRIBUTES:
            if values[name]:
                values[name] = (mask_name if name == "name" else mask_text)(values[name])
    consent = {
        row.channel: ConsentRead(granted=row.granted, source=row.source, at=row.at)
        for row in consents_of(session, principal, member.id)
    }
    return MemberRead(
        id=str(member.id),
        status=member.status,
        merged_into=str(member.merged_into_id) if member.merged_into_id else None,
        registered=member.is_registered,
        first_channel=member.first_channel,
        attributes=MemberAttributes.model_validate(values),
        consent=consent,
        created_at=member.created_at,
        updated_at=member.updated_at,
    )


def erase_attributes(member: Member) -> list[str]:
    """Clear a member's personal attributes; gender and region stay as anonymous aggregates.
    Returns the names of the fields that held something."""
    cleared = [name for name in ("name", "nickname", "birthday", "custom") if getattr(member, name)]
    member.name = member.nickname = member.birthday = None
    member.custom = {}
    member.erased_at = member.updated_at = clock.now()
    return cleared


def select_members_page(
    principal: Principal, after_id: int | None, limit: int, include_merged: bool = False
) -> Select[Member]:
    """The query of one page of the tenant's members in id order."""
    query = tenant_scope(principal, Member)
    if not include_merged:
        query = query.where(Member.status != MemberStatus.merged)
    if after_id is not None:
        query = query.where(Member.id > after_id)
    return query.order_by(Member.id).limit(limit)


def list_members(
    session: Session, principal: Principal, after_id: int | None, limit: int
) -> list[Member]:
    return list(session.scalars(select_members_page(principal, after_id, limit)))


def count_members(session: Session, principal: Principal) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Member)
            .where(Member.tenant_id == principal.tenant_id, Member.status != MemberStatus.merged)
        )
        or 0
    )
