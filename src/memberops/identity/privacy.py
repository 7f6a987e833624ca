"""A member's rights over their data: erasure (the right to be forgotten) and a full export
(a data-access request). Callers own the transaction."""

from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from memberops.identity.models import Identity, MemberMerge
from memberops.identity.service import identities_of, member_detail
from memberops.members import service as members
from memberops.members.errors import MemberErased
from memberops.members.models import Member, MemberStatus
from memberops.tenancy.access import Principal, tenant_scope
from memberops.tenancy.models import AuditEntry
from memberops.tenancy.service import audit


def erase_member(session: Session, principal: Principal, member_id: int) -> Member:
    """Right to be forgotten: identities and personal attributes go, and so does personal data
    in the audit trail and merge records; orders and aggregates stay, anonymous."""
    (member,) = members.lock_members(session, principal, [member_id])
    if member.status == MemberStatus.merged:
        raise MemberErased(
            "Erase the surviving member instead.",
            member_id=str(member.id),
            merged_into=str(member.merged_into_id),
        )
    identity_count = len(identities_of(session, principal, member.id))
    session.execute(
        delete(Identity).where(
            Identity.tenant_id == principal.tenant_id, Identity.member_id == member.id
        )
    )
    cleared = members.erase_attributes(member)
    member.status = MemberStatus.erased
    merged_away = tenant_scope(principal, Member).where(Member.merged_into_id == member.id)
    for absorbed in session.scalars(merged_away):
        members.erase_attributes(absorbed)
        _scrub_history(session, principal, absorbed.id)
    _scrub_history(session, principal, member.id)
    audit(
        session,
        principal,
        "member.erase",
        ("member", str(member.id)),
        after={"identities_removed": identity_count, "fields_cleared": cleared},
    )
    return member


def _scrub_history(session: Session, principal: Principal, member_id: int) -> None:
    """Replace personal values in the member's audit rows and merge records by their keys."""

    def scrub(doc: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if doc is None else dict.fromkeys(doc, "[erased]")

    entries = session.scalars(
        select(AuditEntry).where(
            AuditEntry.tenant_id == principal.tenant_id,
            AuditEntry.entity_type == "member",
            AuditEntry.entity_id == str(member_id),
        )
    )
    for entry in entries:
        entry.before, entry.after = scrub(entry.before), scrub(entry.after)
    session.execute(
        update(MemberMerge)
        .where(
            MemberMerge.tenant_id == principal.tenant_id,
            or_(MemberMerge.survivor_id == member_id, MemberMerge.absorbed_id == member_id),
        )
        .values(filled={})
    )


def export_member(session: Session, principal: Principal, member_id: int) -> dict[str, Any]:
    """Everything held on one member, for a data-access request: the record, its identities,
    consent, merges, its audit trail, and each section a higher room registered."""
    member = members.get_member(session, principal, member_id)
    audit_rows = session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.tenant_id == principal.tenant_id,
            AuditEntry.entity_type == "member",
            AuditEntry.entity_id == str(member.id),
        )
        .order_by(AuditEntry.id)
    )
    document: dict[str, Any] = {
        "member": member_detail(session, principal, member).model_dump(mode="json"),
        "audit": [
            {
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "before": e.before,
                "after": e.after,
            }
            for e in audit_rows
        ],
    }
    for name, section in members.EXPORT_SECTIONS.items():
        document[name] = section(session, principal, member.id)
    return document
