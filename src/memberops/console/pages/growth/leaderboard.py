"""The referral leaderboard of the growth page (老带新): referrers ranked by rewarded
referrals, then invitations, a page at a time; a row opens the member.

The ranking is ``growth.referrals.leaderboard`` — the function behind
``GET /api/v1/growth/referral-leaderboard`` — paged by rank like the API's cursor (one row
more than a page tells whether another follows), with the pager's trail of ranks for
"previous". Names are masked for roles without access to personal data, as every list is."""

from dataclasses import dataclass

from nicegui import events, ui
from sqlalchemy.orm import Session

from memberops.console.formatting import BLANK, number
from memberops.console.pages.loyalty.forms import empty_state, section_title, table
from memberops.console.pages.pager import Trail
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.growth import referrals
from memberops.members.service import members_by_id, shown_name
from memberops.tenancy.access import Principal

#: Referrers per page.
PAGE_SIZE = 10
#: Columns of the table; labels are ``growth.leader.<name>``.
COLUMNS = ("rank", "id", "member", "rewarded", "invited")


@dataclass(frozen=True)
class Leader:
    """One referrer as the board shows it: its rank (from 1), id, name and counts."""

    rank: int
    member_id: int
    name: str
    rewarded: int
    invited: int


def leaders(session: Session, principal: Principal, offset: int, limit: int) -> list[Leader]:
    """``limit`` referrers from rank ``offset`` (0-based), with their shown names (read in one
    query)."""
    found = referrals.leaderboard(session, principal, offset, limit)
    people = members_by_id(session, principal, (int(row.member_id) for row in found))
    return [
        Leader(
            rank=offset + n + 1,
            member_id=int(row.member_id),
            name=shown_name(people[int(row.member_id)], principal.sees_pii),
            rewarded=row.rewarded,
            invited=row.invited,
        )
        for n, row in enumerate(found)
    ]


class LeaderboardView:
    """The board of one tenant; the trail holds the ranks paged from (the cursor is the rank
    of a page's last row, as the API's cursor is an offset)."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.trail = Trail(lambda: self.show.refresh())

    @ui.refreshable_method
    def show(self) -> None:
        t = self.viewer.t
        with transaction() as session:
            found = leaders(session, self.viewer.principal, self.trail.after or 0, PAGE_SIZE + 1)
        with ui.card().classes("w-full shadow-sm gap-3"):
            section_title(t("growth.leaderboard"))
            ui.label(t("growth.leaderboard_hint")).classes("text-xs text-slate-400")
            if not found:
                empty_state("emoji_events", t("growth.leaderboard_empty"))
                return
            self._table(found[:PAGE_SIZE])
            self.trail.controls(self.viewer, found, PAGE_SIZE, key=lambda row: row.rank)

    def _table(self, shown: list[Leader]) -> None:
        t = self.viewer.t
        columns = [(name, t(f"growth.leader.{name}")) for name in COLUMNS]
        rows = [
            {
                "id": str(leader.member_id),
                "rank": str(leader.rank),
                "member": leader.name or BLANK,
                "rewarded": number(leader.rewarded),
                "invited": number(leader.invited),
            }
            for leader in shown
        ]
        grid = table(columns, rows, key="id", numeric=("rank", "rewarded", "invited"))
        grid.props("data-table=leaderboard").classes("cursor-pointer")
        grid.on("rowClick", self._open)

    def _open(self, event: events.GenericEventArguments) -> None:
        ui.navigate.to(f"/members/{event.args[1]['id']}")
