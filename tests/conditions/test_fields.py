"""Every operator on every field type, against the fixed world of ``support``: the exact set of
members each leaf selects, on SQLite and PostgreSQL (ann and bob bought, cai never did; the
merged-away member and the rival tenant's never appear)."""

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from memberops.conditions.registry import Kind, all_fields
from tests.conditions.support import World, selected

ALL = {"ann", "bob", "cai"}


def leaf(field: str, op: str, value: Any = None) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


INT_CASES = [
    (leaf("stats.orders_365d", "=", 3), {"ann"}),
    (leaf("stats.orders_365d", "!=", 3), {"bob", "cai"}),  # no stats row: 0 orders
    (leaf("stats.orders_365d", ">", 1), {"ann"}),
    (leaf("stats.orders_365d", ">=", 1), {"ann", "bob"}),
    (leaf("stats.orders_365d", "<", 1), {"cai"}),
    (leaf("stats.orders_365d", "<=", 1), {"bob", "cai"}),
    (leaf("stats.orders_365d", "in", [0, 3]), {"ann", "cai"}),
    (leaf("stats.orders_365d", "not_in", [0, 3]), {"bob"}),
    (leaf("stats.orders_365d", "between", [1, 3]), {"ann", "bob"}),
    (leaf("stats.orders_365d", "is_set"), ALL),  # a count is never unset
    (leaf("stats.orders_365d", "is_not_set"), set()),
    (leaf("stats.kept_orders", "=", 4), {"ann"}),
    (leaf("stats.orders_count", "=", 5), {"ann"}),
    (leaf("stats.orders_2y", ">=", 4), {"ann"}),
    (leaf("stats.shipping_addresses", ">=", 2), {"ann"}),
    (leaf("stats.refunds_count", ">", 0), {"ann"}),
    (leaf("member.birthday_month", "=", 3), {"ann"}),
    (leaf("member.birthday_month", "in", [12, 1]), {"bob"}),
    (leaf("member.birthday_month", "between", [3, 12]), {"ann", "bob"}),
    (leaf("member.birthday_month", "is_not_set"), {"cai"}),
    (leaf("member.birthday_month", "!=", 3), {"bob"}),  # cai has no birthday: not compared
    (leaf("member.age", "=", 36), {"ann"}),  # born 1990-03-15; 2026-11-01 in Shanghai
    (leaf("member.age", "between", [40, 49]), {"bob"}),  # born 1985-12-01: not yet 41
    (leaf("member.age", "is_not_set"), {"cai"}),
    (leaf("rfm.r_score", "=", 5), {"ann"}),
    (leaf("rfm.f_score", ">=", 2), {"ann"}),
    (leaf("rfm.m_score", "is_not_set"), {"cai"}),  # no RFM row: unset, not 0
    (leaf("rfm.recency_days", ">", 100), {"bob"}),
    (leaf("rfm.frequency", "=", 1), {"bob"}),
    (leaf("loyalty.points", ">=", 1000), {"ann"}),
    (leaf("loyalty.points", "=", 0), {"bob", "cai"}),  # no account: a balance of 0
    (leaf("loyalty.points_expiring", "=", 300), {"ann"}),  # not the lot due in 60 days
    (leaf("loyalty.points_expiring", "=", 0), {"bob", "cai"}),
    (leaf("coupons.held", "=", 1), {"ann"}),  # not the used, the expired or bob's future one
    (leaf("coupons.held", "=", 0), {"bob", "cai"}),
    (leaf("coupons.used", ">=", 1), {"ann"}),
]
MONEY_CASES = [
    (leaf("stats.spend", ">=", "1000.00"), {"ann"}),
    (leaf("stats.spend", ">", "1000"), set()),
    (leaf("stats.spend", "=", "50"), {"bob"}),
    (leaf("stats.spend", "!=", "50"), {"ann", "cai"}),
    (leaf("stats.spend", "<", "50.01"), {"bob", "cai"}),
    (leaf("stats.spend", "<=", "0"), {"cai"}),
    (leaf("stats.spend", "between", ["0.01", "999.99"]), {"bob"}),
    (leaf("stats.spend_365d", "=", "600"), {"ann"}),
    (leaf("stats.spend_2y", ">", "100"), {"ann"}),
    (leaf("stats.max_order", ">=", "400"), {"ann"}),
    # 1000.00 over 4 kept orders is 250.00; bob 50.00; cai has no orders: unset.
    (leaf("stats.average_order_value", "=", "250"), {"ann"}),
    (leaf("stats.average_order_value", ">", "249.99"), {"ann"}),
    (leaf("stats.average_order_value", "<", "250"), {"bob"}),
    (leaf("stats.average_order_value", "<=", "250"), {"ann", "bob"}),
    (leaf("stats.average_order_value", "between", ["50", "50"]), {"bob"}),
    (leaf("stats.average_order_value", "is_not_set"), {"cai"}),
    (leaf("stats.average_order_value", "is_set"), {"ann", "bob"}),
    (leaf("stats.average_order_value", "!=", "250"), {"bob"}),
    (leaf("rfm.monetary", "=", "600"), {"ann"}),
    (leaf("clv.clv_12m", ">=", "1234.50"), {"ann"}),
    (leaf("stored_value.balance", "=", "1100"), {"bob"}),  # principal and bonus
    (leaf("stored_value.balance", "<", "0.01"), {"ann", "cai"}),  # no account: 0
]
RATIO_CASES = [
    (leaf("stats.discount_share", ">=", 0.8), {"ann"}),  # 4 of 5, exactly 0.8
    (leaf("stats.discount_share", ">", "0.8"), set()),
    (leaf("stats.discount_share", "=", 0), {"bob"}),
    (leaf("stats.discount_share", "!=", 0), {"ann"}),
    (leaf("stats.discount_share", "<", 0.8), {"bob"}),
    (leaf("stats.discount_share", "<=", 1), {"ann", "bob"}),
    (leaf("stats.discount_share", "between", [0.5, "0.8000"]), {"ann"}),
    (leaf("stats.discount_share", "is_not_set"), {"cai"}),
    (leaf("stats.special_price_share", ">=", 0.7), {"ann"}),
    (leaf("stats.special_price_share", "<", 0.7), {"bob"}),
    (leaf("stats.top_price_share", "=", 1), {"bob"}),
    (leaf("stats.top_price_share", "<=", 0.1), {"ann"}),
    (leaf("stats.top_price_share", "is_set"), {"ann", "bob"}),
    (leaf("clv.p_alive", ">=", 0.9), {"ann"}),
    (leaf("clv.p_alive", "<", "0.3"), {"bob"}),
]
NUMBER_CASES = [
    (leaf("clv.expected_90d", ">=", 1.5), {"ann"}),
    (leaf("clv.expected_90d", ">", "0.1"), {"ann"}),
    (leaf("clv.expected_90d", "=", 0.1), {"bob"}),
    (leaf("clv.expected_90d", "!=", 0.1), {"ann"}),
    (leaf("clv.expected_90d", "<", "1.5"), {"bob"}),
    (leaf("clv.expected_90d", "<=", 1.5), {"ann", "bob"}),
    (leaf("clv.expected_90d", "between", [0, 1]), {"bob"}),
    (leaf("clv.expected_90d", "is_set"), {"ann", "bob"}),
    (leaf("clv.expected_90d", "is_not_set"), {"cai"}),  # no prediction yet
    (leaf("clv.expected_365d", ">", 4), {"ann"}),
]
TIME_CASES = [
    (leaf("stats.last_order_at", ">=", "2026-10-20T08:00:00+08:00"), {"ann"}),
    (leaf("stats.last_order_at", ">", "2026-10-20T00:00:00Z"), set()),
    (leaf("stats.last_order_at", "<", "2026-10-20T00:00:00Z"), {"bob"}),
    (leaf("stats.last_order_at", "<=", "2026-10-20T00:00:00Z"), {"ann", "bob"}),
    (
        leaf("stats.last_order_at", "between", ["2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z"]),
        {"bob"},
    ),
    (leaf("stats.last_order_at", "within_days", 12), {"ann"}),  # 12 days before 11-01 is 10-20
    (leaf("stats.last_order_at", "within_days", 11), set()),
    (leaf("stats.last_order_at", "not_within_days", 11), ALL),
    (leaf("stats.last_order_at", "not_within_days", 30), {"bob", "cai"}),  # never bought: in
    (leaf("stats.last_order_at", "is_set"), {"ann", "bob"}),
    (leaf("stats.last_order_at", "is_not_set"), {"cai"}),
    (leaf("stats.first_order_at", "<", "2025-01-01T00:00:00Z"), {"ann"}),
    (leaf("stats.last_visit_at", "within_days", 7), {"ann"}),
    (leaf("stats.last_cart_at", "not_within_days", 30), {"ann", "bob", "cai"}),
    (leaf("stats.last_favorite_at", "is_set"), set()),
    (leaf("stats.last_follow_at", ">=", "2026-06-02T00:00:00Z"), {"bob"}),
    (leaf("member.created_at", "within_days", 1), {"cai"}),
    (leaf("member.created_at", "<", "2026-01-01T00:00:00+08:00"), {"ann"}),
    (leaf("lifecycle.since", "<", "2026-08-01T00:00:00Z"), {"bob"}),
    (leaf("events.last_message_delivered_at", "within_days", 30), {"ann"}),
    (leaf("events.last_message_clicked_at", "is_set"), {"ann"}),
    (leaf("events.last_review_at", "is_set"), {"bob"}),
    (leaf("events.last_check_in_at", ">=", "2026-10-31T00:00:00Z"), {"ann"}),  # the later one
    (leaf("coupons.last_used_at", "within_days", 31), {"ann"}),
]
STRING_CASES = [
    (leaf("member.gender", "=", "female"), {"ann"}),
    (leaf("member.gender", "!=", "female"), {"bob"}),
    (leaf("member.gender", "in", ["male", "unknown"]), {"bob"}),
    (leaf("member.gender", "not_in", ["male"]), {"ann"}),
    (leaf("member.gender", "is_set"), {"ann", "bob"}),
    (leaf("member.gender", "is_not_set"), {"cai"}),
    (leaf("member.province", "=", "浙江"), {"ann"}),
    (leaf("member.city", "in", ["上海", "北京"]), {"bob"}),
    (leaf("member.first_channel", "=", "pos"), {"bob"}),
    (leaf("lifecycle.stage", "=", "active"), {"ann"}),
    (leaf("lifecycle.stage", "in", ["dormant", "churned"]), {"bob"}),
    (leaf("lifecycle.stage", "is_not_set"), {"cai"}),
    (leaf("rfm.type", "=", "important_value"), {"ann"}),
    (leaf("rfm.segment", "not_in", ["champions"]), {"bob"}),  # cai has none: not compared
    (leaf("clv.churn_risk", "=", "high"), {"bob"}),
]
ORDINAL_CASES = [  # the default ladder: silver, gold, platinum, diamond
    (leaf("loyalty.tier", "=", "gold"), {"ann"}),
    (leaf("loyalty.tier", "!=", "gold"), {"bob"}),  # cai has no tier: not compared
    (leaf("loyalty.tier", ">=", "gold"), {"ann"}),
    (leaf("loyalty.tier", ">", "silver"), {"ann"}),
    (leaf("loyalty.tier", "<", "gold"), {"bob"}),
    (leaf("loyalty.tier", "<=", "platinum"), {"ann", "bob"}),
    (leaf("loyalty.tier", "in", ["silver", "diamond"]), {"bob"}),
    (leaf("loyalty.tier", "not_in", ["silver"]), {"ann"}),
    (leaf("loyalty.tier", "between", ["silver", "gold"]), {"ann", "bob"}),
    (leaf("loyalty.tier", "is_set"), {"ann", "bob"}),
    (leaf("loyalty.tier", "is_not_set"), {"cai"}),
]
SET_CASES = [  # vip: ann (and gone, merged away); lapsed is inactive; new is held by nobody
    (leaf("tags.tag", "=", "vip"), {"ann"}),
    (leaf("tags.tag", "!=", "vip"), {"bob", "cai"}),
    (leaf("tags.tag", "in", ["vip", "new"]), {"ann"}),
    (leaf("tags.tag", "not_in", ["vip", "new"]), {"bob", "cai"}),
    (leaf("tags.tag", "=", "lapsed"), set()),
    (leaf("cards.card", "=", "plus"), {"ann"}),  # bob's was refunded
    (leaf("cards.card", "!=", "plus"), {"bob", "cai"}),
    (leaf("cards.card", "in", ["plus", "black"]), {"ann"}),  # bob's black ended yesterday
    (leaf("cards.card", "not_in", ["plus", "black"]), {"bob", "cai"}),
    (leaf("cards.card", "=", "black"), set()),
]
BOOL_CASES = [
    (leaf("member.is_registered", "=", True), {"ann"}),
    (leaf("member.is_registered", "=", False), {"bob", "cai"}),
    (leaf("member.is_registered", "!=", True), {"bob", "cai"}),
    (leaf("member.consent_sms", "=", True), {"ann"}),
    (leaf("member.consent_sms", "=", False), {"bob", "cai"}),  # refused, or never asked
    (leaf("member.consent_wechat", "=", True), {"cai"}),
    (leaf("member.consent_email", "!=", False), set()),
    (leaf("member.consent_wecom", "=", False), ALL),
    (leaf("identity.has_phone", "=", True), {"ann"}),
    (leaf("cards.holds_any", "=", True), {"ann"}),
    (leaf("cards.holds_any", "!=", True), {"bob", "cai"}),
    (leaf("community.in_vip_group", "=", True), {"ann"}),  # bob left his
    (leaf("community.in_vip_group", "!=", True), {"bob", "cai"}),
    (leaf("community.in_basic_group", "=", True), {"bob"}),
    (leaf("identity.has_email", "=", True), {"bob"}),
    (leaf("identity.is_wechat_fan", "=", True), {"ann", "cai"}),  # an openid, a unionid
    (leaf("identity.is_wechat_fan", "!=", True), {"bob"}),
    (leaf("lifecycle.reactivated", "=", True), {"ann"}),
    (leaf("lifecycle.reactivated", "=", False), {"bob", "cai"}),  # no stage row: not reactivated
]
CASES = (
    INT_CASES
    + MONEY_CASES
    + RATIO_CASES
    + NUMBER_CASES
    + TIME_CASES
    + STRING_CASES
    + ORDINAL_CASES
    + SET_CASES
    + BOOL_CASES
)


