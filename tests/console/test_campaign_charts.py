"""What the campaign pages draw, without a browser: the conversion-rate chart's bars and error
bars, a results row, the forecast's figure cards, and the catalogue labels built from the
campaigns room's values."""

import pytest

from memberops.campaigns.effect_schemas import ForecastRead, GroupResults, UpliftRead
from memberops.campaigns.models import CampaignChannel, CampaignStatus, SkipReason
from memberops.campaigns.uplift import wilson
from memberops.console import campaign_charts
from memberops.console.formatting import BLANK
from memberops.console.i18n import catalogue, translate
from memberops.console.pages.campaigns import forecast, results


def _t(key: str, **values: object) -> str:
    return translate("en", key, **values)


UPLIFT = UpliftRead(
    difference=0.03,
    low=-0.012,
    high=0.071,
    relative=0.5,
    significant=False,
    incremental_conversions=6.0,
    incremental_revenue=-250,
)


FORECAST = ForecastRead(
    campaign_id="1",
    crowd_members=1200,
    reach=1000,
    holdout=110,
    chosen_by_budget=False,
    without_prediction=0,
    lift_source="prior",
    relative_lift=0.1,
    measured_campaigns=0,
    baseline_buyers=50.0,
    expected_buyers=55.04,
    incremental_buyers=5.04,
    expected_revenue=1234567,
    incremental_revenue=-100,
    cost=20000,
    roi=None,
)


def _group(name: str, members: int, converted: int, holdout: bool = False) -> GroupResults:
    return GroupResults(
        name=name,
        variant_id=None if holdout else "7",
        members=members,
        sent=0 if holdout else members,
        delivered=0 if holdout else members - 1,
        clicked=3,
        converted=converted,
        conversion_rate=converted / members if members else 0.0,
        revenue=123456,
        cost=0 if holdout else 2000,
        uplift=None if holdout else UPLIFT,
        roi=None if holdout else -1.125,
    )


def test_the_chart_draws_each_rate_with_its_wilson_interval() -> None:
    groups = [_group("A", 200, 18), _group("B", 180, 9), _group("holdout", 40, 2, holdout=True)]
    option = campaign_charts.conversion(groups, "Holdout", _t)
    assert option["xAxis"]["data"] == ["A", "B", "Holdout"]
    bars, errors = option["series"]
    assert [d["value"] for d in bars["data"]] == [9.0, 5.0, 5.0]
    colours = [d["itemStyle"]["color"] for d in bars["data"]]
    assert colours == [campaign_charts.VARIANT_COLOUR] * 2 + [campaign_charts.HOLDOUT_COLOUR]
    low, high = wilson(18, 200)
    assert errors["data"][0] == [0, round(low * 100, 2), round(high * 100, 2)]
    assert errors["type"] == "custom"
    assert errors[":renderItem"].startswith("(params, api) =>")
    assert option["legend"]["data"] == ["Conversion rate", "95 % interval"]


def test_an_empty_group_has_a_flat_interval() -> None:
    assert campaign_charts.interval(_group("A", 0, 0)) == (0.0, 0.0)


def test_a_results_row_signs_the_uplift_and_blanks_the_holdouts() -> None:
    shown = results.row(_group("A", 200, 18), "A")
    assert shown["uplift"] == "+3.0 pt"
    assert shown["interval"] == "[-1.2 pt, +7.1 pt]"
    assert shown["incremental_revenue"] == "-¥2.50"
    assert (shown["rate"], shown["revenue"], shown["roi"]) == ("9.0%", "¥1,234.56", "-112.5%")
    held = results.row(_group("holdout", 40, 2, holdout=True), "Holdout")
    assert (held["uplift"], held["interval"], held["roi"]) == (BLANK, BLANK, BLANK)


def test_the_forecast_cards_count_who_is_left_out() -> None:
    shown = forecast.figures(FORECAST)
    assert shown["left_out"] == "90"
    assert (shown["reach"], shown["expected_buyers"]) == ("1,000", "55.0")
    assert (shown["expected_revenue"], shown["incremental_revenue"]) == ("¥12,345.67", "-¥1.00")
    assert shown["roi"] == BLANK


@pytest.mark.parametrize(
    "key",
    [
        *(f"campaigns.status.{s.value}" for s in CampaignStatus),
        *(f"campaigns.channel.{c.value}" for c in CampaignChannel),
        *(f"campaigns.skip.{r.value}" for r in SkipReason),
        *(f"campaigns.col.{name}" for name in ("name", "status", "crowd", "channel", "sent")),
        *(f"campaigns.results.col.{name}" for name in results.COLUMNS),
        *(f"campaigns.forecast.{name}" for name in forecast.figures(FORECAST)),
    ],
)
def test_every_label_built_from_a_value_exists(key: str) -> None:
    assert key in catalogue("zh-CN")
    assert key in catalogue("en")
