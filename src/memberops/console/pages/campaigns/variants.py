"""A draft's message variants: name, split percentage, subject and body templates, each with a
preview as one member of the campaign's crowd would read it (``messaging.service.preview``,
the same rendering the launch uses; links show their own URL and nothing is stored)."""

from collections.abc import Callable
from typing import Any

from nicegui import ui
from pydantic import ValidationError

from memberops.campaigns.schemas import VariantRead
from memberops.console.pages.campaigns.actions import settings
from memberops.console.pages.loyalty.forms import problems
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.crowds import service as crowds
from memberops.kernel.errors import DomainError
from memberops.messaging import service as messaging
from memberops.messaging.schemas import PreviewRequest
from memberops.messaging.templates import MessageContext
from memberops.tenancy.access import Permission

#: The example a new draft starts from: one variant to everyone, naming the member.
FIRST = {"name": "A", "split_percent": "100", "subject": "", "body": "{{ name }}，"}
#: The most variants a campaign may test (``CampaignCreate``'s limit).
MOST = 10
#: The page lends the rows the crowd chosen and the offer's coupon name, for the preview.
Chosen = Callable[[], tuple[int | None, str | None]]


class VariantRow:
    """One variant's inputs and its preview."""

    def __init__(self, viewer: Viewer, values: dict[str, str], chosen: Chosen) -> None:
        self.viewer, self.chosen = viewer, chosen
        t = viewer.t
        with ui.card().classes("campaign-variant w-full shadow-none border gap-1"):
            with ui.row().classes("w-full gap-2 items-center"):
                self.name = self._box("name", values["name"], "w-24")
                self.split = self._box("split_percent", values["split_percent"], "w-28")
                self.subject = self._box("subject", values["subject"], "grow")
            self.body = ui.textarea(t("campaigns.variant.body"), value=values["body"])
            self.body.props("dense outlined autogrow").classes("w-full")
            if viewer.principal.can(Permission.messages_send):
                ui.button(t("campaigns.variant.preview"), on_click=self.preview).props(
                    "flat dense no-caps size=sm color=primary"
                )
            self.shown = ui.column().classes("campaign-preview w-full gap-0")

    def _box(self, name: str, value: str, width: str) -> ui.input:
        box = ui.input(self.viewer.t(f"campaigns.variant.{name}"), value=value)
        return box.props("dense outlined").classes(width)

    def values(self) -> dict[str, Any]:
        """The variant as ``VariantIn`` reads it (the split parsed by the model)."""
        return {
            "name": str(self.name.value or "").strip(),
            "split_percent": str(self.split.value or "").strip(),
            "subject": str(self.subject.value or ""),
            "body": str(self.body.value or ""),
        }

    def preview(self) -> None:
        """Render the variant as the crowd's first member reads it (no member: the fields
        blank)."""
        t = self.viewer.t
        crowd_id, coupon = self.chosen()
        self.shown.clear()
        with self.shown:
            try:
                subject, body = self._render(crowd_id, coupon)
            except (ValidationError, DomainError) as error:
                for line in problems(error):
                    ui.label(line).classes("text-sm text-negative").props("data-problem")
                return
            ui.label(t("campaigns.variant.preview_as")).classes("text-xs text-slate-500")
            if subject:
                ui.label(subject).classes("text-sm font-semibold")
            ui.label(body).classes("campaign-preview-body text-sm whitespace-pre-wrap")

    def _render(self, crowd_id: int | None, coupon: str | None) -> tuple[str, str]:
        principal = self.viewer.principal
        with transaction() as session:
            member = None
            if crowd_id is not None:
                crowd = crowds.get_crowd(session, principal, crowd_id)
                member = session.scalar(crowds.member_ids(session, principal, crowd).limit(1))
            request = PreviewRequest(
                member_id=member,
                subject=self.subject.value or "",
                body=self.body.value or "",
                context=MessageContext(coupon=coupon),
            )
            shown = messaging.preview(
                session, principal, request, link_base=settings().public_base_url
            )
        return shown.subject, shown.body


class VariantRows:
    """The variants being edited; adding or removing one keeps what was typed in the others."""

    def __init__(self, viewer: Viewer, variants: list[VariantRead], chosen: Chosen) -> None:
        self.viewer, self.chosen = viewer, chosen
        self.kept: list[dict[str, str]] = [
            {
                "name": v.name,
                "split_percent": str(v.split_percent),
                "subject": v.subject,
                "body": v.body,
            }
            for v in variants
        ] or [dict(FIRST)]
        self.rows: list[VariantRow] = []

    @ui.refreshable_method
    def draw(self) -> None:
        t = self.viewer.t
        self.rows = [VariantRow(self.viewer, values, self.chosen) for values in self.kept]
        with ui.row().classes("gap-2"):
            add = ui.button(t("campaigns.variant.add"), icon="add", on_click=self._add)
            add.props("flat dense no-caps").set_enabled(len(self.kept) < MOST)
            drop = ui.button(t("campaigns.variant.remove"), icon="remove", on_click=self._drop)
            drop.props("flat dense no-caps").set_enabled(len(self.kept) > 1)

    def values(self) -> list[dict[str, Any]]:
        return [row.values() for row in self.rows]

    def _keep(self) -> None:
        self.kept = [{k: str(v) for k, v in row.values().items()} for row in self.rows]

    def _add(self) -> None:
        self._keep()
        name = chr(ord("A") + len(self.kept))
        self.kept.append({**FIRST, "name": name, "split_percent": ""})
        self.draw.refresh()

    def _drop(self) -> None:
        self._keep()
        self.kept.pop()
        self.draw.refresh()