def _id(case: tuple[dict[str, Any], set[str]]) -> str:
    tree, _ = case
    return f"{tree['field']} {tree['op']} {tree['value']}"


@pytest.mark.parametrize("case", CASES, ids=[_id(case) for case in CASES])
def test_a_leaf_selects_exactly(
    case: tuple[dict[str, Any], set[str]], session: Session, world: World
) -> None:
    tree, expected = case
    assert selected(session, world, tree) == expected


def test_every_operator_of_every_kind_is_exercised() -> None:
    tried: dict[Kind, set[str]] = {}
    kinds = {field.name: field.kind for field in all_fields()}
    for tree, _ in CASES:
        tried.setdefault(kinds[tree["field"]], set()).add(tree["op"])
    for field in all_fields():
        assert {op.value for op in field.ops} <= tried[field.kind], field.kind


def test_every_registered_field_is_exercised() -> None:
    assert {field.name for field in all_fields()} == {tree["field"] for tree, _ in CASES}


def test_every_field_has_both_labels() -> None:
    for field in all_fields():
        assert field.label("zh-CN") != field.label("en")
        assert field.label("fr") == field.label("en")


def test_every_field_is_documented() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "conditions.md").read_text(
        encoding="utf-8"
    )
    assert [f.name for f in all_fields() if f"| `{f.name}` | {f.kind.value}" not in docs] == []
