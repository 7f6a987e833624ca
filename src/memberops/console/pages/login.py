"""The login page: email and password, checked by ``tenancy.users.verify_login``."""

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, run, ui

from memberops.console.i18n import supported, translate
from memberops.console.pages.shell import (
    current_viewer,
    redirect,
    sign_in,
    theme,
    transaction,
)
from memberops.tenancy import users
from memberops.tenancy.errors import InvalidCredentials
from memberops.tenancy.models import User


def _check(email: str, password: str) -> User:
    """The user these credentials belong to; argon2 is slow by design, so this runs off the
    event loop (see :func:`_submit`)."""
    with transaction() as session:
        return users.verify_login(session, email, password)


async def _submit(email: ui.input, password: ui.input, error: ui.label, locale: str) -> None:
    try:
        user = await run.io_bound(_check, email.value, password.value)
    except InvalidCredentials:
        error.set_text(translate(locale, "login.failed"))
        error.set_visibility(True)
        return
    if user is None:  # the server is shutting down
        return
    sign_in(user.id, user.email, supported(user.locale))
    if current_viewer() is None:
        error.set_text(translate(locale, "login.no_tenant"))
        error.set_visibility(True)
        return
    ui.navigate.to("/overview")


@ui.page("/login")
def login_page(request: Request) -> RedirectResponse | None:
    """Signed-in visitors go straight to the overview."""
    if current_viewer() is not None:
        return redirect(request, "/overview")
    locale = supported(app.state.host.state.settings.default_locale)
    theme(translate(locale, "login.title"))
    with ui.card().classes("absolute-center w-96 p-8 gap-4 shadow-lg"):
        ui.label("memberops").classes("text-2xl font-semibold text-slate-800")
        ui.label(translate(locale, "login.subtitle")).classes("text-slate-500 -mt-3")
        email = ui.input(translate(locale, "login.email")).props(
            "outlined autocomplete=username autofocus"
        )
        password = ui.input(translate(locale, "login.password"), password=True).props(
            "outlined autocomplete=current-password"
        )
        for field in (email, password):
            field.classes("w-full")
        error = ui.label().classes("text-negative text-sm")
        error.set_visibility(False)

        async def submit() -> None:
            await _submit(email, password, error, locale)

        password.on("keydown.enter", submit)
        ui.button(translate(locale, "login.submit"), on_click=submit).props(
            "unelevated no-caps color=primary"
        ).classes("w-full")
    return None
