"""What the journey pages draw, without a browser: the steps as an indented tree with their
parameters in words and the members at each, the figures, the bar chart of the counts, the
editor's kinds read from the journeys room's models and the document its entries make, and the
demo clock's move (an hour at a time, a journeys round after each)."""

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter

from memberops.campaigns.measurement import uplift_read
from memberops.campaigns.uplift import Group, compare
from memberops.console import demo_clock, journey_charts, journey_form, journey_view
from memberops.console.formatting import BLANK
from memberops.console.i18n import LOCALES, catalogue, translate
from memberops.console.pages import demo_clock as clock_control
from memberops.console.pages.journeys import effect as effect_card
from memberops.console.pages.journeys.detail import offered
from memberops.journeys.definition import Step, Trigger
from memberops.journeys.jobs import Round
from memberops.journeys.models import EntryRule, JourneyStatus
from memberops.journeys.schemas import EffectGroup, JourneyEffect, JourneyReport, StepCount
from memberops.kernel import clock
from memberops.kernel.settings import Settings


def _t(key: str, **values: object) -> str:
    return translate("en", key, **values)


STEPS: list[dict[str, Any]] = [
    {"type": "issue_coupon", "coupon_template_id": 12},
    {
        "type": "branch",
        "condition": {"field": "member.gender", "op": "=", "value": "female"},
        "no": 4,
    },
    {"type": "send", "channel": "sms", "body": "hi {{ name }}"},
    {"type": "wait", "days": 3, "hours": 0, "at": "09:00:00"},
    {"type": "add_tag", "tag_id": 5},
]
REPORT = JourneyReport(
    entered=20,
    holdout=2,
    done=9,
    exited=1,
    at_steps=[
        StepCount(version=1, step=1, type="wait", members=2),
        StepCount(version=2, step=0, type="issue_coupon", members=1),
        StepCount(version=2, step=3, type="wait", members=5),
    ],
)


def test_a_branch_indents_the_steps_only_some_members_run() -> None:
    assert journey_view.depths(STEPS) == [0, 0, 1, 1, 0]
    nested = [
        {"type": "branch", "condition": {}, "yes": 3},
        {"type": "branch", "condition": {}, "no": 3},
        {"type": "exit"},
        {"type": "exit"},
    ]
    assert journey_view.depths(nested) == [0, 1, 2, 0]
    assert journey_view.depths([{"type": "branch", "condition": {}}, {"type": "exit"}]) == [0, 0]


def test_the_tree_names_each_step_its_parameters_and_members() -> None:
    names = {("coupon", 12): "生日券"}
    nodes = journey_view.step_tree(STEPS, REPORT, 2, _t, names)
    assert [(n.index, n.type, n.depth, n.members) for n in nodes] == [
        (0, "issue_coupon", 0, 1),
        (1, "branch", 0, 0),
        (2, "send", 1, 0),
        (3, "wait", 1, 5),
        (4, "add_tag", 0, 0),
    ]
    assert nodes[0].summary == "Coupon template: 生日券"
    assert nodes[1].summary == (
        'Condition (JSON): {"field": "member.gender", "op": "=", "value": "female"}'
        " · Yes → step 3 · No → step 5"
    )
    assert nodes[2].summary == "Channel: SMS · Body: hi {{ name }}"
    assert nodes[3].summary == "Days: 3 · At (HH:MM): 09:00"
    assert nodes[4].summary == "Tag: #5"
    end = journey_view.describe({"type": "branch", "condition": {}, "yes": 2}, _t, {}, 1, 2)
    assert end.endswith("Yes → the end · No → the end")


def test_figures_and_earlier_versions() -> None:
    assert journey_view.figures(REPORT) == {
        "entered": 20,
        "moving": 8,
        "done": 9,
        "exited": 1,
        "holdout": 2,
    }
    assert journey_view.earlier_lines(REPORT, 2, _t) == ["Version 1 · step 2 (Wait): 2"]
    assert journey_view.named(_t, "journeys.step", "someday") == "someday"


