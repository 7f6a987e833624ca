"""The community page's groups (社群, seed 004): the tenant's basic and VIP groups, newest
first, with their rosters' sizes against the group size, a page at a time; a dialog to open a
new series; and the VIP review — the rule the monthly review keeps the VIP rosters by, and a
button that runs it now. Through the community room as the signed-in person: reading takes
``campaigns:read``, opening a group and running the review ``campaigns:manage``."""

import json
from collections.abc import Callable, Sequence
from typing import Any

from nicegui import events, ui

from memberops.community import review, service
from memberops.community.models import CommunityGroup, GroupKind
from memberops.community.rules import CommunityRules
from memberops.community.schemas import GroupCreate, ReviewResult
from memberops.console.formatting import number
from memberops.console.pages.loyalty.forms import (
    CreateDialog,
    empty_state,
    entered,
    figure,
    section_title,
    table,
)
from memberops.console.pages.pager import Trail
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.kernel.errors import DomainError
from memberops.tenancy.access import Permission
from memberops.tenancy.sections import load_section

#: Groups per page.
PAGE_SIZE = 20
COLUMNS = ("name", "kind", "members", "created_at")


def group_row(group: CommunityGroup, limit: int, viewer: Viewer) -> dict[str, Any]:
    """One group as the list shows it: its roster against the size a group holds."""
    return {
        "id": group.id,
        "name": group.name,
        "kind": viewer.t(f"community.kind.{group.kind}"),
        "members": f"{number(group.size)} / {number(limit)}",
        "created_at": viewer.when(group.created_at),
        "open": viewer.t("community.open"),
    }


def review_said(done: ReviewResult, viewer: Viewer) -> str:
    return viewer.t(
        "community.reviewed",
        qualified=number(done.qualified),
        invited=number(done.invited),
        removed=number(done.removed),
    )


class GroupList:
    """The groups with their pager, or the empty state; managers may open a new series."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.trail = Trail(lambda: self.show.refresh())

    @property
    def manages(self) -> bool:
        return self.viewer.principal.can(Permission.campaigns_manage)

    @ui.refreshable_method
    def show(self) -> None:
        t, principal = self.viewer.t, self.viewer.principal
        with transaction() as session:
            found = service.list_groups(session, principal, self.trail.after, PAGE_SIZE + 1)
            limit = service.group_size(session, principal)
        with ui.card().classes("w-full shadow-sm gap-3"):
            with ui.row().classes("w-full items-center"):
                section_title(t("community.groups"))
                ui.space()
                if self.manages:
                    ui.button(t("community.new"), icon="add", on_click=self._create).props(
                        "unelevated no-caps color=primary"
                    )
            if not found:
                empty_state("groups", t("community.empty"))
                return
            self._table([group_row(g, limit, self.viewer) for g in found[:PAGE_SIZE]])
            self.trail.controls(self.viewer, found, PAGE_SIZE)

    def _table(self, rows: list[dict[str, Any]]) -> None:
        columns = [(name, self.viewer.t(f"community.col.{name}")) for name in COLUMNS]
        grid = table([*columns, ("action", "")], rows, key="id").classes("community-groups")
        grid.add_slot(
            "body-cell-action",
            """<q-td :props="props"><q-btn flat dense no-caps size="sm" color="primary"
            :label="props.row.open" @click="$parent.$emit('open', props.row)" /></q-td>""",
        )
        grid.on("open", self._open)

    def _open(self, event: events.GenericEventArguments) -> None:
        ui.navigate.to(f"/community/{int(event.args['id'])}")

    def _create(self) -> None:
        GroupDialog(self.viewer, self.show.refresh).open()


class GroupDialog(CreateDialog):
    """The "new group" form: a name (the series') and its kind."""

    def __init__(self, viewer: Viewer, done: Callable[[], object]) -> None:
        super().__init__(viewer, done)
        t = viewer.t
        with self.dialog, ui.card().classes("w-[26rem] gap-2"):
            section_title(t("community.new"))
            self.name = ui.input(t("community.field.name")).props("dense outlined")
            self.name.classes("w-full")
            kinds = {kind.value: t(f"community.kind.{kind.value}") for kind in GroupKind}
            self.kind = ui.select(kinds, label=t("community.field.kind"), value="basic")
            self.kind.props("dense outlined").classes("w-full")
            ui.label(t("community.series_hint")).classes("text-xs text-slate-400")
            self.buttons(t("community.create"))

    def where(self, loc: Sequence[str | int]) -> str:
        name = str(loc[0]) if loc else ""
        if name in ("name", "kind"):
            return self.viewer.t(f"community.field.{name}")
        return super().where(loc)

    def store(self) -> str:
        body = GroupCreate.model_validate(
            {"name": entered(self.name) or "", "kind": self.kind.value}
        )
        with transaction() as session:
            service.create_group(session, self.viewer.principal, body)
        return self.viewer.t("community.created", name=body.name)


class ReviewCard:
    """The VIP review: the rule and the group size (rules set through the API), and, for
    managers, a button that runs the review now; ``reviewed`` redraws the groups after."""

    def __init__(self, viewer: Viewer, reviewed: Callable[[], object]) -> None:
        self.viewer, self.reviewed = viewer, reviewed

    def show(self) -> None:
        t = self.viewer.t
        with transaction() as session:
            rules = load_section(session, self.viewer.principal.tenant_id, CommunityRules)
        with ui.card().classes("w-full shadow-sm gap-3"):
            section_title(t("community.review"))
            ui.label(t("community.review_hint")).classes("text-xs text-slate-400")
            figure(t("community.group_size"), number(rules.group_size), "group_size")
            if rules.vip_rule is None:
                ui.label(t("community.no_rule")).classes("text-sm text-slate-500")
                return
            ui.label(t("community.rule")).classes("text-xs text-slate-500")
            rule = json.dumps(rules.vip_rule, ensure_ascii=False)
            ui.label(rule).classes("font-mono text-sm text-slate-700 break-all").props("data-rule")
            if self.viewer.principal.can(Permission.campaigns_manage):
                ui.button(t("community.review_now"), icon="fact_check", on_click=self._run).props(
                    "outline no-caps color=primary"
                )

    def _run(self) -> None:
        try:
            with transaction() as session:
                done = review.review_now(session, self.viewer.principal)
        except DomainError as error:
            ui.notify(error.detail, type="negative")
            return
        ui.notify(review_said(done, self.viewer), type="positive")
        self.reviewed()
