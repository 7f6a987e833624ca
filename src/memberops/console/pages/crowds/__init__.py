"""The crowds pages (人群圈选): ``/crowds`` lists the tenant's saved crowds and opens one's
members; ``/crowds/new`` builds a crowd from conditions with its size live; ``/crowds/{id}``
opens a saved crowd's condition in the same builder to change it. Every role that reads crowds
builds and previews; only managers save, freeze and delete (``crowds:manage``), as in the API.
"""

from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from memberops.console.condition_tree import Group, Rule, parse
from memberops.console.pages.crowds.editor import CrowdEditor, load_choices
from memberops.console.pages.crowds.saved import SavedCrowds
from memberops.console.pages.shell import content, current_viewer, frame, to_login, transaction
from memberops.console.viewer import Viewer
from memberops.crowds import service
from memberops.crowds.errors import CrowdNotFound
from memberops.kernel.pagination import MAX_KEY
from memberops.tenancy.access import Permission

#: A crowd id as the database can hold it; anything else is a 422, never a 500.
CrowdId = Annotated[int, Path(ge=1, le=MAX_KEY)]


def _heading(viewer: Viewer, title: str, back: bool) -> bool:
    """The page's title (and a link back to the list); False when the role may not read
    crowds, which is then said instead."""
    if back:
        ui.link("← " + viewer.t("crowds.back"), "/crowds").classes("text-sm")
    ui.label(title).classes("text-2xl font-semibold text-slate-800")
    if viewer.principal.can(Permission.crowds_read):
        return True
    ui.label(viewer.t("common.forbidden")).classes("text-slate-500")
    return False


@ui.page("/crowds")
def crowds_page(request: Request) -> RedirectResponse | None:
    viewer = current_viewer()
    if viewer is None:
        return to_login(request)
    frame(viewer, viewer.t("crowds.title"), "/crowds")
    with content():
        if _heading(viewer, viewer.t("crowds.title"), back=False):
            SavedCrowds(viewer).show()
    return None


@ui.page("/crowds/new")
def new_crowd_page(request: Request) -> RedirectResponse | None:
    viewer = current_viewer()
    if viewer is None:
        return to_login(request)
    frame(viewer, viewer.t("crowds.new"), "/crowds")
    with content():
        if _heading(viewer, viewer.t("crowds.new"), back=True):
            with transaction() as session:
                choices = load_choices(session, viewer)
            CrowdEditor(viewer, choices, None, Group(children=[Rule()])).show()
    return None


@ui.page("/crowds/{crowd_id}")
def crowd_page(request: Request, crowd_id: CrowdId) -> RedirectResponse | None:
    viewer = current_viewer()
    if viewer is None:
        return to_login(request)
    frame(viewer, viewer.t("crowds.title"), "/crowds")
    with content():
        if not _heading(viewer, viewer.t("crowds.title"), back=True):
            return None
        with transaction() as session:
            try:
                crowd = service.read(service.get_crowd(session, viewer.principal, crowd_id))
            except CrowdNotFound:
                ui.label(viewer.t("crowds.not_found", id=crowd_id)).classes("text-slate-500")
                return None
            choices = load_choices(session, viewer)
        ui.label(viewer.t("crowds.condition_of", name=crowd.name)).classes("text-lg text-slate-700")
        root = parse(crowd.condition, choices.fields, viewer.principal.timezone)
        CrowdEditor(viewer, choices, crowd, root).show()
    return None