def test_the_chart_has_a_bar_per_step_and_the_ends() -> None:
    nodes = journey_view.step_tree(STEPS, REPORT, 2, _t, {})
    option = journey_charts.counts(nodes, REPORT, 2, _t)
    assert option["xAxis"]["data"] == [
        "Entered",
        "1 · Issue a coupon",
        "2 · Branch",
        "3 · Send a message",
        "4 · Wait",
        "5 · Add a tag",
        "Done",
        "Exited",
        "Holdout",
    ]
    current, older = option["series"]
    assert [bar["value"] for bar in current["data"]] == [20, 1, 0, 0, 5, 0, 9, 1, 2]
    assert current["name"] == "Version 2"
    assert older["data"] == [0, 0, 2, 0, 0, 0, 0, 0, 0]
    alone = journey_charts.counts(nodes, REPORT.model_copy(update={"at_steps": []}), 2, _t)
    assert len(alone["series"]) == 1


def test_the_chart_adds_steps_only_an_earlier_version_has() -> None:
    nodes = journey_view.step_tree(STEPS[:1], REPORT, 2, _t, {})
    option = journey_charts.counts(nodes, REPORT, 2, _t)
    assert option["xAxis"]["data"][1:4] == ["1 · Issue a coupon", "Step 2", "Done"]
    assert option["series"][1]["data"][1:3] == [0, 2]


def test_each_status_offers_its_actions() -> None:
    assert offered(JourneyStatus.draft) == ["activate", "archive"]
    assert offered(JourneyStatus.active) == ["pause", "archive"]
    assert offered(JourneyStatus.paused) == ["resume", "archive"]
    assert offered(JourneyStatus.archived) == []


def test_the_editor_knows_every_kind_of_the_definition() -> None:
    triggers, steps = journey_form.trigger_kinds(), journey_form.step_kinds()
    assert triggers["birthday"] == ("days_before", "at")
    assert triggers["order_paid"] == ()
    assert steps["wait"] == ("days", "hours", "minutes", "at")
    assert steps["branch"] == ("condition", "yes", "no")
    assert "condition" in journey_form.json_fields()
    for locale in LOCALES:
        words = catalogue(locale)
        assert all(f"journeys.trigger.{kind}" in words for kind in triggers)
        assert all(f"journeys.step.{kind}" in words for kind in steps)
        fields = {f for kinds in (triggers, steps) for names in kinds.values() for f in names}
        assert all(f"journeys.field.{name}" in words for name in fields)
        assert all(f"journeys.rule.{rule.value}" in words for rule in EntryRule)
        assert all(f"journeys.status.{status.value}" in words for status in JourneyStatus)


def test_the_editor_entries_make_a_definition_the_model_reads() -> None:
    shown = journey_form.entries(STEPS[1])
    assert shown["condition"] == '{"field": "member.gender", "op": "=", "value": "female"}'
    typed = {"days": " 2 ", "hours": "", "minutes": None, "at": "10:00"}
    wait = journey_form.document("wait", journey_form.step_kinds(), typed)
    assert wait == {"type": "wait", "days": "2", "at": "10:00"}
    branch = journey_form.document("branch", journey_form.step_kinds(), shown)
    assert branch["condition"] == STEPS[1]["condition"]
    steps = TypeAdapter(list[Step]).validate_python([wait, branch, {"type": "exit"}])
    assert [s.type for s in steps] == ["wait", "branch", "exit"]
    trigger = journey_form.document("birthday", journey_form.trigger_kinds(), {"days_before": "3"})
    assert TypeAdapter(Trigger).validate_python(trigger).type == "birthday"
    with pytest.raises(ValueError, match="condition"):
        journey_form.document("branch", journey_form.step_kinds(), {"condition": "{oops"})


def test_moving_a_step_stays_within_the_list() -> None:
    assert journey_form.moved([1, 2, 3], 0, 1) == [2, 1, 3]
    assert journey_form.moved([1, 2, 3], 2, -1) == [1, 3, 2]
    assert journey_form.moved([1, 2, 3], 0, -1) == [1, 2, 3]
    assert journey_form.moved([1, 2, 3], 2, 1) == [1, 2, 3]


