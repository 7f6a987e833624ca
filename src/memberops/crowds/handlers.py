"""The crowds room's subscriptions, installed by :func:`register` (``memberops.wiring``).

A snapshot crowd holds people as they were frozen: when one of them is merged into another
member, the survivor takes the absorbed member's place in every snapshot the survivor is not
in already (recorded, so undoing the merge moves exactly those rows back).
"""

from sqlalchemy import Table, and_, exists
from sqlalchemy.orm import Session, aliased

from memberops.crowds.models import CrowdMember
from memberops.identity.events import MembersMerged
from memberops.identity.merge import move_member_rows
from memberops.kernel.events import subscribe

_ROWS: Table = CrowdMember.__table__  # type: ignore[assignment]


def on_members_merged(session: Session, event: MembersMerged) -> None:
    survivors = aliased(CrowdMember)
    already = exists().where(
        and_(
            survivors.tenant_id == event.tenant_id,
            survivors.member_id == event.survivor_id,
            survivors.crowd_id == _ROWS.c.crowd_id,
        )
    )
    move_member_rows(session, event, _ROWS, keep=already)


def register() -> None:
    subscribe(MembersMerged, on_members_merged)
