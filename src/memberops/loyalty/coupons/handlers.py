"""The coupons room's subscriptions and registrations, installed by :func:`register` (called
from ``memberops.wiring`` by every entry point).

On a merge the absorbed member's coupons move to the survivor (each row recorded by
``move_member_rows``, so undoing the merge moves exactly those back). A template's counters
count coupons, not members, so they do not change. Adds ``coupons`` to ``GET /members/{id}``
and to the member export.
"""

from sqlalchemy import Table
from sqlalchemy.orm import Session

from memberops.identity.events import MembersMerged
from memberops.identity.merge import move_member_rows
from memberops.identity.service import register_detail_section
from memberops.kernel.events import subscribe
from memberops.loyalty.coupons.models import Coupon
from memberops.loyalty.coupons.queries import coupons_export, coupons_section
from memberops.members.service import register_export_section

_COUPONS: Table = Coupon.__table__  # type: ignore[assignment]


def on_members_merged(session: Session, event: MembersMerged) -> None:
    move_member_rows(session, event, _COUPONS)


def register() -> None:
    """Subscribe to merges and add the member sections; idempotent."""
    subscribe(MembersMerged, on_members_merged)
    register_detail_section("coupons", coupons_section)
    register_export_section("coupons", coupons_export)
