"""The member page's loyalty card: the member's tier (since when, next review), points balance
and what expires soon, the tier history, the latest points entries and the member's coupons;
then its benefit cards and stored value (``member_wallet``).

Read through the loyalty rooms' own reads (the ones behind ``GET /members/{id}/tier``,
``/points`` and ``/coupons``), so the card shows what the API answers.
"""

from dataclasses import dataclass

from nicegui import ui

from memberops.console.formatting import BLANK, number
from memberops.console.pages.loyalty.forms import figure, table
from memberops.console.pages.member_wallet import WalletSection
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.loyalty.coupons import queries as coupons
from memberops.loyalty.coupons.schemas import CouponRead
from memberops.loyalty.points import queries as points
from memberops.loyalty.points.schemas import PointsRead
from memberops.loyalty.tiers import queries as tiers
from memberops.loyalty.tiers import service as ladders
from memberops.loyalty.tiers.models import TierChange
from memberops.loyalty.tiers.schemas import LevelRead

#: Rows of each list on the card (the API pages through the rest).
SHOWN = 10


@dataclass(frozen=True)
class MemberLoyalty:
    """What the card shows of one member, read in one transaction."""

    level: LevelRead
    tier_names: dict[str, str]
    history: list[TierChange]
    points: PointsRead
    coupons: list[CouponRead]


def load(viewer: Viewer, member_id: int) -> MemberLoyalty:
    principal = viewer.principal
    with transaction() as session:
        rules = ladders.ladder(session, principal.tenant_id)
        found = coupons.list_member_coupons(session, principal, member_id, None, None, SHOWN)
        return MemberLoyalty(
            level=tiers.level_of(session, principal, member_id),
            tier_names={level.code: level.name for level in rules.levels},
            history=tiers.history(session, principal, member_id, None, SHOWN),
            points=points.read_points(session, principal, member_id, None, SHOWN),
            coupons=coupons.read_coupons(session, principal, found),
        )


class LoyaltyCard:
    """The loyalty card's contents for one member."""

    def __init__(self, viewer: Viewer, member_id: int) -> None:
        self.viewer, self.member_id = viewer, member_id
        self.data = load(viewer, member_id)

    def show(self) -> None:
        self._figures()
        with ui.element("div").classes("grid grid-cols-2 gap-4 w-full items-start"):
            with ui.column().classes("gap-1"):
                self._title("member.tier_history")
                self._history()
            with ui.column().classes("gap-1"):
                self._title("member.coupons")
                self._coupons()
            with ui.column().classes("col-span-2 gap-1 w-full"):
                self._title("member.points_ledger")
                self._ledger()
        WalletSection(self.viewer, self.member_id).show()

    def _title(self, key: str) -> None:
        ui.label(self.viewer.t(key)).classes("text-sm font-medium text-slate-600")

    def _figure(self, key: str, value: str, hint: str) -> None:
        figure(self.viewer.t(key), value, key.rsplit(".", 1)[-1], hint=hint)

    def _figures(self) -> None:
        t, when, data = self.viewer.t, self.viewer.when, self.data
        soon = data.points.expiring_soon
        with ui.row().classes("w-full gap-10"):
            self._figure(
                "member.tier",
                data.level.name,
                t("member.tier_since", since=when(data.level.since)),
            )
            self._figure("member.next_review", when(data.level.period_ends_at), "")
            self._figure("member.points_balance", number(data.points.balance), "")
            self._figure(
                "member.expiring_soon",
                number(soon.points),
                t("member.expiring_until", until=when(soon.until)),
            )

    def _empty(self, key: str) -> None:
        ui.label(self.viewer.t(key)).classes("text-sm text-slate-500")

    def _history(self) -> None:
        t, names = self.viewer.t, self.data.tier_names
        if not self.data.history:
            self._empty("member.no_tier_history")
            return
        rows = [
            {
                "id": change.id,
                "changed_at": self.viewer.when(change.changed_at),
                "from": names.get(change.from_tier, change.from_tier)
                if change.from_tier
                else BLANK,
                "to": names.get(change.to_tier, change.to_tier),
                "kind": t(f"tier.kind.{change.kind}"),
            }
            for change in self.data.history
        ]
        names_ = ("changed_at", "from", "to", "kind")
        table([(n, t(f"tier.history.{n}")) for n in names_], rows, key="id")

    def _ledger(self) -> None:
        t = self.viewer.t
        if not self.data.points.history:
            self._empty("member.no_points")
            return
        rows = [
            {
                "id": entry.id,
                "occurred_at": self.viewer.when(entry.occurred_at),
                "kind": t(f"points.kind.{entry.kind}"),
                "points": f"{entry.points:+,}",
                "balance_after": number(entry.balance_after),
                "reason": entry.reason or entry.order_id or BLANK,
            }
            for entry in self.data.points.history
        ]
        names = ("occurred_at", "kind", "points", "balance_after", "reason")
        table([(n, t(f"ledger.{n}")) for n in names], rows, key="id")

    def _coupons(self) -> None:
        t = self.viewer.t
        if not self.data.coupons:
            self._empty("member.no_coupons")
            return
        rows = [
            {
                "code": coupon.code,
                "name": coupon.name,
                "status": t(f"coupon.status.{coupon.status}"),
                "valid_until": self.viewer.when(coupon.valid_until),
            }
            for coupon in self.data.coupons
        ]
        names = ("code", "name", "status", "valid_until")
        table([(n, t(f"member_coupon.{n}")) for n in names], rows, key="code")
