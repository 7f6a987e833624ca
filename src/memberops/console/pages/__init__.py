"""The console's pages, mounted on the API app under ``/console``.

NiceGUI keeps one UI app per process, so the pages register on it when this package is
imported and :func:`mount` attaches it to the host FastAPI app, whose session factory and
settings the pages then use (``nicegui.app.state.host``).
"""

import secrets

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from nicegui import app as ui_app
from nicegui import ui

from memberops.console.pages import (  # noqa: F401  (registers the pages)
    campaigns,
    community,
    crowds,
    growth,
    insights,
    journeys,
    login,
    loyalty,
    member,
    members,
    overview,
)
from memberops.console.pages.shell import redirect
from memberops.kernel.settings import Settings


@ui.page("/")
def home(request: Request) -> RedirectResponse:
    """The console's front door is the overview (which sends signed-out visitors to login)."""
    return redirect(request, "/overview")


def mount(app: FastAPI, settings: Settings) -> None:
    """Serve the console at ``/console`` of ``app``; sign-in cookies are signed with the
    deployment's secret key, or a random one per process (sign-ins then end on restart).

    NiceGUI drops a page whose socket has been silent for its reconnect timeout (3 s by
    default) and the browser reloads it, losing what the operator had open; a busy server or a
    shaky shop network stalls the socket that long, so the wait is a setting."""
    ui_app.state.host = app
    ui.run_with(
        app,
        mount_path="/console",
        storage_secret=settings.secret_key or secrets.token_urlsafe(32),
        title="memberops",
        favicon="🧭",
        show_welcome_message=False,
        reconnect_timeout=settings.console_reconnect_seconds,
    )
