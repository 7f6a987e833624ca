"""The community pages (社群运营, seed 004): the groups with the VIP review, and one group's
roster. Reading takes ``campaigns:read`` as the API's community routes do; everything goes
through the community room as the signed-in person."""

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from memberops.community.errors import GroupNotFound
from memberops.console.pages.community.groups import GroupList, ReviewCard
from memberops.console.pages.community.roster import RosterView
from memberops.console.pages.shell import content, current_viewer, frame, to_login
from memberops.console.viewer import Viewer
from memberops.tenancy.access import Permission


def _may_read(viewer: Viewer) -> bool:
    if viewer.principal.can(Permission.campaigns_read):
        return True
    ui.label(viewer.t("common.forbidden")).classes("text-slate-500")
    return False


@ui.page("/community")
def community_page(request: Request) -> RedirectResponse | None:
    viewer = current_viewer()
    if viewer is None:
        return to_login(request)
    frame(viewer, viewer.t("community.title"), "/community")
    with content():
        ui.label(viewer.t("community.title")).classes("text-2xl font-semibold text-slate-800")
        if _may_read(viewer):
            groups = GroupList(viewer)
            groups.show()
            ReviewCard(viewer, groups.show.refresh).show()
    return None


@ui.page("/community/{group_id}")
def group_page(request: Request, group_id: int) -> RedirectResponse | None:
    viewer = current_viewer()
    if viewer is None:
        return to_login(request)
    frame(viewer, viewer.t("community.title"), "/community")
    with content():
        ui.link(viewer.t("community.back"), "/community").classes("text-sm")
        if not _may_read(viewer):
            return None
        try:
            RosterView(viewer, group_id).show()
        except GroupNotFound as error:
            ui.label(error.detail).classes("text-slate-500")
    return None
