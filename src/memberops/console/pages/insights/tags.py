"""The tags tab: the tenant's tags with their sizes — each behaviour tag with its definition and
marketing lever in the viewer's language, each rule tag with its condition — the members of a
chosen tag a page at a time with a CSV export (masked as shown), and for managers a dialog to
create a manual or rule tag (the rule as condition JSON), a switch to (de)activate one and a
button to re-evaluate the computed tags. Everything goes through the tags room's services as
the signed-in person, so the console refuses and audits exactly what the API does."""

import json
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import events, ui
from sqlalchemy.orm import Session

from memberops.conditions.errors import InvalidCondition
from memberops.console.formatting import number
from memberops.console.listing import cells, member_rows, members_csv
from memberops.console.pages.loyalty.forms import (
    TOGGLE_BUTTON,
    CreateDialog,
    empty_state,
    entered,
    section_title,
    switch_active,
    table,
)
from memberops.console.pages.pager import Trail
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.insights.tags import catalogue, membership, service
from memberops.insights.tags.models import TagKind
from memberops.insights.tags.schemas import TagCreate, TagPatch, TagRead
from memberops.kernel import clock
from memberops.tenancy.access import Permission

#: Tags per page and members per page.
PAGE_SIZE = 20
MEMBERS_PAGE = 10
#: Holders read per query for the export.
EXPORT_CHUNK = 1_000
COLUMNS = ("name", "kind", "members", "definition", "lever", "state")
#: Keys of what a switch says: (activated, deactivated).
SAID = ("tags.activated", "tags.deactivated")
MEMBER_COLUMNS = ("id", "name", "phone", "source", "added_at")


class TagsTab:
    """The tags of one tenant and, below them, the members of the tag chosen."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.trail = Trail(lambda: self.show.refresh())
        self.chosen: TagRead | None = None
        self.member_trail = Trail(lambda: self.members.refresh())

    @property
    def manages(self) -> bool:
        return self.viewer.principal.can(Permission.insights_manage)

    @ui.refreshable_method
    def show(self) -> None:
        t, principal = self.viewer.t, self.viewer.principal
        with transaction() as session:
            found = service.list_tags(session, principal, self.trail.after, PAGE_SIZE + 1)
            shown = service.read_tags(session, principal, found[:PAGE_SIZE])
        with ui.card().classes("w-full shadow-sm gap-3"):
            self._toolbar()
            if not any(tag.kind != TagKind.behaviour for tag in shown) and len(found) <= PAGE_SIZE:
                ui.label(t("tags.none_own")).classes("text-sm text-slate-500")
            self._table(shown)
            self.trail.controls(self.viewer, found, PAGE_SIZE)
        self.members()

    def _toolbar(self) -> None:
        t = self.viewer.t
        with ui.row().classes("w-full items-center"):
            section_title(t("tags.title"))
            ui.space()
            if self.manages:
                ui.button(t("tags.refresh"), icon="refresh", on_click=self._refresh).props(
                    "outline no-caps color=primary"
                )
                ui.button(t("tags.new"), icon="add", on_click=self._create).props(
                    "unelevated no-caps color=primary"
                )

    def _name(self, tag: TagRead) -> str:
        built_in = catalogue.BY_CODE.get(tag.code) if tag.kind == TagKind.behaviour else None
        return tag.name if built_in is None else built_in.names[self.viewer.locale]

    def _definition(self, tag: TagRead) -> str:
        if tag.definition is not None:
            return tag.definition[self.viewer.locale]
        if tag.condition is not None:
            return json.dumps(tag.condition, ensure_ascii=False)
        return tag.description

    def _row(self, tag: TagRead) -> dict[str, Any]:
        t = self.viewer.t
        return {
            "id": tag.id,
            "active": tag.active,
            "name": self._name(tag),
            "kind": t(f"tags.kind.{tag.kind}"),
            "members": number(tag.members),
            "definition": self._definition(tag),
            "lever": "" if tag.lever is None else tag.lever[self.viewer.locale],
            "state": t("tags.active" if tag.active else "tags.inactive"),
            "toggle": t("tags.deactivate" if tag.active else "tags.activate"),
            "open": t("tags.show_members"),
        }

    def _table(self, shown: list[TagRead]) -> None:
        columns = [(name, self.viewer.t(f"tags.col.{name}")) for name in COLUMNS]
        columns.append(("action", ""))
        grid = table(columns, [self._row(tag) for tag in shown], key="id")
        grid.add_slot(
            "body-cell-action",
            f"""<q-td :props="props"><q-btn flat dense no-caps size="sm" color="primary"
            :label="props.row.open" @click="$parent.$emit('open', props.row)" />
            {TOGGLE_BUTTON if self.manages else ""}</q-td>""",
        )
        grid.on("open", lambda event: self._open(event, shown))
        if self.manages:
            grid.on("toggle", self._toggle)

    def _open(self, event: events.GenericEventArguments, shown: list[TagRead]) -> None:
        self.chosen = next(tag for tag in shown if tag.id == event.args["id"])
        self.member_trail = Trail(lambda: self.members.refresh())
        self.members.refresh()

    def _toggle(self, event: events.GenericEventArguments) -> None:
        if switch_active(self.viewer, event.args, self._switch, SAID):
            self.show.refresh()

    def _switch(self, session: Session, tag_id: int, active: bool) -> None:
        service.update_tag(session, self.viewer.principal, tag_id, TagPatch(active=active))

    def _refresh(self) -> None:
        with transaction() as session:
            counts = service.refresh_tags(session, self.viewer.principal)
        ui.notify(self.viewer.t("tags.refreshed", tags=len(counts)), type="positive")
        self.show.refresh()

    def _create(self) -> None:
        TagDialog(self.viewer, self.show.refresh).open()

    @ui.refreshable_method
    def members(self) -> None:
        """The chosen tag's members, a page at a time (nothing until a tag is chosen)."""
        tag, t, principal = self.chosen, self.viewer.t, self.viewer.principal
        if tag is None:
            return
        with transaction() as session:
            found = membership.holders(
                session, principal, int(tag.id), self.member_trail.after, MEMBERS_PAGE + 1
            )
            rows = member_rows(session, principal, [h.member for h in found[:MEMBERS_PAGE]])
        with ui.card().classes("w-full shadow-sm gap-3 tag-members"):
            with ui.row().classes("w-full items-center"):
                section_title(t("tags.members_of", name=self._name(tag), count=number(tag.members)))
                ui.space()
                if rows:
                    ui.button(t("tags.export"), icon="download", on_click=self._export).props(
                        "outline no-caps color=primary"
                    )
            if not rows:
                empty_state("sell", t("tags.members_empty"))
                return
            columns = [(name, t(f"tags.member_col.{name}")) for name in MEMBER_COLUMNS]
            shown = [
                {
                    **cells(row, self.viewer),
                    "source": t(f"tags.source.{holder.source}"),
                    "added_at": self.viewer.when(holder.added_at),
                }
                for row, holder in zip(rows, found[:MEMBERS_PAGE], strict=True)
            ]
            table(columns, shown, key="id")
            self.member_trail.controls(self.viewer, found, MEMBERS_PAGE)

    def _export(self) -> None:
        """Download every member of the chosen tag, masked as the list shows them."""
        assert self.chosen is not None
        tag, principal, after = self.chosen, self.viewer.principal, None
        rows = []
        with transaction() as session:
            while found := membership.holders(session, principal, int(tag.id), after, EXPORT_CHUNK):
                rows += member_rows(session, principal, [h.member for h in found])
                after = found[-1].id
        local = clock.now().astimezone(ZoneInfo(principal.timezone))
        name = f"tag-{tag.code}-{local.strftime('%Y%m%d-%H%M%S')}.csv"
        ui.download.content(members_csv(rows, self.viewer), name, "text/csv")


