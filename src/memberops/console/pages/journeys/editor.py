"""A journey's editor: name, entry rule and holdout, the trigger, and the steps as an ordered
list — add, remove or move a step, pick its kind, edit its fields (pickers for a crowd, coupon
template, manual tag, channel or stage; JSON for a branch's condition; text for the rest).

Saved through ``create_journey`` / ``update_journey`` as the signed-in person, so the editor
refuses exactly what the API refuses (listed beside the form, which keeps its entries) and an
edit of a journey members entered makes a new version, which only new entrants take."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nicegui import ui
from pydantic import ValidationError
from sqlalchemy.orm import Session

from memberops.console import journey_form
from memberops.console.journey_view import named
from memberops.console.pages.loyalty.forms import Problems, problems, section_title
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.crowds import service as crowds
from memberops.insights.lifecycle.models import Stage
from memberops.insights.tags import service as tags
from memberops.insights.tags.models import TagKind
from memberops.journeys import service
from memberops.journeys.definition import Purpose
from memberops.journeys.errors import JourneyNameTaken
from memberops.journeys.models import EntryRule
from memberops.journeys.schemas import JourneyCreate, JourneyPatch, JourneyRead
from memberops.kernel.errors import DomainError
from memberops.loyalty.coupons import templates
from memberops.messaging.models import ChannelName
from memberops.tenancy.access import Permission

#: The most crowds, coupon templates and tags offered to choose from.
CHOICES = 200
#: A step's row: its fields wrap beside its number, ruled off from the one above.
_ROW = "w-full items-start gap-2 no-wrap border-t border-slate-200 pt-2"
#: A new journey's first trigger and step.
NEW_TRIGGER: dict[str, Any] = {"type": "member_registered"}
NEW_STEP: dict[str, Any] = {"type": "send", "channel": "sms", "body": ""}


@dataclass(frozen=True)
class Choices:
    """What the pickers offer, by id: the tenant's crowds, coupon templates and manual tags."""

    crowds: dict[int, str]
    coupons: dict[int, str]
    tags: dict[int, str]


def load_choices(session: Session, viewer: Viewer) -> Choices:
    principal = viewer.principal
    saved = crowds.list_crowds(session, principal, None, CHOICES)
    coupons = templates.list_templates(session, principal, None, CHOICES)
    manual = [
        t for t in tags.list_tags(session, principal, None, CHOICES) if t.kind == TagKind.manual
    ]
    return Choices(
        {c.id: c.name for c in saved},
        {c.id: c.name for c in coupons},
        {t.id: t.name for t in manual},
    )


