"""The check-in and perks tab: the check-in reward schedule and the perks (new-member pack,
birthday gift, member-day coupons), each a form saved whole through its room's
``save_rules`` (``loyalty:rules``; read-only otherwise). The member day itself and its
multiplier are earn rules, edited on the points tab."""

from collections.abc import Callable
from typing import Any

from nicegui import ui
from sqlalchemy.orm import Session

from memberops.console.pages.loyalty.forms import Problems, entered, field, section_title
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.loyalty.checkin import service as checkin
from memberops.loyalty.checkin.rules import CheckInRules
from memberops.loyalty.coupons import templates
from memberops.loyalty.perks import service as perks
from memberops.loyalty.perks.rules import PerkRules
from memberops.loyalty.points.rules import EarnRules
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.sections import load_section

#: Coupon templates offered in the selects (newest first; a tenant keeps far fewer).
TEMPLATES_OFFERED = 500
#: The perk rules' coupon lists, as (location in the document, catalogue key).
PERK_COUPONS = (
    (("new_member_pack", "coupon_template_ids"), "perks.new_member_pack"),
    (("birthday_gift", "coupon_template_ids"), "perks.birthday_gift"),
    (("member_day_coupon_template_ids",), "perks.member_day_coupons"),
)


def template_options(session: Session, principal: Principal) -> dict[int, str]:
    """Templates the rules may name, ``id → name`` (inactive ones marked, as they issue
    nothing)."""
    found = templates.list_templates(session, principal, None, TEMPLATES_OFFERED)
    return {t.id: t.name if t.active else f"{t.name} ✕" for t in found}


class ProgrammeTab:
    """Check-in schedule and perks of one tenant; a save redraws the tab."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.options: dict[int, str] = {}
        self.checkin = CheckInRules()
        self.perks = PerkRules()

    @property
    def editable(self) -> bool:
        return self.viewer.principal.can(Permission.loyalty_rules)

    @ui.refreshable_method
    def show(self) -> None:
        principal = self.viewer.principal
        with transaction() as session:
            self.checkin = load_section(session, principal.tenant_id, CheckInRules)
            self.perks = load_section(session, principal.tenant_id, PerkRules)
            earn = load_section(session, principal.tenant_id, EarnRules)
            self.options = template_options(session, principal)
        with ui.element("div").classes("grid grid-cols-2 gap-4 w-full items-start"):
            with ui.card().classes("shadow-sm gap-3"):
                CheckInForm(self).show()
            with ui.card().classes("shadow-sm gap-3"):
                PerksForm(self).show(earn)

    def coupons(self, value: list[int], label: str = "", *, multiple: bool = True) -> ui.select:
        """A select of the tenant's templates holding ``value``."""
        options: dict[int, str] = {} if multiple else {0: "—"}
        options.update(self.options)
        chosen: Any = value if multiple else (value[0] if value else 0)
        select = ui.select(options, label=label or None, value=chosen, multiple=multiple)
        select.props("dense outlined options-dense" + (" use-chips" if multiple else ""))
        select.classes("w-full").set_enabled(self.editable)
        return select

    def save_button(self, action: Any) -> Problems | None:
        """The form's save button and its problems area; None (and a note) when read-only."""
        t = self.viewer.t
        if not self.editable:
            ui.label(t("loyalty.read_only")).classes("text-sm text-slate-500")
            return None
        ui.button(t("common.save"), icon="save", on_click=action).props(
            "unelevated no-caps color=primary"
        )
        return Problems()

    def save(self, problems: Problems | None, store: Callable[[], str]) -> None:
        """Save one of the tab's forms and, once saved, redraw the tab with what was stored."""
        assert problems is not None
        if problems.attempt(store):
            self.show.refresh()


