"""Launching and cancelling, each after a confirmation, as the signed-in person: the same
``service.launch`` / ``service.cancel`` the API's ``:launch`` and ``:cancel`` call, with the
deployment's guard rails and link base. A refusal (launched twice from two tabs, say) is shown
and changes nothing."""

from collections.abc import Callable

from nicegui import app, ui

from memberops.campaigns import service
from memberops.campaigns.guard_rails import Rules
from memberops.campaigns.models import Campaign
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.kernel.errors import DomainError
from memberops.kernel.settings import Settings
from memberops.tenancy.access import Permission


def settings() -> Settings:
    """The host app's settings (the guard rails and the public link base come from there)."""
    found: Settings = app.state.host.state.settings
    return found


def rules() -> Rules:
    return Rules.of(settings())


async def confirmed(viewer: Viewer, question: str, yes: str, colour: str) -> bool:
    """Ask ``question``; True when the viewer answered ``yes``."""
    with ui.dialog() as dialog, ui.card().classes("gap-4"):
        ui.label(question)
        with ui.row().classes("w-full justify-end gap-2"):
            ui.button(viewer.t("common.cancel"), on_click=lambda: dialog.submit(False)).props(
                "flat no-caps"
            )
            ui.button(yes, on_click=lambda: dialog.submit(True)).props(
                f"unelevated no-caps color={colour}"
            )
    answer = bool(await dialog)
    dialog.delete()
    return answer


class Actions:
    """The launch and cancel buttons of one campaign (none for roles that may not manage)."""

    def __init__(
        self, viewer: Viewer, campaign_id: int, name: str, done: Callable[[], None]
    ) -> None:
        self.viewer, self.campaign_id, self.name, self.done = viewer, campaign_id, name, done

    def buttons(self, launch: bool, cancel: bool) -> None:
        if not self.viewer.principal.can(Permission.campaigns_manage):
            return
        t = self.viewer.t
        if launch:
            ui.button(t("campaigns.launch"), icon="send", on_click=self._launch).props(
                "unelevated no-caps color=primary"
            )
        if cancel:
            ui.button(t("campaigns.cancel"), icon="block", on_click=self._cancel).props(
                "outline no-caps color=negative"
            )

    async def _launch(self) -> None:
        t = self.viewer.t
        question = t("campaigns.launch_confirm", name=self.name)
        if await confirmed(self.viewer, question, t("campaigns.launch"), "primary"):
            found = settings()
            self._act(
                lambda session: service.launch(
                    session,
                    self.viewer.principal,
                    self.campaign_id,
                    Rules.of(found),
                    found.public_base_url,
                ),
                "campaigns.launched",
            )

    async def _cancel(self) -> None:
        t = self.viewer.t
        question = t("campaigns.cancel_confirm", name=self.name)
        if await confirmed(self.viewer, question, t("campaigns.cancel"), "negative"):
            principal = self.viewer.principal
            self._act(
                lambda session: service.cancel(session, principal, self.campaign_id),
                "campaigns.cancelled",
            )

    def _act(self, change: Callable[..., Campaign], said: str) -> None:
        try:
            with transaction() as session:
                status = change(session).status
        except DomainError as error:
            ui.notify(error.detail, type="negative")
            return
        ui.notify(self.viewer.t(said, status=self.viewer.t(f"campaigns.status.{status}")))
        self.done()