class JourneyEditor:
    """The form of one journey (``journey`` None: a new draft)."""

    def __init__(self, viewer: Viewer, choices: Choices, journey: JourneyRead | None) -> None:
        self.viewer, self.choices, self.journey = viewer, choices, journey
        self.trigger = journey_form.entries(journey.trigger if journey else NEW_TRIGGER)
        steps = journey.steps if journey else [NEW_STEP]
        self.steps = [journey_form.entries(s) for s in steps]

    # --- drawing ------------------------------------------------------------------------
    def show(self) -> None:
        t = self.viewer.t
        with ui.card().classes("journey-editor w-full shadow-sm gap-2"):
            section_title(t("journeys.editor"))
            self._basics()
            section_title(t("journeys.steps"))
            self.trigger_area()
            self.step_list()
            if self.viewer.principal.can(Permission.campaigns_manage):
                with ui.row().classes("gap-2"):
                    ui.button(t("journeys.editor.add"), icon="add", on_click=self._add).props(
                        "outline no-caps color=primary"
                    )
                    ui.button(t("journeys.editor.save"), icon="save", on_click=self._save).props(
                        "unelevated no-caps color=primary"
                    )
                if self.journey is not None:
                    ui.label(t("journeys.editor.versions")).classes("text-xs text-slate-500")
            else:
                ui.label(t("journeys.read_only")).classes("text-sm text-slate-500")
            self.problems = Problems()

    def _basics(self) -> None:
        t, journey = self.viewer.t, self.journey
        self.name = ui.input(t("journeys.field.name"), value=journey.name if journey else "")
        self.name.props("dense outlined").classes("w-full")
        with ui.row().classes("w-full gap-2 items-center"):
            rules = {r.value: t(f"journeys.rule.{r.value}") for r in EntryRule}
            rule = journey.entry_rule.value if journey else EntryRule.once_ever.value
            self.rule = ui.select(rules, label=t("journeys.field.entry_rule"), value=rule)
            self.rule.props("dense outlined").classes("w-56")
            period = journey.period_days if journey else None
            self.period = ui.input(
                t("journeys.field.period_days"), value="" if period is None else str(period)
            )
            self.period.props("dense outlined").classes("w-36")
            self.period.bind_visibility_from(self.rule, "value", lambda v: v == "once_per_period")
            held = journey.holdout_percent if journey else 10
            self.holdout = ui.input(t("journeys.field.holdout_percent"), value=str(held))
            self.holdout.props("dense outlined").classes("w-36")

    @ui.refreshable_method
    def trigger_area(self) -> None:
        t = self.viewer.t
        kinds = journey_form.trigger_kinds()
        with ui.row().classes("journey-trigger-form w-full items-start gap-2 no-wrap"):
            ui.icon("bolt").classes("text-amber-500 mt-2")
            options = {k: named(t, "journeys.trigger", k) for k in kinds}
            kind = ui.select(options, label=t("journeys.field.trigger"), value=self.trigger["type"])
            kind.props("dense outlined").classes("w-56")
            kind.on_value_change(lambda e: self._retype_trigger(e.value))
            with ui.row().classes("grow gap-2"):
                for name in kinds.get(self.trigger["type"], ()):
                    self._field(self.trigger, name)

    @ui.refreshable_method
    def step_list(self) -> None:
        kinds = journey_form.step_kinds()
        for index, step in enumerate(self.steps):
            with ui.row().classes(f"journey-step-form {_ROW}").props(f"data-step={index}"):
                ui.label(str(index + 1)).classes(
                    "w-6 h-6 mt-2 rounded-full bg-slate-200 text-center text-sm"
                )
                options = {k: named(self.viewer.t, "journeys.step", k) for k in kinds}
                kind = ui.select(options, label=self.viewer.t("journeys.field.kind_of_step"))
                kind.value = step["type"]
                kind.props("dense outlined").classes("w-44")
                kind.on_value_change(lambda e, i=index: self._retype_step(i, e.value))
                with ui.row().classes("grow gap-2"):
                    for name in kinds.get(step["type"], ()):
                        self._field(step, name)
                self._step_buttons(index)

    def _step_buttons(self, index: int) -> None:
        t = self.viewer.t
        for icon, label, by in (("arrow_upward", "up", -1), ("arrow_downward", "down", 1)):
            button = ui.button(icon=icon, on_click=lambda _, i=index, b=by: self._move(i, b))
            button.props(f'flat dense round size=sm aria-label="{t(f"journeys.editor.{label}")}"')
            button.set_enabled(0 <= index + by < len(self.steps))
        remove = ui.button(icon="delete", on_click=lambda _, i=index: self._remove(i))
        remove.props(
            f'flat dense round size=sm color=negative aria-label="{t("journeys.editor.remove")}"'
        )
        remove.set_enabled(len(self.steps) > 1)

    def _options(self, name: str) -> dict[Any, str] | None:
        """A picker's options for a field that names a row or a fixed value; None for text."""
        t = self.viewer.t
        if name == "crowd_id":
            return dict(self.choices.crowds)
        if name == "coupon_template_id":
            return dict(self.choices.coupons)
        if name == "tag_id":
            return dict(self.choices.tags)
        if name == "channel":
            return {c.value: named(t, "campaigns.channel", c.value) for c in ChannelName}
        if name == "purpose":
            return {p.value: named(t, "journeys.purpose", p.value) for p in Purpose}
        if name == "to_stage":
            return {
                "": t("journeys.editor.any"),
                **{s.value: named(t, "stage", s.value) for s in Stage},
            }
        return None

    def _field(self, document: dict[str, Any], name: str) -> None:
        label = named(self.viewer.t, "journeys.field", name)
        value = document.get(name)
        options = self._options(name)

        def keep(event: Any) -> None:
            document[name] = event.value

        if options is not None:
            if value is not None and value not in options:
                options[value] = f"#{value}"
            box: Any = ui.select(options, label=label, value=value, on_change=keep)
            box.props("dense outlined").classes("w-48")
        elif name in journey_form.json_fields() or name == "body":
            box = ui.textarea(label, value="" if value is None else str(value), on_change=keep)
            box.props("dense outlined autogrow").classes("w-full")
        else:
            box = ui.input(label, value="" if value is None else str(value), on_change=keep)
            box.props("dense outlined").classes("w-32")
        box.props(f"data-field={name}")

    # --- changes ----------------------------------------------------------------------------
    def _retype_trigger(self, kind: str) -> None:
        if kind != self.trigger["type"]:
            self.trigger = {"type": kind}
            self.trigger_area.refresh()

    def _retype_step(self, index: int, kind: str) -> None:
        if kind != self.steps[index]["type"]:
            self.steps[index] = {"type": kind}
            self.step_list.refresh()

    def _add(self) -> None:
        self.steps.append(dict(NEW_STEP))
        self.step_list.refresh()

    def _remove(self, index: int) -> None:
        if len(self.steps) > 1:
            del self.steps[index]
            self.step_list.refresh()

    def _move(self, index: int, by: int) -> None:
        self.steps = journey_form.moved(self.steps, index, by)
        self.step_list.refresh()

    # --- saving -----------------------------------------------------------------------------
    def document(self) -> dict[str, Any]:
        """The journey as ``JourneyCreate`` reads it (ValueError for a condition that is not
        JSON)."""
        rule = str(self.rule.value)
        period = str(self.period.value or "").strip() if rule == "once_per_period" else ""
        holdout = str(self.holdout.value or "").strip()
        found: dict[str, Any] = {
            "name": str(self.name.value or "").strip(),
            "entry_rule": rule,
            "period_days": period or None,
            "trigger": journey_form.document(
                self.trigger["type"], journey_form.trigger_kinds(), self.trigger
            ),
            "steps": [
                journey_form.document(s["type"], journey_form.step_kinds(), s) for s in self.steps
            ],
        }
        if holdout:
            found["holdout_percent"] = holdout
        return found

    def _where(self, loc: Sequence[str | int]) -> str:
        """A refused field in the form's words: ``Step 2 · Days``."""
        t, parts = self.viewer.t, list(loc)
        if parts[:1] == ["steps"] and len(parts) > 1 and isinstance(parts[1], int):
            step = t("journeys.chart.step", step=parts[1] + 1)
            return f"{step} · {named(t, 'journeys.field', parts[-1])}" if len(parts) > 2 else step
        if parts[:1] == ["trigger"]:
            return f"{t('journeys.field.trigger')} · {named(t, 'journeys.field', parts[-1])}"
        return named(t, "journeys.field", parts[0]) if parts else ""

    def _save(self) -> None:
        t = self.viewer.t
        try:
            journey_id, version = self._store()
        except ValidationError as error:
            self.problems.show(problems(error, self._where))
        except ValueError as error:  # a condition that is not JSON
            self.problems.show([t("journeys.editor.unreadable", detail=str(error))])
        except JourneyNameTaken as error:
            self.problems.show([t("journeys.editor.name_taken", name=error.fields["name"])])
        except DomainError as error:
            self.problems.show(problems(error, self._where))
        else:
            before = self.journey.version if self.journey else version
            said = "journeys.editor.new_version" if version != before else "journeys.editor.saved"
            ui.notify(t(said, version=version), type="positive")
            ui.navigate.to(f"/journeys/{journey_id}")

    def _store(self) -> tuple[int, int]:
        """Create or change the journey; its id and version."""
        principal, found = self.viewer.principal, self.document()
        if self.journey is None:
            body = JourneyCreate.model_validate(found)
            with transaction() as session:
                created = service.create_journey(session, principal, body)
                return created.id, created.version
        patch = JourneyPatch.model_validate(found)
        with transaction() as session:
            changed = service.update_journey(session, principal, int(self.journey.id), patch)
            return changed.id, changed.version
