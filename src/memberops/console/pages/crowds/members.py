"""A saved crowd opened on the crowds page: its size counted now, its members a page at a time
(masked as the service returns them for the viewer's role), the CSV export with the column
names in the viewer's language, and for managers freeze (snapshots) and delete (confirmed).
Everything goes through the crowds room's services as the signed-in person, so the console
refuses and audits exactly what the API does."""

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import ui
from sqlalchemy.orm import Session

from memberops.console.formatting import BLANK, number, yuan
from memberops.console.pages.loyalty.forms import empty_state, section_title, table
from memberops.console.pages.pager import Trail
from memberops.console.pages.shell import session_factory, transaction
from memberops.console.viewer import Viewer
from memberops.crowds import service
from memberops.crowds.errors import CrowdNotFound
from memberops.crowds.export import COLUMNS, export_chunks
from memberops.crowds.models import Crowd, CrowdKind
from memberops.crowds.schemas import CrowdMemberRead
from memberops.kernel import clock
from memberops.kernel.errors import DomainError
from memberops.tenancy.access import Permission

#: Members per page.
MEMBERS_PAGE = 10


def member_cells(viewer: Viewer, row: CrowdMemberRead) -> dict[str, Any]:
    """A crowd member as the tables show them: gender in words, money in yuan, local time."""
    return {
        "member_id": row.member_id,
        "name": row.name,
        "phone": row.phone,
        "gender": viewer.t(f"gender.{row.gender}") if row.gender else BLANK,
        "city": row.city or BLANK,
        "orders": number(row.orders),
        "spend": yuan(row.spend),
        "last_order_at": viewer.when(row.last_order_at),
    }


def member_table(viewer: Viewer, rows: list[CrowdMemberRead]) -> ui.table:
    """The members with the export's columns, labelled ``crowds.col.<name>``."""
    columns = [(name, viewer.t(f"crowds.col.{name}")) for name in COLUMNS]
    return table(columns, [member_cells(viewer, row) for row in rows], key="member_id")


class CrowdMembers:
    """The panel of the crowd opened; ``gone`` is called once it is deleted."""

    def __init__(self, viewer: Viewer, crowd_id: int, gone: Callable[[], object]) -> None:
        self.viewer, self.crowd_id, self.gone = viewer, crowd_id, gone
        self.trail = Trail(lambda: self.show.refresh())

    @property
    def manages(self) -> bool:
        return self.viewer.principal.can(Permission.crowds_manage)

    @ui.refreshable_method
    def show(self) -> None:
        """The crowd counted now (and its size stored, as ``GET /crowds/{id}`` does) with the
        page of members after the cursor; gone when someone deleted it meanwhile."""
        t, principal = self.viewer.t, self.viewer.principal
        with transaction() as session:
            try:
                crowd = service.counted(
                    session, principal, service.get_crowd(session, principal, self.crowd_id)
                )
            except CrowdNotFound:
                ui.label(t("crowds.not_found", id=self.crowd_id)).classes("text-slate-500")
                return
            ids = service.members_page(
                session, principal, crowd.id, self.trail.after, MEMBERS_PAGE + 1
            )
            rows = service.member_rows(session, principal, ids[:MEMBERS_PAGE])
        with ui.card().classes("crowd-members w-full shadow-sm gap-3"):
            with ui.row().classes("w-full items-center gap-2"):
                section_title(t("crowds.members_of", name=crowd.name, count=number(crowd.size)))
                if crowd.frozen_at is not None:
                    ui.label(t("crowds.frozen_at", at=self.viewer.when(crowd.frozen_at))).classes(
                        "text-xs text-slate-500"
                    )
                ui.space()
                self._actions(crowd, bool(rows))
            if not rows:
                empty_state("groups", t("crowds.members_empty"))
                return
            member_table(self.viewer, rows)
            self.trail.controls(self.viewer, ids, MEMBERS_PAGE, key=int)

    def _actions(self, crowd: Crowd, any_members: bool) -> None:
        t, name = self.viewer.t, crowd.name
        ui.button(
            t("crowds.edit"),
            icon="tune",
            on_click=lambda: ui.navigate.to(f"/crowds/{self.crowd_id}"),
        ).props("flat no-caps color=primary")
        if any_members:
            ui.button(t("crowds.export"), icon="download", on_click=self._export).props(
                "outline no-caps color=primary"
            )
        if not self.manages:
            return
        if crowd.kind == CrowdKind.snapshot:
            ui.button(t("crowds.freeze"), icon="ac_unit", on_click=self._freeze).props(
                "outline no-caps color=primary"
            )
        ui.button(
            t("crowds.delete"), icon="delete", on_click=lambda: self._confirm_delete(name)
        ).props("outline no-caps color=negative")

    def _export(self) -> None:
        """Every member now, masked as the list shows them, with translated column names."""
        header = tuple(self.viewer.t(f"crowds.col.{name}") for name in COLUMNS)
        pieces = export_chunks(session_factory(), self.viewer.principal, self.crowd_id, header)
        text = "".join(piece for piece, _ in pieces)
        local = clock.now().astimezone(ZoneInfo(self.viewer.principal.timezone))
        name = f"crowd-{self.crowd_id}-{local.strftime('%Y%m%d-%H%M%S')}.csv"
        ui.download.content(text.encode("utf-8"), name, "text/csv")

    def _attempt(self, action: Callable[[Session], Crowd | None]) -> bool:
        """Run ``action`` in a transaction; a refusal is shown, not raised."""
        try:
            with transaction() as session:
                action(session)
        except DomainError as error:
            ui.notify(error.detail, type="negative")
            return False
        return True

    def _freeze(self) -> None:
        principal = self.viewer.principal
        if self._attempt(lambda session: service.freeze(session, principal, self.crowd_id)):
            ui.notify(self.viewer.t("crowds.frozen"), type="positive")
            self.trail = Trail(lambda: self.show.refresh())
            self.show.refresh()

    async def _confirm_delete(self, name: str) -> None:
        t = self.viewer.t
        with ui.dialog() as dialog, ui.card().classes("gap-4"):
            ui.label(t("crowds.delete_confirm", name=name))
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button(t("common.cancel"), on_click=lambda: dialog.submit(False)).props(
                    "flat no-caps"
                )
                ui.button(t("crowds.delete"), on_click=lambda: dialog.submit(True)).props(
                    "unelevated no-caps color=negative"
                )
        if await dialog:
            principal = self.viewer.principal
            if self._attempt(
                lambda session: service.delete_crowd(session, principal, self.crowd_id)
            ):
                ui.notify(t("crowds.deleted", name=name), type="positive")
                self.gone()
        dialog.delete()
