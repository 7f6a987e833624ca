"""The journeys pages (旅程): ``/journeys`` lists the tenant's journeys; ``/journeys/new`` and
``/journeys/{id}/edit`` edit one's trigger and steps; ``/journeys/templates`` is the gallery
of built-in templates, each started in one click; ``/journeys/{id}`` shows one — its
actions, where its members are and its steps as a tree. Every role that reads
campaigns sees them; only managers change them (``campaigns:manage``), as in the API. Pages call
the journeys room's services, never the API."""

from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from memberops.console.pages.journeys.detail import JourneyPage
from memberops.console.pages.journeys.editor import JourneyEditor, load_choices
from memberops.console.pages.journeys.gallery import Gallery
from memberops.console.pages.journeys.listing import JourneyList
from memberops.console.pages.shell import content, current_viewer, frame, to_login, transaction
from memberops.console.viewer import Viewer
from memberops.journeys import service
from memberops.journeys.errors import JourneyNotFound
from memberops.kernel.pagination import MAX_KEY
from memberops.tenancy.access import Permission

#: A journey id as the database can hold it; anything else is a 422, never a 500.
JourneyId = Annotated[int, Path(ge=1, le=MAX_KEY)]
SECTION = "/journeys"


def heading(viewer: Viewer, title: str, back: bool) -> bool:
    """The page's title (and a link back to the list); False when the role may not read
    journeys, which is then said instead."""
    if back:
        ui.link("← " + viewer.t("journeys.back"), SECTION).classes("text-sm")
    ui.label(title).classes("text-2xl font-semibold text-slate-800")
    if viewer.principal.can(Permission.campaigns_read):
        return True
    ui.label(viewer.t("common.forbidden")).classes("text-slate-500")
    return False


def exists(viewer: Viewer, journey_id: int) -> bool:
    """Whether the tenant has the journey; when not, the page says so."""
    with transaction() as session:
        try:
            service.get_journey(session, viewer.principal, journey_id)
        except JourneyNotFound:
            found = False
        else:
            found = True
    if not found:
        ui.label(viewer.t("journeys.not_found", id=journey_id)).classes("text-slate-500")
    return found


@ui.page("/journeys")
def journeys_page(request: Request) -> RedirectResponse | None:
    viewer = current_viewer()
    if viewer is None:
        return to_login(request)
    frame(viewer, viewer.t("journeys.title"), SECTION)
    with content():
        if heading(viewer, viewer.t("journeys.title"), back=False):
            JourneyList(viewer).show()
    return None


@ui.page("/journeys/templates")
def gallery_page(request: Request) -> RedirectResponse | None:
    viewer = current_viewer()
    if viewer is None:
        return to_login(request)
    frame(viewer, viewer.t("journeys.gallery"), SECTION)
    with content():
        if heading(viewer, viewer.t("journeys.gallery"), back=True):
            Gallery(viewer).show()
    return None


@ui.page("/journeys/new")
def new_journey_page(request: Request) -> RedirectResponse | None:
    viewer = current_viewer()
    if viewer is None:
        return to_login(request)
    frame(viewer, viewer.t("journeys.new"), SECTION)
    with content():
        if heading(viewer, viewer.t("journeys.new"), back=True):
            with transaction() as session:
                choices = load_choices(session, viewer)
            JourneyEditor(viewer, choices, None).show()
    return None


@ui.page("/journeys/{journey_id}/edit")
def edit_journey_page(request: Request, journey_id: JourneyId) -> RedirectResponse | None:
    viewer = current_viewer()
    if viewer is None:
        return to_login(request)
    frame(viewer, viewer.t("journeys.edit_title"), SECTION)
    with content():
        if heading(viewer, viewer.t("journeys.edit_title"), back=True) and exists(
            viewer, journey_id
        ):
            with transaction() as session:
                journey = service.read(
                    session, service.get_journey(session, viewer.principal, journey_id)
                )
                choices = load_choices(session, viewer)
            ui.link("← " + journey.name, f"/journeys/{journey_id}").classes("text-sm")
            JourneyEditor(viewer, choices, journey).show()
    return None


@ui.page("/journeys/{journey_id}")
def journey_page(request: Request, journey_id: JourneyId) -> RedirectResponse | None:
    viewer = current_viewer()
    if viewer is None:
        return to_login(request)
    frame(viewer, viewer.t("journeys.title"), SECTION)
    with content():
        if heading(viewer, viewer.t("journeys.title"), back=True) and exists(viewer, journey_id):
            JourneyPage(viewer, journey_id).show()
    return None
