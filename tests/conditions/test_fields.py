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
    (leaf("identity.has_email", "=", True), {"bob"}),
    (leaf("identity.is_wechat_fan", "=", True), {"ann", "cai"}),  # an openid, a unionid
    (leaf("identity.is_wechat_fan", "!=", True), {"bob"}),
]
CASES = INT_CASES + MONEY_CASES + RATIO_CASES + TIME_CASES + STRING_CASES + BOOL_CASES


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
    docs = (Path(__file__).resolve().parents[2] / "docs" / "tags.md").read_text(encoding="utf-8")
    assert [f.name for f in all_fields() if f"| `{f.name}` | {f.kind.value}" not in docs] == []
