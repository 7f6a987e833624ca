"""The messaging room's subscriptions, installed by :func:`register` (``memberops.wiring``).

A member merged into another takes their messages, tracked links and clicks along, so the
survivor is the one who received and clicked them (the member page, crowds' message fields);
each row is recorded, so undoing the merge moves exactly those rows back.
"""

from sqlalchemy import Table
from sqlalchemy.orm import Session

from memberops.identity.events import MembersMerged
from memberops.identity.merge import move_member_rows
from memberops.kernel.events import subscribe
from memberops.messaging.models import LinkClick, Message, TrackedLink

_TABLES: tuple[Table, ...] = (Message.__table__, TrackedLink.__table__, LinkClick.__table__)  # type: ignore[assignment]


def on_members_merged(session: Session, event: MembersMerged) -> None:
    for table in _TABLES:
        move_member_rows(session, event, table)


def register() -> None:
    subscribe(MembersMerged, on_members_merged)
