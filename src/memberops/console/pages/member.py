"""The member page: attributes, identities, consent, merge history (with undo for roles that
may merge) and the timeline of orders and events. Everything shown comes from
``identity.service.member_detail`` and activity's read functions, which mask PII for roles
without access, so this page cannot leak what the API would not show."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from memberops.console.formatting import BLANK
from memberops.console.pages.member_insights import InsightsCard
from memberops.console.pages.member_loyalty import LoyaltyCard
from memberops.console.pages.member_recommendations import RecommendationsCard
from memberops.console.pages.shell import content, current_viewer, frame, to_login, transaction
from memberops.console.pages.timeline import Timeline
from memberops.console.viewer import Viewer
from memberops.identity import service as identity
from memberops.identity.merge import undo_merge
from memberops.identity.schemas import MemberDetail, MergeRead
from memberops.kernel.errors import DomainError
from memberops.kernel.pagination import MAX_KEY
from memberops.members import service as members
from memberops.members.errors import MemberNotFound
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Permission

#: A member id as the database can hold it; anything else is a 422, never a 500.
MemberId = Annotated[int, Path(ge=1, le=MAX_KEY)]
_STATUS_COLOURS = {"active": "positive", "merged": "warning", "erased": "grey-7"}


@contextmanager
def _card(title: str, span: str) -> Iterator[None]:
    with ui.card().classes(f"{span} w-full shadow-sm gap-3"):
        ui.label(title).classes("text-base font-semibold text-slate-700")
        yield


def _grid_header(*labels: str) -> None:
    for label in labels:
        ui.label(label).classes(
            "text-xs font-medium text-slate-500 border-b border-slate-200 pb-1 pr-4"
        )


class MemberView:
    """One member's page; re-rendered in place after an undo."""

    def __init__(self, viewer: Viewer, member_id: int) -> None:
        self.viewer = viewer
        self.member_id = member_id

    @ui.refreshable_method
    def show(self) -> None:
        t, principal = self.viewer.t, self.viewer.principal
        ui.link("← " + t("member.back"), "/members").classes("text-sm")
        with transaction() as session:
            try:
                member = members.get_member(session, principal, self.member_id)
            except MemberNotFound:
                ui.label(t("member.not_found", id=self.member_id)).classes("text-slate-500")
                return
            detail = identity.member_detail(session, principal, member)
            channels = {c.code: c.name for c in tenancy.list_channels(session, principal)}
        self._heading(detail)
        with ui.element("div").classes("grid grid-cols-3 gap-4 w-full items-start"):
            with _card(t("member.attributes"), "col-span-1"):
                self._attributes(detail, channels)
            with _card(t("member.identities"), "col-span-2"):
                self._identities(detail)
            with _card(t("member.consent"), "col-span-1"):
                self._consent(detail)
            with _card(t("member.merges"), "col-span-2"):
                self._merges(detail.merges)
            timeline = Timeline(self.viewer, self.member_id, channels)
            with _card(t("member.orders"), "col-span-2"):
                timeline.orders_list()
            with _card(t("member.events"), "col-span-1"):
                timeline.events_list()
            if principal.can(Permission.insights_read):
                with _card(t("member.insights"), "col-span-3"):
                    InsightsCard(self.viewer, self.member_id).show()
            if principal.can(Permission.loyalty_read):
                with _card(t("member.loyalty"), "col-span-3"):
                    LoyaltyCard(self.viewer, self.member_id).show()
            with _card(t("member.recommendations"), "col-span-3"):
                RecommendationsCard(self.viewer, self.member_id).show()

    def _heading(self, detail: MemberDetail) -> None:
        t = self.viewer.t
        with ui.row().classes("items-center gap-3"):
            ui.label(t("member.title", id=detail.id)).classes(
                "text-2xl font-semibold text-slate-800"
            )
            if detail.attributes.name:
                ui.label(detail.attributes.name).classes("text-xl text-slate-600")
            ui.badge(t(f"member.status.{detail.status}"), color=_STATUS_COLOURS[detail.status])
            registered = "member.registered" if detail.registered else "member.unregistered"
            ui.badge(t(registered), color="blue-grey-4")
        if detail.merged_into:
            with ui.row().classes(
                "w-full items-center gap-2 rounded border border-amber-300 bg-amber-50 px-4 py-2"
            ):
                ui.icon("call_merge").classes("text-amber-700")
                ui.label(t("member.merged_into"))
                ui.link(f"#{detail.merged_into}", f"/members/{detail.merged_into}")

    def _attributes(self, detail: MemberDetail, channels: dict[str, str]) -> None:
        t, attrs = self.viewer.t, detail.attributes
        first = detail.first_channel
        pairs = [
            ("attr.name", attrs.name),
            ("attr.nickname", attrs.nickname),
            ("attr.gender", t(f"gender.{attrs.gender.value}") if attrs.gender else None),
            ("attr.birthday", attrs.birthday.isoformat() if attrs.birthday else None),
            ("attr.region", " ".join(p for p in (attrs.province, attrs.city) if p)),
            ("attr.first_channel", channels.get(first, first) if first else None),
            ("attr.created_at", self.viewer.when(detail.created_at)),
            ("attr.updated_at", self.viewer.when(detail.updated_at)),
        ]
        labelled = [(t(key), value) for key, value in pairs]
        for key, value in sorted((attrs.custom or {}).items()):
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            labelled.append((key, shown))
        with ui.grid(columns="auto 1fr").classes("gap-x-6 gap-y-1 text-sm"):
            for label, value in labelled:
                ui.label(label).classes("text-slate-500")
                ui.label(value or BLANK).classes("break-all")

    def _identities(self, detail: MemberDetail) -> None:
        t = self.viewer.t
        if not detail.identities:
            ui.label(t("member.no_identities")).classes("text-sm text-slate-500")
            return
        names = ("type", "value", "scope", "source", "created_at")
        columns = [
            {"name": n, "label": t(f"identity.{n}"), "field": n, "align": "left"} for n in names
        ]
        rows = [
            {
                "key": f"{i.type}:{i.channel or i.app or ''}:{i.value}",
                "type": t(f"identity.{i.type.value}"),
                "value": i.value,
                "scope": i.channel or i.app or BLANK,
                "source": i.source or BLANK,
                "created_at": self.viewer.when(i.created_at),
            }
            for i in detail.identities
        ]
        table = ui.table(columns=columns, rows=rows, row_key="key").classes("w-full")
        table.props('flat dense wrap-cells table-header-class="text-slate-500"')

    def _consent(self, detail: MemberDetail) -> None:
        t = self.viewer.t
        if not detail.consent:
            ui.label(t("member.no_consent")).classes("text-sm text-slate-500")
            return
        with ui.grid(columns="auto auto 1fr").classes("gap-y-1 text-sm w-full [&>*]:pr-4"):
            _grid_header(t("consent.channel"), t("consent.state"), t("consent.source"))
            for channel, decision in detail.consent.items():
                ui.label(t(f"consent.{channel.value}"))
                state = "consent.granted" if decision.granted else "consent.refused"
                colour = "text-positive" if decision.granted else "text-negative"
                ui.label(t(state)).classes(colour)
                ui.label(f"{decision.source} · {self.viewer.when(decision.at)}").classes(
                    "text-slate-500"
                )

    def _merges(self, merges: list[MergeRead]) -> None:
        t = self.viewer.t
        if not merges:
            ui.label(t("member.no_merges")).classes("text-sm text-slate-500")
            return
        may_undo = self.viewer.principal.can(Permission.members_merge)
        with ui.grid(columns="auto auto auto 1fr auto auto").classes(
            "gap-y-2 text-sm w-full items-center [&>*]:pr-4"
        ):
            _grid_header(
                t("merge.date"),
                t("merge.survivor"),
                t("merge.absorbed"),
                t("merge.actor"),
                t("merge.state"),
                "",
            )
            for merge in merges:
                self._merge_row(merge, may_undo)

    def _member_ref(self, member_id: str) -> None:
        if member_id == str(self.member_id):
            ui.label(f"#{member_id}").classes("font-medium")
        else:
            ui.link(f"#{member_id}", f"/members/{member_id}")

    def _merge_row(self, merge: MergeRead, may_undo: bool) -> None:
        t = self.viewer.t
        ui.label(self.viewer.when(merge.created_at))
        self._member_ref(merge.survivor_id)
        self._member_ref(merge.absorbed_id)
        ui.label(merge.actor).classes("text-slate-600 break-all")
        if merge.undone_at:
            ui.label(t("merge.undone", at=self.viewer.when(merge.undone_at))).classes(
                "text-slate-500"
            )
        else:
            ui.label(t("merge.in_effect")).classes("text-positive")
        if may_undo and merge.undone_at is None:
            ui.button(t("merge.undo"), icon="undo").props(
                "outline dense no-caps color=negative size=sm"
            ).on_click(lambda: self._confirm_undo(int(merge.id)))
        else:
            ui.label()

    async def _confirm_undo(self, merge_id: int) -> None:
        t = self.viewer.t
        with ui.dialog() as dialog, ui.card().classes("gap-4"):
            ui.label(t("merge.undo_confirm", id=merge_id))
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button(t("common.cancel"), on_click=lambda: dialog.submit(False)).props(
                    "flat no-caps"
                )
                ui.button(t("merge.undo"), on_click=lambda: dialog.submit(True)).props(
                    "unelevated no-caps color=negative"
                )
        if await dialog:
            self._undo(merge_id)
        dialog.delete()

    def _undo(self, merge_id: int) -> None:
        """Undo through the identity service; the audit log records the signed-in person."""
        try:
            with transaction() as session:
                undo_merge(session, self.viewer.principal, merge_id)
        except DomainError as exc:
            ui.notify(exc.detail, type="negative")
            return
        ui.notify(self.viewer.t("merge.undo_done", id=merge_id), type="positive")
        self.show.refresh()


@ui.page("/members/{member_id}")
def member_page(request: Request, member_id: MemberId) -> RedirectResponse | None:
    viewer = current_viewer()
    if viewer is None:
        return to_login(request)
    frame(viewer, viewer.t("member.title", id=member_id), "/members")
    with content():
        MemberView(viewer, member_id).show()
    return None