class CheckInForm:
    """Whether check-in is on, the cycle, and each day's points and coupon."""

    def __init__(self, tab: ProgrammeTab) -> None:
        self.tab, self.t = tab, tab.viewer.t
        self.problems: Problems | None = None
        self.days: dict[int, tuple[ui.input, ui.select]] = {}

    def show(self) -> None:
        t, rules, editable = self.t, self.tab.checkin, self.tab.editable
        section_title(t("checkin.title"))
        with ui.row().classes("items-center gap-4"):
            self.enabled = ui.checkbox(t("checkin.enabled"), value=rules.enabled)
            self.enabled.set_enabled(editable)
            ui.label(t("checkin.cycle_days")).classes("text-sm text-slate-600")
            self.cycle = field(rules.cycle_days, "cycle_days", enabled=editable, width="w-20")
        rewards = {reward.day: reward for reward in rules.schedule}
        with ui.grid(columns="auto 6rem 1fr").classes("gap-x-3 gap-y-1 items-center w-full"):
            for key in ("checkin.col.day", "checkin.col.points", "checkin.col.coupon"):
                ui.label(t(key)).classes("text-xs font-medium text-slate-500")
            for day in range(1, rules.cycle_days + 1):
                reward = rewards.get(day)
                ui.label(t("checkin.day", day=day)).classes("text-sm")
                points = field(reward.points if reward else None, f"day.{day}", enabled=editable)
                coupon = reward.coupon_template_id if reward else None
                self.days[day] = (
                    points,
                    self.tab.coupons([coupon] if coupon else [], multiple=False),
                )
        ui.label(t("checkin.hint")).classes("text-xs text-slate-400")
        self.problems = self.tab.save_button(self._save)

    def _document(self) -> dict[str, Any]:
        schedule = []
        for day, (points, coupon) in self.days.items():
            typed, template = entered(points), int(coupon.value or 0)
            if typed is not None or template:
                reward = {"day": day, "points": typed or 0, "coupon_template_id": template or None}
                schedule.append(reward)
        return {
            "enabled": bool(self.enabled.value),
            "cycle_days": entered(self.cycle),
            "schedule": schedule,
        }

    def _save(self) -> None:
        self.tab.save(self.problems, self._store)

    def _store(self) -> str:
        rules = CheckInRules.model_validate(self._document())
        with transaction() as session:
            checkin.save_rules(session, self.tab.viewer.principal, rules)
        return self.t("checkin.saved")


class PerksForm:
    """The new-member pack, the birthday gift and the member day's coupons."""

    def __init__(self, tab: ProgrammeTab) -> None:
        self.tab, self.t = tab, tab.viewer.t
        self.problems: Problems | None = None

    def show(self, earn: EarnRules) -> None:
        t, rules, editable = self.t, self.tab.perks, self.tab.editable
        section_title(t("perks.title"))
        with ui.grid(columns="auto 6rem").classes("gap-x-3 gap-y-1 items-center"):
            ui.label(t("perks.new_member_pack_points")).classes("text-sm text-slate-600")
            self.pack = field(rules.new_member_pack.points, "pack_points", enabled=editable)
            ui.label(t("perks.birthday_points")).classes("text-sm text-slate-600")
            self.birthday = field(rules.birthday_gift.points, "birthday_points", enabled=editable)
        stored = rules.model_dump()
        self.lists = {}
        for loc, key in PERK_COUPONS:
            value = stored[loc[0]] if len(loc) == 1 else stored[loc[0]][loc[1]]
            self.lists[loc] = self.tab.coupons(value, t(key))
        day = t("perks.no_member_day")
        if earn.member_day is not None:
            day = t(
                "perks.member_day_is", day=earn.member_day, multiplier=earn.member_day_multiplier
            )
        ui.label(day).classes("text-sm text-slate-600")
        ui.label(t("perks.birthday_hint")).classes("text-xs text-slate-400")
        self.problems = self.tab.save_button(self._save)

    def _document(self) -> dict[str, Any]:
        lists = {loc: list(select.value or []) for loc, select in self.lists.items()}
        return {
            "new_member_pack": {
                "points": entered(self.pack) or 0,
                "coupon_template_ids": lists[PERK_COUPONS[0][0]],
            },
            "birthday_gift": {
                "points": entered(self.birthday) or 0,
                "coupon_template_ids": lists[PERK_COUPONS[1][0]],
            },
            "member_day_coupon_template_ids": lists[PERK_COUPONS[2][0]],
        }

    def _save(self) -> None:
        self.tab.save(self.problems, self._store)

    def _store(self) -> str:
        rules = PerkRules.model_validate(self._document())
        with transaction() as session:
            perks.save_rules(session, self.tab.viewer.principal, rules)
        return self.t("perks.saved")
