"""A draft campaign's form: name, crowd (one of the saved crowds), channel, offer (a coupon
template, points, or both), variants, holdout, attribution window, when to send (now, or a
time in the tenant's timezone) and a budget; the guard rails every launch applies are shown
beside it. Saved through ``create_campaign`` / ``update_campaign`` as the signed-in person, so
the form refuses exactly what the API refuses and keeps its entries then."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import ui
from pydantic import ValidationError
from sqlalchemy.orm import Session

from memberops.activity.money import to_cents, to_yuan
from memberops.campaigns import service
from memberops.campaigns.errors import CampaignNameTaken
from memberops.campaigns.guard_rails import Rules
from memberops.campaigns.models import CampaignChannel
from memberops.campaigns.schemas import CampaignCreate, CampaignPatch, CampaignRead
from memberops.console.i18n import catalogue
from memberops.console.pages.campaigns.variants import VariantRows
from memberops.console.pages.loyalty.forms import (
    Problems,
    dotted,
    entered,
    problems,
    section_title,
)
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.crowds import service as crowds
from memberops.kernel.errors import DomainError
from memberops.loyalty.coupons import templates
from memberops.tenancy.access import Permission

#: How a time to send is typed, in the tenant's timezone.
LOCAL_TIME = "%Y-%m-%d %H:%M"
#: The most crowds and coupon templates offered to choose from (newest first).
CHOICES = 200


@dataclass(frozen=True)
class Choices:
    """What the form's pickers offer: the tenant's saved crowds and coupon templates."""

    crowds: dict[int, str]
    coupons: dict[int, str]


def load_choices(session: Session, viewer: Viewer) -> Choices:
    principal = viewer.principal
    saved = crowds.list_crowds(session, principal, None, CHOICES)
    coupons = templates.list_templates(session, principal, None, CHOICES)
    return Choices({c.id: c.name for c in saved}, {c.id: c.name for c in coupons})


class CampaignEditor:
    """The form of one draft (``campaign`` None: a new one); ``saved`` is called with the id
    once it is stored."""

    def __init__(
        self, viewer: Viewer, choices: Choices, campaign: CampaignRead | None, rules: Rules
    ) -> None:
        self.viewer, self.choices, self.campaign, self.rules = viewer, choices, campaign, rules
        self.variants = VariantRows(viewer, campaign.variants if campaign else [], self._chosen)

    def show(self) -> None:
        t = self.viewer.t
        with ui.row().classes("w-full gap-4 items-start no-wrap"):
            with ui.card().classes("campaign-editor grow shadow-sm gap-2"):
                section_title(t("campaigns.editor"))
                self._basics()
                self._offer()
                section_title(t("campaigns.variants"))
                self.variants.draw()
                self._measure_and_send()
                if self.viewer.principal.can(Permission.campaigns_manage):
                    ui.button(t("campaigns.save"), icon="save", on_click=self._save).props(
                        "unelevated no-caps color=primary"
                    )
                else:
                    ui.label(t("campaigns.read_only")).classes("text-sm text-slate-500")
                self.problems = Problems()
            self._guard_rails()

    def _value(self, name: str) -> Any:
        return getattr(self.campaign, name) if self.campaign is not None else None

    def _box(self, name: str, value: object, width: str = "w-40") -> ui.input:
        shown = "" if value is None else str(value)
        box = ui.input(self.viewer.t(f"campaigns.form.{name}"), value=shown)
        return box.props("dense outlined").classes(width)

    def _basics(self) -> None:
        t = self.viewer.t
        self.name = self._box("name", self._value("name"), "w-full")
        crowd = self._value("crowd_id")
        with ui.row().classes("w-full gap-2"):
            self.crowd = (
                ui.select(
                    self.choices.crowds,
                    label=t("campaigns.form.crowd"),
                    value=int(crowd) if crowd else None,
                )
                .props("dense outlined")
                .classes("w-64")
            )
            channels = {c.value: t(f"campaigns.channel.{c.value}") for c in CampaignChannel}
            channel = self._value("channel")
            self.channel = (
                ui.select(
                    channels,
                    label=t("campaigns.form.channel"),
                    value=channel.value if channel else CampaignChannel.log.value,
                )
                .props("dense outlined")
                .classes("w-48")
            )
        if not self.choices.crowds:
            ui.label(t("campaigns.no_crowds")).classes("text-sm text-slate-500")

    def _offer(self) -> None:
        t = self.viewer.t
        section_title(t("campaigns.offer"))
        coupon = self._value("coupon_template_id")
        with ui.row().classes("w-full gap-2"):
            self.coupon = (
                ui.select(
                    {0: t("campaigns.form.no_coupon"), **self.choices.coupons},
                    label=t("campaigns.form.coupon"),
                    value=int(coupon) if coupon else 0,
                )
                .props("dense outlined")
                .classes("w-64")
            )
            self.points = self._box("points", self._value("points"))

    def _measure_and_send(self) -> None:
        t = self.viewer.t
        section_title(t("campaigns.measure_and_send"))
        with ui.row().classes("w-full gap-2"):
            held = 10 if self.campaign is None else self.campaign.holdout_percent
            self.holdout_percent = self._box("holdout_percent", held)
            days = 7 if self.campaign is None else self.campaign.attribution_days
            self.attribution_days = self._box("attribution_days", days)
            budget = self._value("budget_cents")
            self.budget = self._box("budget", None if budget is None else to_yuan(budget))
        send_at = self._value("send_at")
        with ui.row().classes("w-full gap-2 items-center"):
            when = {"now": t("campaigns.form.now"), "at": t("campaigns.form.at")}
            self.when = ui.radio(when, value="at" if send_at else "now").props("inline dense")
            self.send_at = self._box("send_at", self.viewer.when(send_at) if send_at else "")
            self.send_at.bind_visibility_from(self.when, "value", lambda v: v == "at")
            zone = self.viewer.principal.timezone
            ui.label(t("campaigns.form.timezone", zone=zone)).classes("text-xs text-slate-500")
        best = bool(self._value("best_time"))
        self.best_time = ui.checkbox(t("campaigns.form.best_time"), value=best).props("dense")

    def _guard_rails(self) -> None:
        t, rules = self.viewer.t, self.rules
        with ui.card().classes("campaign-rails w-72 shadow-sm gap-1"):
            section_title(t("campaigns.rails"))
            cap = t("campaigns.rails.cap", count=rules.frequency_cap, days=rules.frequency_days)
            ui.label(cap).classes("text-sm")
            start, end = rules.quiet_start.strftime("%H:%M"), rules.quiet_end.strftime("%H:%M")
            ui.label(t("campaigns.rails.quiet", start=start, end=end)).classes("text-sm")
            for key in ("consent", "once"):
                ui.label(t(f"campaigns.rails.{key}")).classes("text-sm")
            ui.label(t("campaigns.rails.where")).classes("text-xs text-slate-500")

    def _chosen(self) -> tuple[int | None, str | None]:
        """The crowd picked and the coupon's name, for a variant's preview."""
        coupon = self.choices.coupons.get(int(self.coupon.value or 0))
        return (int(self.crowd.value) if self.crowd.value else None), coupon

    def _send_at(self) -> datetime | None:
        """The time typed, in the tenant's timezone (ValueError when it does not parse)."""
        if self.when.value != "at":
            return None
        typed = datetime.strptime(str(self.send_at.value).strip(), LOCAL_TIME)  # noqa: DTZ007
        return typed.replace(tzinfo=ZoneInfo(self.viewer.principal.timezone))

    def document(self) -> dict[str, Any]:
        """The draft as ``CampaignCreate`` reads it: numbers left as typed for the model. The
        optional offer, budget and time are sent even when blank (a draft's patch then clears
        them); a blank crowd, holdout or window is left out (the model's default, or on a
        patch unchanged: these columns cannot be empty)."""
        budget = entered(self.budget)
        found: dict[str, Any] = {
            "name": entered(self.name) or "",
            "channel": self.channel.value,
            "coupon_template_id": self.coupon.value or None,
            "points": entered(self.points),
            "budget_cents": None if budget is None else to_cents(budget),
            "send_at": self._send_at(),
            "best_time": bool(self.best_time.value),
            "variants": self.variants.values(),
        }
        required = {
            "crowd_id": self.crowd.value,
            "holdout_percent": entered(self.holdout_percent),
            "attribution_days": entered(self.attribution_days),
        }
        return found | {name: value for name, value in required.items() if value is not None}

    def _where(self, loc: Sequence[str | int]) -> str:
        """A refused field's label in the form (a variant's by its number), else its path."""
        t, parts = self.viewer.t, [str(part) for part in loc]
        if parts[:1] == ["variants"] and len(parts) == 3 and parts[1].isdigit():
            return f"{t('campaigns.variants')} {int(parts[1]) + 1} · " + self._label(
                f"campaigns.variant.{parts[2]}", parts[2]
            )
        return self._label(f"campaigns.form.{parts[0]}", dotted(loc)) if parts else ""

    def _label(self, key: str, otherwise: str) -> str:
        return self.viewer.t(key) if key in catalogue(self.viewer.locale) else otherwise

    def _save(self) -> None:
        t = self.viewer.t
        try:
            campaign_id = self._store()
        except ValidationError as error:  # the model's refusal (a ValueError too)
            self.problems.show(problems(error, self._where))
        except ValueError as error:  # a budget or a time that does not parse
            self.problems.show([t("campaigns.form.unreadable", detail=str(error))])
        except CampaignNameTaken as error:
            self.problems.show([t("campaigns.name_taken", name=error.fields["name"])])
        except DomainError as error:
            self.problems.show(problems(error, self._where))
        else:
            ui.notify(t("campaigns.saved"), type="positive")
            ui.navigate.to(f"/campaigns/{campaign_id}")

    def _store(self) -> int:
        """Create or change the draft; its id."""
        principal = self.viewer.principal
        document = self.document()
        if self.campaign is None:
            body = CampaignCreate.model_validate(document)
            with transaction() as session:
                return service.create_campaign(session, principal, body).id
        patch = CampaignPatch.model_validate(document)
        with transaction() as session:
            return service.update_campaign(session, principal, int(self.campaign.id), patch).id
