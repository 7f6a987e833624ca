"""One community group's page: its kind, series and how full it is, and its current roster —
the latest joined first, a page at a time, each member's name (masked for roles without
personal data), when they joined and who invited them (an operator, a journey, the review);
a row opens the member."""

from typing import Any

from nicegui import events, ui

from memberops.community import service
from memberops.community.models import CommunityGroup, GroupMember
from memberops.console.formatting import BLANK, number
from memberops.console.pages.loyalty.forms import empty_state, figure, section_title, table
from memberops.console.pages.pager import Trail
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.members.service import members_by_id, shown_name

#: Members per page.
PAGE_SIZE = 20
COLUMNS = ("member", "joined_at", "invited_by")


def invited_by(actor: str, viewer: Viewer) -> str:
    """Who invited a member, in words: ``operator:ops@x.com``, ``journey:7`` or ``review``."""
    kind, _, who = actor.partition(":")
    if kind in ("operator", "journey", "review"):
        return viewer.t(f"community.by.{kind}", who=who)
    return actor


class RosterView:
    """The group's header figures and its roster with a pager, or the empty state."""

    def __init__(self, viewer: Viewer, group_id: int) -> None:
        self.viewer, self.group_id = viewer, group_id
        self.trail = Trail(lambda: self.show.refresh())

    @ui.refreshable_method
    def show(self) -> None:
        principal = self.viewer.principal
        with transaction() as session:
            group = service.get_group(session, principal, self.group_id)
            limit = service.group_size(session, principal)
            found = service.roster(session, principal, group, self.trail.after, PAGE_SIZE + 1)
            people = members_by_id(session, principal, (r.member_id for r in found))
            rows = [self._row(r, people, principal.sees_pii) for r in found[:PAGE_SIZE]]
        self._header(group, limit)
        with ui.card().classes("w-full shadow-sm gap-3"):
            section_title(self.viewer.t("community.roster"))
            if not rows:
                empty_state("person_off", self.viewer.t("community.roster_empty"))
                return
            self._table(rows)
            self.trail.controls(self.viewer, found, PAGE_SIZE)

    def _header(self, group: CommunityGroup, limit: int) -> None:
        t = self.viewer.t
        ui.label(group.name).classes("text-2xl font-semibold text-slate-800")
        with ui.card().classes("w-full shadow-sm"), ui.row().classes("gap-10"):
            figure(t("community.col.kind"), t(f"community.kind.{group.kind}"), "kind")
            figure(t("community.series"), group.series, "series")
            figure(t("community.col.members"), number(group.size), "members")
            figure(t("community.group_size"), number(limit), "group_size")

    def _row(self, entry: GroupMember, people: dict[int, Any], sees_pii: bool) -> dict[str, Any]:
        member = people.get(entry.member_id)
        return {
            "id": entry.id,
            "member_id": entry.member_id,
            "member": (shown_name(member, sees_pii) if member else "") or BLANK,
            "joined_at": self.viewer.when(entry.joined_at),
            "invited_by": invited_by(entry.invited_by, self.viewer),
        }

    def _table(self, rows: list[dict[str, Any]]) -> None:
        columns = [(name, self.viewer.t(f"community.col.{name}")) for name in COLUMNS]
        grid = table(columns, rows, key="id").classes("community-roster cursor-pointer")
        grid.on("rowClick", self._open)

    def _open(self, event: events.GenericEventArguments) -> None:
        ui.navigate.to(f"/members/{int(event.args[1]['member_id'])}")
