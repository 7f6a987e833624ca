"""The member list: search by any identity or a name prefix, page with cursors, export CSV,
click a row to open the member."""

from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import events, ui

from memberops.console.listing import COLUMNS, Listing, MemberRow, cells, load_listing, members_csv
from memberops.console.pages.shell import content, current_viewer, frame, to_login, transaction
from memberops.console.viewer import Viewer
from memberops.kernel import clock
from memberops.tenancy.access import Permission

#: Rows per page: what fits a laptop screen without scrolling far.
PAGE_SIZE = 20


class MemberList:
    """One browser tab's view of the list: the search text and the trail of cursors walked, so
    "previous" returns to exactly the page seen before."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.query = ""
        self.trail: list[int | None] = [None]
        self.rows: list[MemberRow] = []

    def search(self, text: str) -> None:
        self.query, self.trail = text.strip(), [None]
        self.show.refresh()

    def next_page(self, after_id: int) -> None:
        self.trail.append(after_id)
        self.show.refresh()

    def previous_page(self) -> None:
        self.trail.pop()
        self.show.refresh()

    def export(self) -> None:
        """Download the rows on screen, masked as they are shown."""
        local = clock.now().astimezone(ZoneInfo(self.viewer.principal.timezone))
        stamp = local.strftime("%Y%m%d-%H%M%S")
        ui.download.content(members_csv(self.rows, self.viewer), f"members-{stamp}.csv", "text/csv")

    def toolbar(self) -> None:
        t = self.viewer.t
        with ui.row().classes("w-full items-center gap-2"):
            box = ui.input(placeholder=t("members.search")).props(
                "outlined dense clearable bg-color=white"
            )
            box.classes("w-96")
            # The key press carries the text typed: events sent before the page's socket is up
            # may arrive out of order, so the box's own value could still be the old one.
            box.on(
                "keydown.enter",
                lambda event: self.search(str(event.args or "")),
                js_handler="(event) => emit(event.target.value)",
            )
            box.on("clear", lambda: self.search(""))
            ui.button(t("members.search_button"), icon="search").props(
                "unelevated no-caps color=primary"
            ).on_click(lambda: self.search(box.value or ""))
            ui.space()
            ui.button(t("members.export"), icon="download", on_click=self.export).props(
                "outline no-caps color=primary"
            )

    @ui.refreshable_method
    def show(self) -> None:
        with transaction() as session:
            listing = load_listing(
                session, self.viewer.principal, self.query, self.trail[-1], PAGE_SIZE
            )
        self.rows = listing.rows
        with ui.row().classes("w-full items-center"):
            self._summary(listing)
            ui.space()
            if not self.query:
                self._pager(listing)
        if listing.rows:
            self._table(listing.rows)
        else:
            self._empty()

    def _summary(self, listing: Listing) -> None:
        t = self.viewer.t
        text = t("members.total", count=listing.total)
        if self.query:
            text = t("members.results", count=len(listing.rows))
            if len(listing.rows) == PAGE_SIZE:
                text += " · " + t("members.results_capped", count=PAGE_SIZE)
        ui.label(text).classes("text-sm text-slate-500")

    def _table(self, rows: list[MemberRow]) -> None:
        columns = [
            {"name": name, "label": self.viewer.t(f"col.{name}"), "field": name, "align": "left"}
            for name in COLUMNS
        ]
        table = ui.table(
            columns=columns, rows=[cells(row, self.viewer) for row in rows], row_key="id"
        )
        table.props(
            'flat bordered dense wrap-cells table-header-class="bg-slate-50 text-slate-600"'
        ).classes("w-full bg-white cursor-pointer")
        table.on("rowClick", self._open)

    def _open(self, event: events.GenericEventArguments) -> None:
        ui.navigate.to(f"/members/{event.args[1]['id']}")

    def _empty(self) -> None:
        t = self.viewer.t
        message = t("members.no_match", query=self.query) if self.query else t("members.empty")
        with ui.card().classes("w-full items-center py-12 shadow-none border"):
            ui.icon("group_off" if not self.query else "search_off", size="3rem").classes(
                "text-slate-300"
            )
            ui.label(message).classes("text-slate-500")

    def _pager(self, listing: Listing) -> None:
        t = self.viewer.t
        with ui.row().classes("items-center gap-2"):
            ui.label(t("members.page", page=len(self.trail))).classes("text-sm text-slate-500")
            back = ui.button(
                t("members.previous"), icon="chevron_left", on_click=self.previous_page
            )
            back.props("flat dense no-caps").set_enabled(len(self.trail) > 1)
            after = listing.next_after
            forward = ui.button(t("members.next"))
            forward.props("flat dense no-caps icon-right=chevron_right")
            if after is None:
                forward.disable()
            else:
                forward.on_click(lambda: self.next_page(after))


@ui.page("/members")
def members_page(request: Request) -> RedirectResponse | None:
    viewer = current_viewer()
    if viewer is None:
        return to_login(request)
    frame(viewer, viewer.t("members.title"), "/members")
    with content():
        ui.label(viewer.t("members.title")).classes("text-2xl font-semibold text-slate-800")
        if not viewer.principal.can(Permission.members_list):
            ui.label(viewer.t("common.forbidden")).classes("text-slate-500")
            return None
        member_list = MemberList(viewer)
        member_list.toolbar()
        member_list.show()
    return None
