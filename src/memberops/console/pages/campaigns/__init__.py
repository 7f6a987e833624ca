"""The campaigns pages (营销活动): ``/campaigns`` lists the tenant's campaigns;
``/campaigns/new`` drafts one; ``/campaigns/{id}`` shows a draft's form with its forecast and
the launch button, or a launched campaign's live progress and results. Every role that reads
campaigns sees them; only managers save, launch and cancel (``campaigns:manage``), as in the
API. Pages call the campaigns room's services, never the API."""

from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from memberops.campaigns import service
from memberops.campaigns.errors import CampaignNotFound
from memberops.campaigns.models import CampaignStatus
from memberops.campaigns.schemas import CampaignRead
from memberops.console.pages.campaigns.actions import Actions, rules
from memberops.console.pages.campaigns.editor import CampaignEditor, load_choices
from memberops.console.pages.campaigns.forecast import ForecastPanel
from memberops.console.pages.campaigns.listing import CampaignList
from memberops.console.pages.campaigns.progress import Progress
from memberops.console.pages.campaigns.results import Results
from memberops.console.pages.shell import content, current_viewer, frame, to_login, transaction
from memberops.console.viewer import Viewer
from memberops.kernel.pagination import MAX_KEY
from memberops.tenancy.access import Permission

#: A campaign id as the database can hold it; anything else is a 422, never a 500.
CampaignId = Annotated[int, Path(ge=1, le=MAX_KEY)]
#: Statuses that can still be cancelled (as ``service.cancel`` allows).
CANCELLABLE = (CampaignStatus.draft, CampaignStatus.scheduled, CampaignStatus.running)


def _heading(viewer: Viewer, title: str, back: bool) -> bool:
    """The page's title (and a link back to the list); False when the role may not read
    campaigns, which is then said instead."""
    if back:
        ui.link("← " + viewer.t("campaigns.back"), "/campaigns").classes("text-sm")
    ui.label(title).classes("text-2xl font-semibold text-slate-800")
    if viewer.principal.can(Permission.campaigns_read):
        return True
    ui.label(viewer.t("common.forbidden")).classes("text-slate-500")
    return False


@ui.page("/campaigns")
def campaigns_page(request: Request) -> RedirectResponse | None:
    viewer = current_viewer()
    if viewer is None:
        return to_login(request)
    frame(viewer, viewer.t("campaigns.title"), "/campaigns")
    with content():
        if _heading(viewer, viewer.t("campaigns.title"), back=False):
            CampaignList(viewer).show()
    return None


@ui.page("/campaigns/new")
def new_campaign_page(request: Request) -> RedirectResponse | None:
    viewer = current_viewer()
    if viewer is None:
        return to_login(request)
    frame(viewer, viewer.t("campaigns.new"), "/campaigns")
    with content():
        if _heading(viewer, viewer.t("campaigns.new"), back=True):
            with transaction() as session:
                choices = load_choices(session, viewer)
            CampaignEditor(viewer, choices, None, rules()).show()
    return None


@ui.page("/campaigns/{campaign_id}")
def campaign_page(request: Request, campaign_id: CampaignId) -> RedirectResponse | None:
    viewer = current_viewer()
    if viewer is None:
        return to_login(request)
    frame(viewer, viewer.t("campaigns.title"), "/campaigns")
    with content():
        if not _heading(viewer, viewer.t("campaigns.title"), back=True):
            return None
        with transaction() as session:
            try:
                found = service.get_campaign(session, viewer.principal, campaign_id)
            except CampaignNotFound:
                ui.label(viewer.t("campaigns.not_found", id=campaign_id)).classes("text-slate-500")
                return None
            campaign = service.read(session, viewer.principal, found)
        _campaign(viewer, campaign)
    return None


def _campaign(viewer: Viewer, campaign: CampaignRead) -> None:
    """A draft's form, forecast and launch; a launched campaign's progress and results."""
    title = viewer.t(f"campaigns.status.{campaign.status.value}")
    ui.label(f"{campaign.name} · {title}").classes("campaign-title text-lg text-slate-700")
    number = int(campaign.id)
    actions = Actions(viewer, number, campaign.name, ui.navigate.reload)
    with ui.row().classes("gap-2"):
        actions.buttons(
            launch=campaign.status == CampaignStatus.draft,
            cancel=campaign.status in CANCELLABLE,
        )
    if campaign.status == CampaignStatus.draft:
        ForecastPanel(viewer, number, rules()).show()
        with transaction() as session:
            choices = load_choices(session, viewer)
        CampaignEditor(viewer, choices, campaign, rules()).show()
        return
    Progress(viewer, number).show()
    if campaign.launched_at is not None:
        Results(viewer, number).show()