def _condition(text: str | None) -> Any:
    """The rule typed in the text area as JSON; a typing mistake reads as a condition problem."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"not JSON ({exc.msg}, line {exc.lineno} column {exc.colno})"
        raise InvalidCondition(message, errors=[{"loc": ["condition"], "msg": message}]) from exc


class TagDialog(CreateDialog):
    """The "new tag" form: a manual tag, or a rule tag with its condition as JSON."""

    def __init__(self, viewer: Viewer, done: Callable[[], object]) -> None:
        super().__init__(viewer, done)
        t = viewer.t
        with self.dialog, ui.card().classes("w-[36rem] gap-2"):
            section_title(t("tags.new"))
            self.code = self._input("code")
            self.name = self._input("name")
            self.description = self._input("description")
            kinds = {k.value: t(f"tags.kind.{k}") for k in (TagKind.manual, TagKind.rule)}
            self.kind = ui.select(kinds, label=t("tags.field.kind"), value=TagKind.manual.value)
            self.kind.props("dense outlined").classes("w-full")
            self.condition = ui.textarea(t("tags.field.condition"), placeholder=t("tags.hint"))
            self.condition.props("dense outlined autogrow").classes("w-full font-mono")
            self.condition.bind_visibility_from(self.kind, "value", value=TagKind.rule.value)
            self.buttons(t("tags.create"))

    def _input(self, name: str) -> ui.input:
        box = ui.input(self.viewer.t(f"tags.field.{name}")).props("dense outlined")
        return box.classes("w-full")

    def where(self, loc: Any) -> str:
        name = str(loc[0]) if loc else ""
        if name in ("code", "name", "description", "kind", "condition"):
            return ".".join([self.viewer.t(f"tags.field.{name}"), *map(str, loc[1:])])
        return ".".join(map(str, loc))

    def store(self) -> str:
        rule = self.kind.value == TagKind.rule.value
        document = {
            "code": entered(self.code) or "",
            "name": entered(self.name) or "",
            "description": entered(self.description) or "",
            "kind": self.kind.value,
            "condition": _condition(str(self.condition.value or "").strip() or None)
            if rule
            else None,
        }
        body = TagCreate.model_validate(document)
        with transaction() as session:
            service.create_tag(session, self.viewer.principal, body)
        return self.viewer.t("tags.created", name=body.name)