@pytest.fixture
def unshifted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "_offset", [timedelta(0)])


@pytest.mark.usefixtures("unshifted")
def test_the_demo_clock_moves_an_hour_at_a_time_with_a_round_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[datetime] = []

    def round_(factory: object, settings: Settings) -> Round:
        seen.append(clock.now())
        return Round(entered=2, advanced=3)

    monkeypatch.setattr(demo_clock.journeys, "run_round", round_)
    on = Settings(demo_clock=True)
    moved = demo_clock.move(None, on, timedelta(days=1, minutes=30))  # type: ignore[arg-type]
    assert (moved.rounds, moved.entered, moved.advanced) == (25, 50, 75)
    assert clock.offset() == timedelta(days=1, minutes=30)
    gaps = {b - a for a, b in itertools.pairwise(seen)}
    assert all(timedelta(minutes=29) < gap < timedelta(hours=1, seconds=5) for gap in gaps)
    assert moved.now >= datetime.now(UTC) + timedelta(days=1, minutes=29)


@pytest.mark.usefixtures("unshifted")
def test_the_demo_clock_is_refused_when_off_or_too_far() -> None:
    with pytest.raises(ValueError, match="off"):
        demo_clock.move(None, Settings(), timedelta(hours=1))  # type: ignore[arg-type]
    on = Settings(demo_clock=True)
    for wrong in (timedelta(0), timedelta(days=61)):
        with pytest.raises(ValueError, match="up to 60 days"):
            demo_clock.move(None, on, wrong)  # type: ignore[arg-type]
    assert clock.offset() == timedelta(0)
    assert Settings().demo_clock is False


def test_the_clock_control_reads_hours_and_days() -> None:
    assert clock_control.delta(" 3 ", "days") == timedelta(days=3)
    assert clock_control.delta("5", "hours") == timedelta(hours=5)
    with pytest.raises(ValueError, match="invalid literal"):
        clock_control.delta("soon", "days")


def _effect(treated: EffectGroup, holdout: EffectGroup) -> JourneyEffect:
    uplift = compare(
        Group(treated.entries, treated.converted, treated.revenue),
        Group(holdout.entries, holdout.converted, holdout.revenue),
    )
    return JourneyEffect(
        attribution_days=7,
        treated=treated,
        holdout=holdout,
        uplift=None if uplift is None else uplift_read(uplift),
    )


def _group(entries: int, converted: int, cents: int) -> EffectGroup:
    rate = converted / entries if entries else 0.0
    return EffectGroup(entries=entries, converted=converted, conversion_rate=rate, revenue=cents)


def test_the_effect_card_reads_the_treated_against_the_holdout() -> None:
    strong = _effect(_group(1000, 200, 3_000_000), _group(1000, 100, 1_500_000))
    assert effect_card.verdict(strong) == "journeys.effect.significant"
    treated, held = effect_card.rows(strong, _t)
    assert (treated["group"], treated["entries"], treated["rate"]) == ("Treated", "1,000", "20.0%")
    assert treated["uplift"] == "+10.0 pt"
    assert treated["interval"].startswith("[+")  # wholly above zero
    assert treated["incremental_revenue"] == "¥15,000.00"
    assert (held["group"], held["uplift"], held["interval"]) == ("Holdout", BLANK, BLANK)
    close = _effect(_group(100, 11, 0), _group(100, 10, 0))
    assert effect_card.verdict(close) == "journeys.effect.unsure"


def test_the_effect_card_says_when_it_cannot_measure() -> None:
    none_held = _effect(_group(50, 5, 50_000), _group(0, 0, 0))
    assert effect_card.verdict(none_held) == "journeys.effect.no_holdout"
    nobody = _effect(_group(0, 0, 0), _group(0, 0, 0))
    assert effect_card.verdict(nobody) == "journeys.effect.no_holdout"
    early = JourneyEffect(
        attribution_days=7, treated=_group(0, 0, 0), holdout=_group(3, 0, 0), uplift=None
    )
    assert effect_card.verdict(early) == "journeys.effect.too_early"
