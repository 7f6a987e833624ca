"""The template gallery (``/journeys/templates``): the built-in templates
(``journeys.templates.TEMPLATES``) as cards with their name and description in the viewer's
language; "start" opens the template's parameters — filled with its defaults and the newest
coupon template where it needs one, so one more click starts it — and creates its journeys as
drafts through ``start_template`` as the signed-in person, then opens the journey (or the list,
for a template of several journeys). A refusal is listed in the dialog, which keeps its entries."""

from typing import Any

from nicegui import ui
from pydantic import ValidationError

from memberops.console import journey_gallery
from memberops.console.journey_gallery import COUPON, ParamField
from memberops.console.journey_view import named
from memberops.console.pages.loyalty.forms import Problems, problems
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.journeys import templates
from memberops.journeys.templates import Template
from memberops.kernel.errors import DomainError
from memberops.loyalty.coupons import templates as coupons
from memberops.tenancy.access import Permission

#: The most coupon templates offered to choose from.
CHOICES = 200


class Gallery:
    """The cards of every built-in template."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        with transaction() as session:
            found = coupons.list_templates(session, viewer.principal, None, CHOICES)
            self.coupons = {c.id: c.name for c in found}

    def show(self) -> None:
        t = self.viewer.t
        ui.label(t("journeys.gallery.about")).classes("text-sm text-slate-600")
        if not self.coupons:
            ui.label(t("journeys.gallery.no_coupons")).classes("text-sm text-slate-500")
        with ui.grid(columns=3).classes("w-full gap-4"):
            for template in templates.TEMPLATES.values():
                self._card(template)

    def _text(self, texts: dict[str, str]) -> str:
        return texts.get(self.viewer.locale) or next(iter(texts.values()))

    def _card(self, template: Template) -> None:
        t = self.viewer.t
        with (
            ui.card()
            .classes("journey-template shadow-sm gap-2")
            .props(f"data-template={template.key}")
        ):
            ui.label(self._text(template.names)).classes("text-base font-semibold text-slate-800")
            ui.label(self._text(template.descriptions)).classes("text-sm text-slate-600 grow")
            if self.viewer.principal.can(Permission.campaigns_manage):
                ui.button(
                    t("journeys.gallery.start"),
                    icon="rocket_launch",
                    on_click=lambda _, k=template: self._ask(k),
                ).props("unelevated no-caps color=primary")

    def _widget(self, field: ParamField, value: Any) -> Any:
        t = self.viewer.t
        label = named(t, "journeys.param", field.name)
        if field.kind == COUPON:
            options: dict[Any, str] = dict(self.coupons)
            if not field.required:
                options = {None: t("journeys.gallery.no_coupon"), **options}
            box: Any = ui.select(options, label=label, value=value)
        elif field.choices:
            options = {c: named(t, f"journeys.choice.{field.name}", c) for c in field.choices}
            if value is None:  # optional, without a default: any
                options = {None: t("journeys.gallery.any"), **options}
            box = ui.select(options, label=label, value=value)
        else:
            box = ui.input(label, value="" if value is None else str(value))
        return box.props(f"dense outlined data-param={field.name}").classes("w-full")

    def _ask(self, template: Template) -> None:
        t = self.viewer.t
        fields = journey_gallery.param_fields(template.params)
        values = journey_gallery.first_values(fields, self.coupons)
        with ui.dialog() as dialog, ui.card().classes("journey-template-start w-[28rem] gap-2"):
            ui.label(self._text(template.names)).classes("text-base font-semibold")
            name = ui.input(t("journeys.field.name"), value=self._text(template.names))
            name.props("dense outlined").classes("w-full")
            boxes = {f.name: self._widget(f, values[f.name]) for f in fields}
            ui.label(t("journeys.gallery.as_draft")).classes("text-xs text-slate-500")
            found = Problems()
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button(t("common.cancel"), on_click=dialog.close).props("flat no-caps")
                ui.button(
                    t("journeys.gallery.create"),
                    icon="rocket_launch",
                    on_click=lambda: self._start(template, name.value, boxes, found),
                ).props("unelevated no-caps color=primary")
        dialog.open()

    def _start(self, template: Template, name: Any, boxes: dict[str, Any], found: Problems) -> None:
        t = self.viewer.t
        given = journey_gallery.params({n: box.value for n, box in boxes.items()})
        title = str(name or "").strip() or None
        try:
            with transaction() as session:
                created = templates.start_template(
                    session, self.viewer.principal, template.key, given, name=title
                )
                ids = [journey.id for journey in created]
        except (ValidationError, DomainError) as error:
            found.show(problems(error, self._where))
            return
        ui.notify(t("journeys.gallery.started", count=len(ids)), type="positive")
        ui.navigate.to(f"/journeys/{ids[0]}" if len(ids) == 1 else "/journeys")

    def _where(self, loc: Any) -> str:
        """A refused parameter by its label (``body.params.days_before`` → 提前天数)."""
        parts = [str(part) for part in loc]
        if parts[:1] == ["params"]:
            parts = parts[1:]
        return named(self.viewer.t, "journeys.param", parts[0]) if parts else ""
