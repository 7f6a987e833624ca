"""The benefit-cards room's subscriptions and registrations, installed by :func:`register`
(called from ``memberops.wiring`` by every entry point).

On a merge the absorbed member's holdings, their payments and monthly grants move to the
survivor (each row recorded by ``move_member_rows``, so undoing the merge moves exactly those
back); the survivor may then hold two cards of one type, both valid until they end. Adds the
card multiplier to points' earning and ``benefit_cards`` to ``GET /members/{id}`` and to the
member export.
"""

from sqlalchemy import Table
from sqlalchemy.orm import Session

from memberops.identity.events import MembersMerged
from memberops.identity.merge import move_member_rows
from memberops.identity.service import register_detail_section
from memberops.kernel.events import subscribe
from memberops.loyalty.cards.benefits import card_multiplier
from memberops.loyalty.cards.models import CardCouponGrant, CardHolding, CardPayment
from memberops.loyalty.cards.queries import cards_export, cards_section
from memberops.loyalty.points.earn import register_multiplier
from memberops.members.service import register_export_section

_TABLES: tuple[Table, ...] = (  # type: ignore[assignment]
    CardHolding.__table__,
    CardPayment.__table__,
    CardCouponGrant.__table__,
)


def on_members_merged(session: Session, event: MembersMerged) -> None:
    for table in _TABLES:
        move_member_rows(session, event, table)


def register() -> None:
    """Subscribe to merges, add the card multiplier and the member sections; idempotent."""
    subscribe(MembersMerged, on_members_merged)
    register_multiplier(card_multiplier)
    register_detail_section("benefit_cards", cards_section)
    register_export_section("benefit_cards", cards_export)
