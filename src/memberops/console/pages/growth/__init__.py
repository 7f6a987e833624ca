"""The growth page (拉新): the join-source report — new members per source over a chosen
range, charted and tabled, with a CSV export — and the referral leaderboard, a page at a time.

Each section is shown to the roles the API lets read it: the report needs ``members:read``
(``GET /dashboard/joins``), the leaderboard ``loyalty:read``
(``GET /growth/referral-leaderboard``); both call the rooms' functions as the signed-in
person, never the HTTP API."""

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from memberops.console.pages.growth.joins import JoinsView
from memberops.console.pages.growth.leaderboard import LeaderboardView
from memberops.console.pages.shell import content, current_viewer, frame, to_login
from memberops.tenancy.access import Permission


@ui.page("/growth")
def growth_page(request: Request) -> RedirectResponse | None:
    viewer = current_viewer()
    if viewer is None:
        return to_login(request)
    frame(viewer, viewer.t("growth.title"), "/growth")
    with content():
        ui.label(viewer.t("growth.title")).classes("text-2xl font-semibold text-slate-800")
        can = viewer.principal.can
        if not (can(Permission.members_read) or can(Permission.loyalty_read)):
            ui.label(viewer.t("common.forbidden")).classes("text-slate-500")
            return None
        if can(Permission.members_read):
            JoinsView(viewer).show()
        if can(Permission.loyalty_read):
            LeaderboardView(viewer).show()
    return None
