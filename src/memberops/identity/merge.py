"""Merge two members into one and undo it.

A merge moves every member-owned row of the absorbed member to the survivor and remembers each
moved row and each attribute it filled in; undo moves exactly those rows back and clears exactly
those attributes (when nobody changed them since), so both members come back as they were.
"""

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, insert, select, update
from sqlalchemy.orm import Session

from memberops.identity.errors import MergeNotFound, MergeNotUndoable
from memberops.identity.events import MembersMerged, MembersUnmerged
from memberops.identity.models import Identity, MemberMerge, MergeMovedRow
from memberops.kernel import clock
from memberops.kernel.db import Base
from memberops.kernel.events import publish
from memberops.members.models import Consent, Member, MemberStatus
from memberops.members.service import attribute_values, lock_members
from memberops.tenancy.access import Principal, tenant_scope
from memberops.tenancy.service import audit

_FILLABLE = ("name", "nickname", "gender", "birthday", "province", "city")


def move_member_rows(
    session: Session, event: MembersMerged, table: Table, *, keep: ColumnElement[bool] | None = None
) -> int:
    """Move ``table``'s rows of the absorbed member to the survivor, recording each row so undo
    can move it back. For rooms that own member rows, from their ``MembersMerged`` handler.
    ``table`` needs ``id``, ``tenant_id`` and ``member_id`` columns; rows matching ``keep`` stay
    with the absorbed member."""
    query = select(table.c.id).where(
        table.c.tenant_id == event.tenant_id, table.c.member_id == event.absorbed_id
    )
    if keep is not None:
        query = query.where(~keep)
    ids = list(session.scalars(query))
    if not ids:
        return 0
    session.execute(
        update(table)
        .where(table.c.tenant_id == event.tenant_id, table.c.id.in_(ids))
        .values(member_id=event.survivor_id)
    )
    session.execute(
        insert(MergeMovedRow),
        [
            {
                "tenant_id": event.tenant_id,
                "merge_id": event.merge_id,
                "table_name": table.name,
                "row_id": row_id,
            }
            for row_id in ids
        ],
    )
    return len(ids)


def _consents_by_channel(
    session: Session, principal: Principal, member_id: int
) -> dict[str, Consent]:
    query = tenant_scope(principal, Consent).where(Consent.member_id == member_id)
    return {str(row.channel): row for row in session.scalars(query)}


def _merge_consent(session: Session, principal: Principal, event: MembersMerged) -> dict[str, Any]:
    """Move the absorbed member's consent; where both decided on a channel the more recent
    decision wins and the absorbed row stays behind. Returns the survivor's overwritten
    decisions so undo can restore them."""
    kept = _consents_by_channel(session, principal, event.survivor_id)
    taken = _consents_by_channel(session, principal, event.absorbed_id)
    overwritten: dict[str, Any] = {}
    for channel in kept.keys() & taken.keys():
        ours, theirs = kept[channel], taken[channel]
        if theirs.at > ours.at:
            overwritten[channel] = {
                "granted": ours.granted,
                "source": ours.source,
                "at": ours.at.isoformat(),
            }
            ours.granted, ours.source, ours.at = theirs.granted, theirs.source, theirs.at
    consent_table = Consent.__table__
    move_member_rows(
        session,
        event,
        consent_table,  # type: ignore[arg-type]
        keep=consent_table.c.channel.in_(sorted(kept)),
    )
    return overwritten


def _fill_attributes(survivor: Member, absorbed: Member) -> dict[str, Any]:
    """Copy the absorbed member's attributes into the survivor's empty ones; return what was
    filled, in JSON form."""
    filled: dict[str, Any] = {}
    absorbed_values = attribute_values(absorbed)
    for name in _FILLABLE:
        if getattr(survivor, name) is None and getattr(absorbed, name) is not None:
            setattr(survivor, name, getattr(absorbed, name))
            filled[name] = absorbed_values[name]
    new_custom = {k: v for k, v in absorbed.custom.items() if k not in survivor.custom}
    if new_custom:
        survivor.custom = {**survivor.custom, **new_custom}
        filled["custom"] = new_custom
    if absorbed.is_registered and not survivor.is_registered:
        survivor.is_registered = True
        filled["is_registered"] = True
    return filled


