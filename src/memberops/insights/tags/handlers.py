"""The tags room's subscriptions and registrations, installed by :func:`register` (called from
``memberops.wiring`` after activity's, so on a merge orders, events and stats have moved
before computed tags are evaluated again).

On a merge the absorbed member's manual tags that the survivor lacks move to it, each one
recorded in ``merge_moved_tags``; the ones the survivor already has stay with the absorbed
member (merged away, it counts nowhere). Undoing the merge moves exactly the recorded tags
back. Either way rule and behaviour tags are evaluated again for both members — the absorbed
one, inactive while merged, then holds none. Adds ``tags`` to the member export.
"""

from sqlalchemy import and_, exists, insert, select, update
from sqlalchemy.orm import Session, aliased

from memberops.identity.events import MembersMerged, MembersUnmerged
from memberops.insights.tags.models import MemberTag, MovedTag, Tag, TagKind
from memberops.insights.tags.service import reevaluate_members, tags_export
from memberops.kernel.events import subscribe
from memberops.members.service import register_export_section
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role, Tenant


def _system(session: Session, tenant_id: int) -> Principal:
    """The principal handlers evaluate with: the event's tenant, with its timezone (gift
    seasons are local days)."""
    return tenancy.principal_for(session.get_one(Tenant, tenant_id), Role.admin, "system:tags")


def _move(session: Session, tenant_id: int, tag_ids: list[int], source: int, target: int) -> None:
    session.execute(
        update(MemberTag)
        .where(
            MemberTag.tenant_id == tenant_id,
            MemberTag.member_id == source,
            MemberTag.tag_id.in_(tag_ids),
        )
        .values(member_id=target)
        .execution_options(synchronize_session=False)
    )


def on_members_merged(session: Session, event: MembersMerged) -> None:
    survivors = aliased(MemberTag)
    movable = (
        select(MemberTag.tag_id)
        .join(Tag, and_(Tag.tenant_id == MemberTag.tenant_id, Tag.id == MemberTag.tag_id))
        .where(
            MemberTag.tenant_id == event.tenant_id,
            MemberTag.member_id == event.absorbed_id,
            Tag.kind == TagKind.manual,
            ~exists().where(
                survivors.tenant_id == event.tenant_id,
                survivors.member_id == event.survivor_id,
                survivors.tag_id == MemberTag.tag_id,
            ),
        )
    )
    tag_ids = list(session.scalars(movable))
    if tag_ids:
        moved = [
            {
                "tenant_id": event.tenant_id,
                "merge_id": event.merge_id,
                "tag_id": tag_id,
                "member_id": event.absorbed_id,
            }
            for tag_id in tag_ids
        ]
        session.execute(insert(MovedTag), moved)
        _move(session, event.tenant_id, tag_ids, event.absorbed_id, event.survivor_id)
    principal = _system(session, event.tenant_id)
    reevaluate_members(session, principal, [event.survivor_id, event.absorbed_id])


def on_members_unmerged(session: Session, event: MembersUnmerged) -> None:
    moved = select(MovedTag.tag_id).where(
        MovedTag.tenant_id == event.tenant_id, MovedTag.merge_id == event.merge_id
    )
    tag_ids = list(session.scalars(moved))
    if tag_ids:
        _move(session, event.tenant_id, tag_ids, event.survivor_id, event.absorbed_id)
    principal = _system(session, event.tenant_id)
    reevaluate_members(session, principal, [event.survivor_id, event.absorbed_id])


def register() -> None:
    """Subscribe to merges and their undoing; add the export section; idempotent."""
    subscribe(MembersMerged, on_members_merged)
    subscribe(MembersUnmerged, on_members_unmerged)
    register_export_section("tags", tags_export)
