"""Who holds a tag, and tagging by hand one member at a time (lists are ``upload``'s).

Only manual tags are set and taken by hand; a member merged away or erased is refused (tag
the survivor). Both verbs are idempotent and audited only when they change something.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from memberops.identity.service import phones_of
from memberops.insights.tags.errors import NotManual, TagInactive
from memberops.insights.tags.models import MemberTag, Tag, TagKind, TagSource
from memberops.insights.tags.schemas import TagMemberRead
from memberops.insights.tags.service import get_tag
from memberops.kernel import clock
from memberops.kernel.db import is_postgresql
from memberops.members import service as members
from memberops.members.models import Member, MemberStatus
from memberops.tenancy.access import Principal
from memberops.tenancy.service import audit


def _refuse_computed(tag: Tag) -> None:
    if tag.kind != TagKind.manual:
        raise NotManual(f"Tag {tag.code!r} is a {tag.kind} tag.", kind=str(tag.kind))


def manual_tag(session: Session, principal: Principal, tag_id: int) -> Tag:
    """The tag, when operators may set it: manual and active."""
    tag = get_tag(session, principal, tag_id)
    _refuse_computed(tag)
    if not tag.active:
        raise TagInactive(f"Tag {tag.code!r} is inactive.", tag_id=str(tag.id))
    return tag


def insert_holders(
    session: Session, tag: Tag, member_ids: Sequence[int], source: TagSource, now: datetime
) -> int:
    """Tag these members (none already holding it is touched); how many were new."""
    if not member_ids:
        return 0
    rows = [
        {
            "tenant_id": tag.tenant_id,
            "member_id": member_id,
            "tag_id": tag.id,
            "source": source.value,
            "added_at": now,
        }
        for member_id in member_ids
    ]
    dialect = postgresql if is_postgresql(session) else sqlite
    insert = dialect.insert(MemberTag).values(rows).on_conflict_do_nothing()
    return len(session.execute(insert.returning(MemberTag.member_id)).all())


def tag_member(session: Session, principal: Principal, member_id: int, tag_id: int) -> bool:
    """Give the member the manual tag (audited); False when it already held it."""
    member = members.get_member(session, principal, member_id)
    members.refuse_inactive(member, "tag that member instead")
    tag = manual_tag(session, principal, tag_id)
    added = insert_holders(session, tag, [member_id], TagSource.operator, clock.now()) == 1
    if added:
        audit(session, principal, "member.tag", ("member", str(member_id)), None, {"tag": tag.code})
    return added


def untag_member(session: Session, principal: Principal, member_id: int, tag_id: int) -> bool:
    """Take the manual tag from the member (audited); False when it did not hold it."""
    members.get_member(session, principal, member_id)
    tag = get_tag(session, principal, tag_id)
    _refuse_computed(tag)
    done = session.execute(
        delete(MemberTag).where(
            MemberTag.tenant_id == principal.tenant_id,
            MemberTag.member_id == member_id,
            MemberTag.tag_id == tag.id,
        )
    )
    removed = bool(done.rowcount)  # type: ignore[attr-defined]
    if removed:
        audit(session, principal, "member.untag", ("member", str(member_id)), {"tag": tag.code})
    return removed


@dataclass(frozen=True)
class Holder:
    """An active member holding a tag (``id`` is the member's: pages are cut on it)."""

    id: int
    member: Member
    source: TagSource
    added_at: datetime


def holders(
    session: Session, principal: Principal, tag_id: int, after_id: int | None, limit: int
) -> list[Holder]:
    """The tag's active holders by member id, after the cursor."""
    tag = get_tag(session, principal, tag_id)
    query = (
        select(Member, MemberTag.source, MemberTag.added_at)
        .join(
            MemberTag,
            and_(MemberTag.tenant_id == Member.tenant_id, MemberTag.member_id == Member.id),
        )
        .where(
            MemberTag.tenant_id == principal.tenant_id,
            MemberTag.tag_id == tag.id,
            Member.status == MemberStatus.active,
        )
    )
    if after_id is not None:
        query = query.where(MemberTag.member_id > after_id)
    rows = session.execute(query.order_by(MemberTag.member_id).limit(limit))
    return [Holder(member.id, member, source, added_at) for member, source, added_at in rows]


def read_holders(
    session: Session, principal: Principal, found: Sequence[Holder]
) -> list[TagMemberRead]:
    """Holders as the API shows them: name and phone masked for roles without PII access."""
    phones = phones_of(session, principal, [holder.id for holder in found])
    return [
        TagMemberRead(
            member_id=str(holder.id),
            name=members.shown_name(holder.member, principal.sees_pii),
            phone=phones.get(holder.id, ""),
            source=holder.source,
            added_at=holder.added_at,
        )
        for holder in found
    ]
