"""The tenant's campaigns, newest first, a page at a time: name, status, crowd, channel, when
launched and how many messages went out; opening one shows its editor (a draft) or its progress
and results (launched)."""

from typing import Any

from nicegui import events, ui
from sqlalchemy.orm import Session

from memberops.campaigns import service
from memberops.campaigns.models import Outcome
from memberops.campaigns.schemas import CampaignRead
from memberops.console.formatting import number
from memberops.console.pages.loyalty.forms import empty_state, section_title, table
from memberops.console.pages.pager import Trail
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.crowds import service as crowds
from memberops.tenancy.access import Permission

#: Campaigns per page.
PAGE_SIZE = 20
COLUMNS = ("name", "status", "crowd", "channel", "launched_at", "sent")


def crowd_names(session: Session, viewer: Viewer, ids: set[int]) -> dict[int, str]:
    """The names of the crowds ``ids`` (a campaign's crowd cannot be deleted under it)."""
    principal = viewer.principal
    return {i: crowds.get_crowd(session, principal, i).name for i in ids}


class CampaignList:
    """The list with its pager, or the empty state."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.trail = Trail(lambda: self.show.refresh())

    @ui.refreshable_method
    def show(self) -> None:
        principal = self.viewer.principal
        with transaction() as session:
            found = service.list_campaigns(session, principal, self.trail.after, PAGE_SIZE + 1)
            shown = [service.read(session, principal, c) for c in found[:PAGE_SIZE]]
            names = crowd_names(session, self.viewer, {int(c.crowd_id) for c in shown})
        with ui.card().classes("w-full shadow-sm gap-3"):
            self._toolbar()
            if shown:
                self._table(shown, names)
                self.trail.controls(self.viewer, found, PAGE_SIZE)
            else:
                self._empty()

    def _toolbar(self) -> None:
        t = self.viewer.t
        with ui.row().classes("w-full items-center"):
            section_title(t("campaigns.list"))
            ui.space()
            if self.viewer.principal.can(Permission.campaigns_manage):
                ui.button(
                    t("campaigns.new"),
                    icon="add",
                    on_click=lambda: ui.navigate.to("/campaigns/new"),
                ).props("unelevated no-caps color=primary")

    def _empty(self) -> None:
        empty_state("campaign", self.viewer.t("campaigns.empty"), large=True).classes(
            "campaigns-empty"
        )

    def _row(self, campaign: CampaignRead, names: dict[int, str]) -> dict[str, Any]:
        t = self.viewer.t
        sent = campaign.outcomes.get(Outcome.sent, 0) + campaign.outcomes.get(Outcome.deferred, 0)
        return {
            "id": campaign.id,
            "name": campaign.name,
            "status": t(f"campaigns.status.{campaign.status.value}"),
            "crowd": names.get(int(campaign.crowd_id), campaign.crowd_id),
            "channel": t(f"campaigns.channel.{campaign.channel.value}"),
            "launched_at": self.viewer.when(campaign.launched_at),
            "sent": number(sent),
            "open": t("campaigns.open"),
        }

    def _table(self, shown: list[CampaignRead], names: dict[int, str]) -> None:
        columns = [(name, self.viewer.t(f"campaigns.col.{name}")) for name in COLUMNS]
        rows = [self._row(campaign, names) for campaign in shown]
        grid = table([*columns, ("action", "")], rows, key="id")
        grid.add_slot(
            "body-cell-action",
            """<q-td :props="props"><q-btn flat dense no-caps size="sm" color="primary"
            :label="props.row.open" @click="$parent.$emit('open', props.row)" /></q-td>""",
        )
        grid.on("open", self._open)

    def _open(self, event: events.GenericEventArguments) -> None:
        ui.navigate.to(f"/campaigns/{int(event.args['id'])}")
