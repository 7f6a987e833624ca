"""One journey's page: its status and the actions its status allows (activate, pause, resume,
archive — each after a confirmation, through the same service functions as the API's
``:activate`` …), where its entries are (figures and a bar chart of the members at each step),
its trigger and steps as an ordered tree with the members now at each step, and what it earned
against its holdout."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from nicegui import ui
from sqlalchemy.orm import Session

from memberops.console import journey_charts, journey_view
from memberops.console.formatting import number
from memberops.console.journey_view import Names
from memberops.console.pages.campaigns.actions import confirmed
from memberops.console.pages.journeys import effect as effect_card
from memberops.console.pages.loyalty.forms import section_title
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.crowds import service as crowds
from memberops.insights.tags import service as tags
from memberops.journeys import effect, service
from memberops.journeys.models import Journey, JourneyStatus
from memberops.journeys.schemas import JourneyEffect, JourneyRead, JourneyReport
from memberops.kernel.errors import DomainError
from memberops.loyalty.coupons import templates
from memberops.tenancy.access import Permission, Principal

#: The actions, the statuses each is offered in, its icon and its button colour.
ACTIONS: dict[str, tuple[tuple[JourneyStatus, ...], str, str]] = {
    "activate": ((JourneyStatus.draft,), "play_arrow", "primary"),
    "resume": ((JourneyStatus.paused,), "play_arrow", "primary"),
    "pause": ((JourneyStatus.active,), "pause", "warning"),
    "archive": (
        (JourneyStatus.draft, JourneyStatus.active, JourneyStatus.paused),
        "inventory_2",
        "negative",
    ),
}
_MOVES: dict[str, Callable[[Session, Principal, int], Journey]] = {
    "activate": service.activate,
    "resume": service.resume,
    "pause": service.pause,
    "archive": service.archive,
}
_LOOKUPS: dict[str, Callable[[Session, Principal, int], Any]] = {
    "coupon": templates.get_template,
    "tag": tags.get_tag,
    "crowd": crowds.get_crowd,
}
#: A step row of the tree: one line, ruled off from the one above.
_ROW = "w-full items-center gap-2 py-1 border-t border-slate-200 no-wrap"
_REF_FIELDS = {"coupon_template_id": "coupon", "tag_id": "tag", "crowd_id": "crowd"}


def ref_names(
    session: Session, principal: Principal, documents: Iterable[Mapping[str, Any]]
) -> dict[tuple[str, int], str]:
    """The names of the coupon templates, tags and crowds the documents point at (one gone
    since is left out, and shown by its id)."""
    wanted = {
        (kind, int(document[name]))
        for document in documents
        for name, kind in _REF_FIELDS.items()
        if document.get(name) is not None
    }
    found: dict[tuple[str, int], str] = {}
    for kind, ident in sorted(wanted):
        try:
            found[(kind, ident)] = _LOOKUPS[kind](session, principal, ident).name
        except DomainError:
            continue
    return found


def offered(status: JourneyStatus) -> list[str]:
    """The actions a journey in ``status`` offers."""
    return [name for name, (allowed, _, _) in ACTIONS.items() if status in allowed]


class JourneyPage:
    """The page body of one journey, read when drawn and again on "refresh"."""

    def __init__(self, viewer: Viewer, journey_id: int) -> None:
        self.viewer, self.journey_id = viewer, journey_id

    def read(self) -> tuple[JourneyRead, JourneyReport, JourneyEffect, Names]:
        principal = self.viewer.principal
        with transaction() as session:
            journey = service.get_journey(session, principal, self.journey_id)
            read = service.read(session, journey)
            report = service.report(session, principal, self.journey_id)
            earned = effect.measure(session, journey)
            names = ref_names(session, principal, [read.trigger, *read.steps])
        return read, report, earned, names

    @ui.refreshable_method
    def show(self) -> None:
        journey, report, earned, names = self.read()
        t = self.viewer.t
        status = t(f"journeys.status.{journey.status.value}")
        with ui.row().classes("w-full items-center gap-2"):
            ui.label(f"{journey.name} · {status}").classes("journey-title text-lg text-slate-700")
            ui.label(t("journeys.version", version=journey.version)).classes(
                "text-sm text-slate-500"
            )
            ui.space()
            ui.button(t("journeys.refresh"), icon="refresh", on_click=self.show.refresh).props(
                "flat no-caps"
            )
        self._actions(journey)
        self._counts(journey, report, names)
        effect_card.show(self.viewer, earned)

    def _actions(self, journey: JourneyRead) -> None:
        if not self.viewer.principal.can(Permission.campaigns_manage):
            ui.label(self.viewer.t("journeys.read_only")).classes("text-sm text-slate-500")
            return
        t = self.viewer.t
        with ui.row().classes("gap-2"):
            for name in offered(journey.status):
                _, icon, colour = ACTIONS[name]
                flavour = "unelevated" if colour == "primary" else "outline"
                ui.button(
                    t(f"journeys.action.{name}"),
                    icon=icon,
                    on_click=lambda _, n=name: self._act(n, journey.name),
                ).props(f"{flavour} no-caps color={colour}")
            if journey.status != JourneyStatus.archived:
                ui.button(
                    t("journeys.edit"),
                    icon="edit",
                    on_click=lambda: ui.navigate.to(f"/journeys/{self.journey_id}/edit"),
                ).props("flat no-caps color=primary")

    async def _act(self, name: str, journey: str) -> None:
        t = self.viewer.t
        _, _, colour = ACTIONS[name]
        question = t(f"journeys.confirm.{name}", name=journey)
        if not await confirmed(self.viewer, question, t(f"journeys.action.{name}"), colour):
            return
        try:
            with transaction() as session:
                moved = _MOVES[name](session, self.viewer.principal, self.journey_id)
                status = moved.status
        except DomainError as error:
            ui.notify(error.detail, type="negative")
            return
        ui.notify(t("journeys.moved", status=t(f"journeys.status.{status}")), type="positive")
        self.show.refresh()

    def _counts(self, journey: JourneyRead, report: JourneyReport, names: Names) -> None:
        t = self.viewer.t
        nodes = journey_view.step_tree(journey.steps, report, journey.version, t, names)
        with ui.card().classes("journey-counts w-full shadow-sm gap-3"):
            section_title(t("journeys.counts"))
            with ui.row().classes("w-full gap-3"):
                for name, value in journey_view.figures(report).items():
                    with (
                        ui.card()
                        .classes("shadow-none border min-w-28 gap-0")
                        .props(f"data-figure={name}")
                    ):
                        ui.label(t(f"journeys.figure.{name}")).classes("text-xs text-slate-500")
                        ui.label(number(value)).classes("figure-value text-xl font-semibold")
            option = journey_charts.counts(nodes, report, journey.version, t)
            ui.echart(option).classes("journey-chart w-full h-72")
            for line in journey_view.earlier_lines(report, journey.version, t):
                ui.label(line).classes("text-xs text-slate-500")
        self._tree(journey, nodes, names)

    def _tree(self, journey: JourneyRead, nodes: list[journey_view.StepNode], names: Names) -> None:
        t = self.viewer.t
        with ui.card().classes("journey-tree w-full shadow-sm gap-1"):
            section_title(t("journeys.steps"))
            trigger = journey.trigger
            with ui.row().classes("journey-trigger items-center gap-2 py-1"):
                ui.icon("bolt").classes("text-amber-500")
                kind = journey_view.named(t, "journeys.trigger", trigger["type"])
                ui.label(t("journeys.trigger_is", kind=kind))
                ui.label(journey_view.describe(trigger, t, names)).classes("text-sm text-slate-500")
            for node in nodes:
                indent = 1.5 * (node.depth + 1)
                with (
                    ui.row()
                    .classes(f"journey-step {_ROW}")
                    .style(f"padding-left: {indent}rem")
                    .props(f"data-step={node.index}")
                ):
                    ui.label(str(node.index + 1)).classes(
                        "w-6 h-6 rounded-full bg-slate-200 text-center text-sm"
                    )
                    ui.label(journey_view.named(t, "journeys.step", node.type)).classes(
                        "font-medium"
                    )
                    ui.label(node.summary).classes("text-sm text-slate-500 grow")
                    ui.label(t("journeys.at_step", members=number(node.members))).classes(
                        "step-members text-sm"
                    )
