"""What the benefit-card and stored-value pages draw and send, without a browser: the monthly
chart's option, how a card type, a holding and a stored-value entry are written, the bonus a
top-up dialog announces, the bonus-tier rows read back as rules, a fresh key per dialog, and
the labels built from the rooms' domain values."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from memberops.console import loyalty_charts
from memberops.console.i18n import LOCALES, catalogue, translate
from memberops.console.pages.loyalty.cards import card_row, describe_benefits, describe_price
from memberops.console.pages.loyalty.stored_value import liability_figures, moved, tiers_document
from memberops.console.pages.member_wallet import benefits_now, entry_row, holding_row
from memberops.console.pages.member_wallet_actions import bonus_preview, dialog_key
from memberops.console.viewer import TenantChoice, Viewer
from memberops.loyalty.cards.models import HoldingStatus, PaymentKind, PriceKind
from memberops.loyalty.cards.schemas import (
    BenefitsRead,
    CardBenefits,
    CardTypeRead,
    HoldingRead,
    MonthlyCoupon,
    PaymentRead,
)
from memberops.loyalty.wallet.models import EntryKind
from memberops.loyalty.wallet.rules import TopUpRules
from memberops.loyalty.wallet.schemas import EntryRead, LiabilityMonth, LiabilityRead
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role

AT = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)  # 12:30 in Shanghai


def _zh(key: str, **values: object) -> str:
    return translate("zh-CN", key, **values)


def _en(key: str, **values: object) -> str:
    return translate("en", key, **values)


def _viewer() -> Viewer:
    principal = Principal(tenant_id=1, role=Role.operator, actor="user:op@example.com")
    return Viewer(
        1, "op@example.com", "zh-CN", principal, (TenantChoice(1, "acme", Role.operator),)
    )


def _report(*months: LiabilityMonth) -> LiabilityRead:
    return LiabilityRead(
        as_of=AT,
        principal=90000,
        bonus=9000,
        balance=99000,
        members_with_balance=1234,
        by_month=list(months),
    )


def _month(month: str, **moved_cents: int) -> LiabilityMonth:
    figures = dict.fromkeys(
        ("topped_up", "bonus_given", "spent", "spent_principal", "refunded", "adjusted"), 0
    )
    return LiabilityMonth(month=month, **{**figures, **moved_cents})


def test_stored_value_by_month_draws_each_movement_in_yuan() -> None:
    report = _report(
        _month("2026-10", topped_up=100000, bonus_given=10000),
        _month("2026-11", spent=1100, spent_principal=1000, refunded=550),
    )
    option = loyalty_charts.stored_value_by_month(report, _en)
    assert option["xAxis"]["data"] == ["2026-10", "2026-11"]
    assert [s["name"] for s in option["series"]] == [
        "Topped up (¥)",
        "Bonus given (¥)",
        "Spent (¥)",
        "Refunded back (¥)",
    ]
    assert [s["data"] for s in option["series"]] == [
        [1000.0, 0.0],
        [100.0, 0.0],
        [0.0, 11.0],
        [0.0, 5.5],
    ]
    assert moved(report)
    assert not moved(_report(_month("2026-10"), _month("2026-11")))


def test_the_liability_figures_in_yuan_and_members() -> None:
    assert liability_figures(_report()) == {
        "principal": "¥900.00",
        "bonus": "¥90.00",
        "balance": "¥990.00",
        "members_with_balance": "1,234",
    }


def _card(**given: Any) -> CardTypeRead:
    fields: dict[str, Any] = {
        "id": "7",
        "code": "plus_year",
        "name": "PLUS 年卡",
        "price_kind": PriceKind.money,
        "price": 8800,
        "price_points": None,
        "validity_unit": "months",
        "validity_length": 12,
        "benefits": CardBenefits(),
        "active": True,
        "holders": 1500,
        "created_at": AT,
    }
    return CardTypeRead.model_validate({**fields, **given})


def test_a_card_type_row_says_price_term_benefits_and_holders() -> None:
    benefits = CardBenefits(
        discount_rate=Decimal("0.95"),
        free_shipping=True,
        points_multiplier=Decimal("2.00"),
        monthly_coupons=[MonthlyCoupon(template_id=3, quantity=2)],
    )
    row = card_row(_card(benefits=benefits), _zh)
    assert {name: row[name] for name in ("price", "term", "benefits", "holders", "state")} == {
        "price": "¥88.00",
        "term": "12 个月",
        "benefits": "9.5折(省 5%) · 包邮 · 积分 ×2 · 每月 2 张券",
        "holders": "1,500",
        "state": "在售",
    }
    archived = card_row(_card(active=False), _en)
    assert (archived["state"], archived["toggle"]) == ("Archived", "Put on sale")


@pytest.mark.parametrize(
    ("given", "price"),
    [
        ({"price_kind": PriceKind.free, "price": None}, "免费"),
        ({"price_kind": PriceKind.points, "price": None, "price_points": 20000}, "20,000 积分"),
        ({"price_kind": PriceKind.money, "price": 19900}, "¥199.00"),
    ],
)
def test_a_price_in_money_points_or_free(given: dict[str, Any], price: str) -> None:
    assert describe_price(_card(**given), _zh) == price


def test_a_card_giving_nothing_is_a_blank_and_benefits_combine_in_a_line() -> None:
    assert describe_benefits(CardBenefits(), _en) == "—"
    combined = BenefitsRead(
        member_id="1",
        as_of=AT,
        discount_rate=Decimal("0.88"),
        free_shipping=False,
        points_multiplier=Decimal("4.50"),
        sources=[],
    )
    assert benefits_now(combined, _en) == "12% off (8.8折) · Points ×4.5"


def _holding(status: HoldingStatus, valid: bool, **payment: Any) -> HoldingRead:
    paid = PaymentRead(
        kind=PaymentKind.purchase,
        price_kind=PriceKind.money,
        amount=8800,
        points=0,
        payment_reference="wx-1",
        period_starts_at=AT,
        period_ends_at=AT + timedelta(days=365),
        paid_at=AT,
        refunded_at=None,
    )
    return HoldingRead(
        id="5",
        member_id="9",
        card_type_id="7",
        card_code="plus_year",
        card_name="PLUS 年卡",
        status=status,
        valid=valid,
        starts_at=AT,
        ends_at=AT + timedelta(days=365),
        lapsed_at=None,
        refunded_at=None,
        refund_reason=None,
        benefits=CardBenefits(free_shipping=True),
        payments=[paid.model_copy(update=payment)],
    )


def test_a_holding_row_has_its_status_term_and_what_was_paid() -> None:
    row = holding_row(_holding(HoldingStatus.active, valid=True), _viewer())
    assert {name: row[name] for name in ("card", "status", "term", "paid", "benefits")} == {
        "card": "PLUS 年卡",
        "status": "有效",
        "term": "2026-11-23 12:30 – 2027-11-23 12:30",
        "paid": "¥88.00",
        "benefits": "包邮",
    }
    assert (row["price_kind"], row["renewable"]) == ("money", True)
    ended = holding_row(_holding(HoldingStatus.active, valid=False), _viewer())
    assert ended["status"] == "已到期(待失效)"
    refunded = holding_row(_holding(HoldingStatus.refunded, valid=False, refunded_at=AT), _viewer())
    assert (refunded["status"], refunded["paid"], refunded["renewable"]) == ("已退款", "—", False)


def test_a_stored_value_entry_row_is_signed() -> None:
    entry = EntryRead(
        id="3",
        kind=EntryKind.spend,
        amount=-1100,
        principal=-1000,
        bonus=-100,
        balance_after=98900,
        order_id="T-1",
        reference="order:T-1",
        reason=None,
        actor="user:op@example.com",
        occurred_at=AT,
    )
    assert entry_row(entry, _viewer()) == {
        "id": "3",
        "occurred_at": "2026-11-23 12:30",
        "kind": "消费",
        "amount": "-¥11.00",
        "principal": "-¥10.00",
        "bonus": "-¥1.00",
        "balance_after": "¥989.00",
        "about": "T-1",
    }


def test_the_top_up_dialog_announces_the_highest_tier_reached() -> None:
    rules = TopUpRules.model_validate(
        {
            "bonus_tiers": [
                {"min_amount": "500.00", "bonus": "40.00"},
                {"min_amount": "1000", "bonus": "100"},
            ]
        }
    )
    assert bonus_preview(rules, "1000") == 10000
    assert bonus_preview(rules, "600.5") == 4000
    assert bonus_preview(rules, "499.99") == 0
    assert bonus_preview(rules, "12.345") is None
    assert bonus_preview(rules, None) is None


def test_bonus_tier_rows_read_back_as_rules() -> None:
    typed = [("1000", "100"), (None, None), ("500", "40")]
    rules = TopUpRules.model_validate(tiers_document(typed))
    assert [(t.min_amount, t.bonus) for t in rules.bonus_tiers] == [(100000, 10000), (50000, 4000)]
    assert tiers_document([(None, None)]) == {"bonus_tiers": []}
    with pytest.raises(ValidationError, match=r"bonus_tiers\.0\.bonus"):
        TopUpRules.model_validate(tiers_document([("300", None)]))


def test_each_dialog_opening_gets_its_own_key() -> None:
    keys = {dialog_key() for _ in range(50)}
    assert len(keys) == 50
    assert all(key.startswith("console:") and len(key) <= 64 for key in keys)


@pytest.mark.parametrize(
    "key",
    [
        *(f"cards.status.{status.value}" for status in HoldingStatus),
        *(f"cards.price_kind.{kind.value}" for kind in PriceKind),
        *(f"cards.term.{unit}" for unit in ("days", "months")),
        *(f"cards.unit.{unit}" for unit in ("days", "months")),
        *(f"stored_value.kind.{kind.value}" for kind in EntryKind),
        *(f"stored_value.series.{name}" for name, _ in loyalty_charts.STORED_VALUE_SERIES),
    ],
)
def test_labels_built_from_card_and_stored_value_values_exist(key: str) -> None:
    for locale in LOCALES:
        assert catalogue(locale)[key]
