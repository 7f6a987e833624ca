"""The campaigns room's subscriptions, installed by :func:`register` (``memberops.wiring``).

A member merged into another takes their campaign rows along, so the survivor is the one who
was sent, held out or skipped (the frequency cap counts the survivor's messages). Where both
were in one campaign the survivor's row stays and the absorbed member's stays behind: a
campaign decides once per member. Each moved row is recorded, so undoing the merge moves
exactly those rows back.
"""

from sqlalchemy import Table, and_, exists
from sqlalchemy.orm import Session, aliased

from memberops.campaigns.models import CampaignRecipient
from memberops.identity.events import MembersMerged
from memberops.identity.merge import move_member_rows
from memberops.kernel.events import subscribe

_ROWS: Table = CampaignRecipient.__table__  # type: ignore[assignment]


def on_members_merged(session: Session, event: MembersMerged) -> None:
    survivors = aliased(CampaignRecipient)
    already = exists().where(
        and_(
            survivors.tenant_id == event.tenant_id,
            survivors.member_id == event.survivor_id,
            survivors.campaign_id == _ROWS.c.campaign_id,
        )
    )
    move_member_rows(session, event, _ROWS, keep=already)


def register() -> None:
    subscribe(MembersMerged, on_members_merged)
