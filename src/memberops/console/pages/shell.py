"""What every signed-in page shares: the database session, the signed-in viewer, the redirect
to the login page, and the header (tenant switcher, language, user, logout).

The sign-in lives in ``app.storage.user`` (a signed cookie naming server-side storage): the user
id, email, language and chosen tenant. Role and tenant membership are read from the database on
every page, so they are never trusted from the browser.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, events, ui
from sqlalchemy.orm import Session, sessionmaker

from memberops.console.i18n import LOCALES, supported, translate
from memberops.console.pages import demo_clock
from memberops.console.viewer import Viewer, build_viewer
from memberops.tenancy import users


def session_factory() -> sessionmaker[Session]:
    """The host app's session factory, for work that opens transactions of its own (an export
    read a chunk per transaction)."""
    factory: sessionmaker[Session] = app.state.host.state.session_factory
    return factory


@contextmanager
def transaction() -> Iterator[Session]:
    """A session of the host app's database for one render or one action; it commits when the
    block ends, like an API request."""
    with session_factory()() as session, session.begin():
        yield session


def sign_in(user_id: int, email: str, locale: str) -> None:
    app.storage.user.update(user_id=user_id, email=email, locale=locale, tenant_id=None)


def current_viewer() -> Viewer | None:
    """The signed-in viewer, or None (signed out, or no tenant left: then signed out too)."""
    stored: dict[str, Any] = app.storage.user
    user_id = stored.get("user_id")
    if not isinstance(user_id, int):
        return None
    with transaction() as session:
        viewer = build_viewer(
            session, user_id, stored["email"], stored["locale"], stored.get("tenant_id")
        )
    if viewer is None:
        stored.clear()
    return viewer


def redirect(request: Request, page: str) -> RedirectResponse:
    """An HTTP redirect to another console page, under whatever path the console is mounted."""
    return RedirectResponse(f"{request.scope.get('root_path', '')}{page}")


def to_login(request: Request) -> RedirectResponse:
    """Where a signed-out visitor of any page is sent."""
    return redirect(request, "/login")


def _logout() -> None:
    app.storage.user.clear()
    ui.navigate.to("/login")


def _switch_language(viewer: Viewer, event: events.ValueChangeEventArguments[Any]) -> None:
    """Keep the choice on the user's record (it follows them to any browser), then re-render.
    The value comes from the browser, so only a language the console speaks is stored."""
    locale = supported(event.value)
    with transaction() as session:
        users.set_user_locale(session, viewer.user_id, locale)
    app.storage.user["locale"] = locale
    ui.navigate.reload()


def _switch_tenant(event: events.ValueChangeEventArguments[Any]) -> None:
    """Another tenant's members have other ids, so switching starts again at its overview."""
    app.storage.user["tenant_id"] = event.value
    ui.navigate.to("/overview")


def _tenant_picker(viewer: Viewer) -> None:
    if len(viewer.tenants) == 1:
        ui.label(viewer.tenant.name).classes("text-sm text-slate-200")
        return
    ui.select(
        {c.id: c.name for c in viewer.tenants},
        value=viewer.principal.tenant_id,
        on_change=_switch_tenant,
    ).props("dense dark standout options-dense").classes("w-44")


def theme(title: str) -> None:
    """The page title and the colours every console page shares."""
    ui.page_title(f"{title} · memberops")
    ui.colors(primary="#1d4ed8")
    ui.query("body").classes("bg-slate-100")


#: The header's sections: catalogue key and path.
SECTIONS = (
    ("nav.overview", "/overview"),
    ("nav.members", "/members"),
    ("nav.insights", "/insights"),
    ("nav.crowds", "/crowds"),
    ("nav.campaigns", "/campaigns"),
    ("nav.journeys", "/journeys"),
    ("nav.community", "/community"),
    ("nav.loyalty", "/loyalty"),
    ("nav.growth", "/growth"),
)


def frame(viewer: Viewer, title: str, section: str = "") -> None:
    """The page title and the header of a signed-in page; ``section`` (a path of
    :data:`SECTIONS`) is underlined as the one the page belongs to."""
    theme(title)
    with ui.header().classes("items-center gap-5 px-6 py-2 bg-slate-800 text-white shadow"):
        ui.label("memberops").classes("text-lg font-semibold tracking-wide")
        for key, path in SECTIONS:
            mark = "border-white" if path == section else "border-transparent"
            ui.link(viewer.t(key), path).classes(
                f"text-white no-underline text-sm font-medium border-b-2 pb-0.5 {mark}"
            )
        ui.space()
        demo_clock.control(viewer)
        _tenant_picker(viewer)
        ui.toggle(
            {locale: translate(viewer.locale, f"lang.{locale}") for locale in LOCALES},
            value=viewer.locale,
            on_change=lambda e: _switch_language(viewer, e),
        ).props(
            'no-caps unelevated rounded padding="2px 12px" toggle-color=white '
            "toggle-text-color=blue-grey-10 color=blue-grey-8 text-color=white"
        ).classes("text-sm")
        with ui.column().classes("gap-0 items-end leading-tight"):
            ui.label(viewer.email).classes("text-sm")
            ui.label(viewer.t(f"role.{viewer.principal.role.value}")).classes(
                "text-xs text-slate-300"
            )
        ui.button(viewer.t("header.logout"), icon="logout", on_click=_logout).props(
            "flat dense no-caps color=white"
        )


def content() -> ui.column:
    """The page body: one centred column that reads well from a laptop up."""
    return ui.column().classes("w-full max-w-6xl mx-auto px-6 py-6 gap-4")
