"""What the loyalty page draws and writes, without a browser: the chart options built from the
tiers and points reads, how a coupon template is described, where a refused rules document
says the problem is, and the labels built from the loyalty rooms' domain values."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from memberops.console import loyalty_charts
from memberops.console.i18n import LOCALES, catalogue, translate
from memberops.console.pages.loyalty.coupons import describe_value, local_day
from memberops.console.pages.loyalty.forms import problems
from memberops.loyalty.coupons.errors import InvalidTemplate
from memberops.loyalty.coupons.models import CouponKind, CouponStatus
from memberops.loyalty.coupons.schemas import TemplateRead, TemplateStats
from memberops.loyalty.points.models import EntryKind
from memberops.loyalty.points.schemas import LiabilityMonth, LiabilityRead
from memberops.loyalty.tiers.models import TierChangeKind
from memberops.loyalty.tiers.rules import TierLadder
from memberops.loyalty.tiers.schemas import Distribution, LevelCount


def _t(key: str, **values: object) -> str:
    return translate("en", key, **values)


def test_members_per_tier_lowest_first_in_rung_colours() -> None:
    distribution = Distribution(
        levels=[
            LevelCount(code="silver", name="银卡会员", members=7),
            LevelCount(code="gold", name="金卡会员", members=2),
            LevelCount(code="platinum", name="白金卡会员", members=0),
        ],
        total=9,
    )
    option = loyalty_charts.tier_distribution(distribution)
    assert option["xAxis"]["data"] == ["银卡会员", "金卡会员", "白金卡会员"]
    bars = option["series"][0]["data"]
    assert [bar["value"] for bar in bars] == [7, 2, 0]
    assert [bar["itemStyle"]["color"] for bar in bars] == list(loyalty_charts.TIER_COLOURS[:3])


def test_liability_by_month_in_points_and_yuan() -> None:
    report = LiabilityRead(
        as_of=datetime(2026, 11, 23, tzinfo=UTC),
        points=3150,
        value=3150,
        debt_points=0,
        points_per_yuan_redeemed=100,
        by_expiry_month=[
            LiabilityMonth(month="2027-10", points=50, value=50),
            LiabilityMonth(month="2027-11", points=3100, value=3100),
        ],
    )
    option = loyalty_charts.liability(report, _t)
    assert option["xAxis"]["data"] == ["2027-10", "2027-11"]
    assert [s["name"] for s in option["series"]] == ["Points", "Value (¥)"]
    assert [s["data"] for s in option["series"]] == [[50, 3100], [0.5, 31.0]]
    assert option["series"][1]["yAxisIndex"] == 1


def _zh(key: str, **values: object) -> str:
    return translate("zh-CN", key, **values)


def _template(kind: CouponKind, **given: object) -> TemplateRead:
    """A template as the API reads it; money in cents, as the service holds it."""
    stats = TemplateStats(issued=0, redeemed=0, expired=0, redemption_rate=None, gmv=0)
    return TemplateRead.model_validate(
        {
            "id": "1",
            "name": "t",
            "kind": kind,
            "amount_off": None,
            "percent_off": None,
            "threshold": 0,
            "gift": None,
            "valid_from": None,
            "valid_until": None,
            "valid_days": 30,
            "stock": None,
            "remaining": None,
            "per_member_limit": 1,
            "channels": [],
            "stores": [],
            "tiers": [],
            "points_price": None,
            "member_day_only": False,
            "active": True,
            "created_at": datetime(2026, 11, 23, tzinfo=UTC),
            "stats": stats,
            **given,
        }
    )


@pytest.mark.parametrize(
    ("kind", "given", "described"),
    [
        (
            CouponKind.amount_off,
            {"amount_off": 2000, "threshold": 10000},
            "减 ¥20.00(满 ¥100.00 可用)",
        ),
        (CouponKind.amount_off, {"amount_off": 500}, "减 ¥5.00"),
        (CouponKind.percent_off, {"percent_off": 20}, "20% 折扣"),
        (CouponKind.free_shipping, {}, "包邮"),
        (CouponKind.gift, {"gift": "帆布袋"}, "赠 帆布袋"),
    ],
)
def test_a_template_is_described_by_what_it_gives(
    kind: CouponKind, given: dict[str, object], described: str
) -> None:
    assert describe_value(_template(kind, **given), _zh) == described


def test_a_refused_ladder_names_the_level_and_field() -> None:
    document = TierLadder().model_dump(mode="json")
    document["levels"][1]["qualify_spend"] = "12.345"
    with pytest.raises(ValidationError) as refused:
        TierLadder.model_validate(document)
    (line,) = problems(refused.value)
    assert line.startswith("levels.1.qualify_spend: Value error, amounts are decimal strings")


def test_a_domain_errors_fields_are_listed_without_body() -> None:
    error = InvalidTemplate(
        "body.percent_off: needed",
        errors=[
            {"loc": ["body", "percent_off"], "msg": "a percent_off coupon needs percent_off"},
            {"loc": ["body", "valid_days"], "msg": "give valid_days"},
        ],
    )
    assert problems(error, lambda loc: f"<{loc[0]}>") == [
        "<percent_off>: a percent_off coupon needs percent_off",
        "<valid_days>: give valid_days",
    ]
    assert problems(InvalidTemplate("plain")) == ["plain"]


@pytest.mark.parametrize(
    "key",
    [
        *(f"points.kind.{kind.value}" for kind in EntryKind),
        *(f"tier.kind.{kind.value}" for kind in TierChangeKind),
        *(f"coupon.kind.{kind.value}" for kind in CouponKind),
        *(f"coupon.status.{status.value}" for status in CouponStatus),
    ],
)
def test_labels_built_from_loyalty_values_exist(key: str) -> None:
    for locale in LOCALES:
        assert catalogue(locale)[key]


def test_a_window_of_local_days_in_utc() -> None:
    shanghai = "Asia/Shanghai"
    assert local_day("2026-12-01", shanghai, end=False) == datetime(2026, 11, 30, 16, tzinfo=UTC)
    assert local_day("2026-12-01", shanghai, end=True) == datetime(2026, 12, 1, 16, tzinfo=UTC)
    assert local_day("2026-13-01", shanghai, end=False) is None
    assert local_day(None, shanghai, end=True) is None
