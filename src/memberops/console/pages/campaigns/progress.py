"""A launched campaign's progress, refreshed every few seconds while it runs: its members by
outcome (sent, deferred by the quiet hours, held out, skipped by a guard rail with the reason)
and its messages delivered and clicked, as ``GET /campaigns/{id}`` and its results count them.

The timer reads in a worker thread (``run.io_bound``), never on the event loop: on SQLite every
transaction takes the write lock, and an API request holding it finishes its transaction
through the event loop, so a read waiting for the lock there would wait for itself.
"""

from nicegui import run, ui

from memberops.campaigns import measurement, service
from memberops.campaigns.models import CampaignStatus, Outcome
from memberops.console.formatting import number
from memberops.console.pages.loyalty.forms import section_title
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer

#: Seconds between two refreshes of a running campaign.
EVERY = 3.0
#: The status, the figures shown by name, and the skipped members by reason.
Figures = tuple[CampaignStatus, dict[str, int], dict[str, int]]
#: The statuses whose figures still move.
MOVING = (CampaignStatus.running, CampaignStatus.scheduled)


class Progress:
    """The figures of one campaign; the timer stops once the campaign stops moving."""

    def __init__(self, viewer: Viewer, campaign_id: int) -> None:
        self.viewer, self.campaign_id = viewer, campaign_id
        self.timer: ui.timer | None = None

    def show(self) -> None:
        with ui.card().classes("campaign-progress w-full shadow-sm gap-3"):
            section_title(self.viewer.t("campaigns.progress"))
            self.figures(self.read())
        self.timer = ui.timer(EVERY, self._tick)

    async def _tick(self) -> None:
        found = await run.io_bound(self.read)
        if found is not None:  # None: the server is stopping
            self.figures.refresh(found)

    def read(self) -> Figures:
        """The status, the figures shown by name, and the skipped members by reason."""
        principal = self.viewer.principal
        with transaction() as session:
            campaign = service.get_campaign(session, principal, self.campaign_id)
            read = service.read(session, principal, campaign)
            launched = campaign.launched_at is not None
            overall = (
                measurement.results(session, principal, campaign).overall if launched else None
            )
        outcomes = {o.value: read.outcomes.get(o, 0) for o in Outcome}
        shown = {
            "sent": outcomes["sent"] + outcomes["deferred"],
            "deferred": outcomes["deferred"],
            "delivered": overall.delivered if overall else 0,
            "clicked": overall.clicked if overall else 0,
            "holdout": outcomes["holdout"],
            "skipped": outcomes["skipped"],
        }
        return read.status, shown, {r.value: n for r, n in read.skipped.items()}

    @ui.refreshable_method
    def figures(self, read: Figures) -> None:
        t = self.viewer.t
        status, shown, skipped = read
        if self.timer is not None and status not in MOVING:
            self.timer.deactivate()
        ui.label(t(f"campaigns.status.{status.value}")).classes("campaign-status text-sm")
        with ui.row().classes("w-full gap-3"):
            for name, value in shown.items():
                with (
                    ui.card()
                    .classes("shadow-none border min-w-28 gap-0")
                    .props(f"data-figure={name}")
                ):
                    ui.label(t(f"campaigns.progress.{name}")).classes("text-xs text-slate-500")
                    ui.label(number(value)).classes("figure-value text-xl font-semibold")
        if skipped:
            reasons = "、".join(
                f"{t(f'campaigns.skip.{reason}')} {number(n)}" for reason, n in skipped.items()
            )
            ui.label(t("campaigns.progress.skipped_by", reasons=reasons)).classes(
                "text-xs text-slate-500"
            )