def merge_members(
    session: Session, principal: Principal, survivor_id: int, absorbed_id: int, reason: str
) -> MemberMerge:
    """Merge ``absorbed`` into ``survivor``; publishes ``MembersMerged`` in this transaction."""
    members = {m.id: m for m in lock_members(session, principal, [survivor_id, absorbed_id])}
    survivor, absorbed = members[survivor_id], members[absorbed_id]
    now = clock.now()
    merge = MemberMerge(
        tenant_id=principal.tenant_id,
        survivor_id=survivor.id,
        absorbed_id=absorbed.id,
        actor=principal.actor,
        reason=reason,
        filled={},
        created_at=now,
    )
    session.add(merge)
    session.flush()
    event = MembersMerged(principal.tenant_id, survivor.id, absorbed.id, merge.id)
    move_member_rows(session, event, Identity.__table__)  # type: ignore[arg-type]
    filled = _fill_attributes(survivor, absorbed)
    consent = _merge_consent(session, principal, event)
    if consent:
        filled["consent"] = consent
    merge.filled = filled
    absorbed.status, absorbed.merged_into_id = MemberStatus.merged, survivor.id
    survivor.updated_at = absorbed.updated_at = now
    publish(session, event)
    audit(
        session,
        principal,
        "member.merge",
        ("member", str(survivor.id)),
        after={"merge_id": merge.id, "absorbed_id": absorbed.id, "filled": sorted(filled)},
    )
    return merge


def _restore_rows(session: Session, merge: MemberMerge) -> None:
    """Move every row the merge moved back to the absorbed member."""
    moved: dict[str, list[int]] = defaultdict(list)
    rows = session.execute(
        select(MergeMovedRow.table_name, MergeMovedRow.row_id).where(
            MergeMovedRow.tenant_id == merge.tenant_id, MergeMovedRow.merge_id == merge.id
        )
    )
    for table_name, row_id in rows:
        moved[table_name].append(row_id)
    for table_name, ids in moved.items():
        table = Base.metadata.tables[table_name]
        session.execute(
            update(table)
            .where(
                table.c.tenant_id == merge.tenant_id,
                table.c.id.in_(ids),
                table.c.member_id == merge.survivor_id,
            )
            .values(member_id=merge.absorbed_id)
        )


def _unfill(
    session: Session, principal: Principal, survivor: Member, filled: dict[str, Any]
) -> None:
    """Clear what the merge filled in, unless it was changed since; restore overwritten consent."""
    current = attribute_values(survivor)
    for name in _FILLABLE:
        if name in filled and current[name] == filled[name]:
            setattr(survivor, name, None)
    custom = filled.get("custom", {})
    survivor.custom = {
        k: v for k, v in survivor.custom.items() if not (k in custom and custom[k] == v)
    }
    if filled.get("is_registered"):
        survivor.is_registered = False
    rows = _consents_by_channel(session, principal, survivor.id)
    for channel, before in filled.get("consent", {}).items():
        row = rows[channel]
        row.granted, row.source = before["granted"], before["source"]
        row.at = datetime.fromisoformat(before["at"])


def undo_merge(session: Session, principal: Principal, merge_id: int) -> MemberMerge:
    """Undo a merge: both members back as they were; publishes ``MembersUnmerged``."""
    merge = session.scalar(tenant_scope(principal, MemberMerge).where(MemberMerge.id == merge_id))
    if merge is None:
        raise MergeNotFound(f"No merge {merge_id} in this tenant.", merge_id=str(merge_id))
    if merge.undone_at is not None:
        raise MergeNotUndoable("This merge was already undone.", merge_id=str(merge_id))
    members = {
        m.id: m for m in lock_members(session, principal, [merge.survivor_id, merge.absorbed_id])
    }
    survivor, absorbed = members[merge.survivor_id], members[merge.absorbed_id]
    if survivor.status != MemberStatus.active:
        raise MergeNotUndoable(
            "The survivor has since been merged or erased; undo that first.",
            merge_id=str(merge_id),
            survivor_status=str(survivor.status),
            merged_into=str(survivor.merged_into_id) if survivor.merged_into_id else None,
        )
    _restore_rows(session, merge)
    _unfill(session, principal, survivor, merge.filled)
    now = clock.now()
    absorbed.status, absorbed.merged_into_id = MemberStatus.active, None
    survivor.updated_at = absorbed.updated_at = now
    merge.undone_at, merge.undone_by = now, principal.actor
    publish(session, MembersUnmerged(principal.tenant_id, survivor.id, absorbed.id, merge.id))
    audit(
        session,
        principal,
        "member.unmerge",
        ("member", str(survivor.id)),
        after={"merge_id": merge.id, "absorbed_id": absorbed.id},
    )
    return merge
