"""The live size beside the crowd builder: how many members the condition selects now, shown
large, with a sample of them below the builder; a hint while no rule is complete; the problems
of a condition the crowds room refuses. Edits are debounced: the preview runs once typing has
paused for :data:`DEBOUNCE` seconds, not once per key."""

from collections.abc import Callable

from nicegui import ui

from memberops.console.formatting import number
from memberops.console.pages.crowds.members import member_table
from memberops.console.pages.loyalty.forms import section_title
from memberops.console.viewer import Viewer
from memberops.crowds.schemas import CrowdPreview

#: Seconds of quiet after an edit before the preview runs.
DEBOUNCE = 0.4
#: Members shown in the sample.
SAMPLE = 10


class LivePreview:
    """The size card and the sample card; the page draws each where it belongs."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.pending: ui.timer | None = None

    def draw_size(self) -> None:
        t = self.viewer.t
        with ui.card().classes("w-full shadow-sm gap-1") as self.size_card:
            section_title(t("crowds.preview"))
            self.size_area = ui.column().classes("w-full gap-1")

    def draw_sample(self) -> None:
        with ui.card().classes("w-full shadow-sm gap-2"):
            section_title(self.viewer.t("crowds.sample", count=SAMPLE))
            self.sample_area = ui.column().classes("w-full gap-0")

    def later(self, run: Callable[[], None]) -> None:
        """Run ``run`` after :data:`DEBOUNCE` seconds, instead of any run still waiting."""
        if self.pending is not None:
            self.pending.cancel()
        with self.size_card:
            self.pending = ui.timer(DEBOUNCE, run, once=True)

    def waiting(self) -> None:
        """No rule is complete yet: nothing to count."""
        self.size_area.clear()
        self.sample_area.clear()
        with self.size_area:
            ui.label("—").classes("crowd-size text-4xl font-semibold text-slate-300")
            ui.label(self.viewer.t("crowds.no_condition")).classes("text-sm text-slate-500")

    def counted(self, found: CrowdPreview) -> None:
        t = self.viewer.t
        self.size_area.clear()
        with self.size_area:
            with ui.row().classes("items-baseline gap-2"):
                ui.label(number(found.size)).classes(
                    "crowd-size text-4xl font-semibold text-primary"
                )
                ui.label(t("crowds.people")).classes("text-slate-500")
            ui.label(t("crowds.as_of", at=self.viewer.when(found.as_of))).classes(
                "text-xs text-slate-500"
            )
        self.sample_area.clear()
        with self.sample_area:
            if found.sample:
                member_table(self.viewer, found.sample)
            else:
                ui.label(t("crowds.sample_empty")).classes("text-sm text-slate-500")

    def refused(self, lines: list[str]) -> None:
        """The condition cannot be evaluated: say why, in place of the size."""
        self.size_area.clear()
        with self.size_area:
            ui.label(self.viewer.t("crowds.invalid")).classes("text-base text-negative")
            for line in lines:
                ui.label(line).classes("crowd-problem text-sm text-negative break-all")
