"""Trees of the condition language: nesting, the complement ``not`` gives among active members,
evaluation time, tenant isolation, and the refusals — each naming its place in the tree."""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from memberops.conditions.compiler import compile_condition, parse_condition
from memberops.conditions.errors import InvalidCondition
from memberops.conditions.schemas import MAX_DEPTH, MAX_NODES
from tests.conditions.support import NOW, World, selected
from tests.conditions.test_fields import ALL, leaf

BOUGHT = leaf("stats.orders_count", ">=", 1)
FEMALE = leaf("member.gender", "=", "female")
FAN = leaf("identity.is_wechat_fan", "=", True)


@pytest.mark.parametrize(
    ("tree", "expected"),
    [
        ({"all": [BOUGHT, FAN]}, {"ann"}),
        ({"any": [FEMALE, FAN]}, {"ann", "cai"}),
        ({"not": FEMALE}, {"bob", "cai"}),  # cai's gender is unset: not female
        ({"not": {"not": FEMALE}}, {"ann"}),
        ({"all": [{"not": BOUGHT}, FAN]}, {"cai"}),
        (
            {"any": [{"all": [BOUGHT, {"not": FAN}]}, leaf("member.consent_wechat", "=", True)]},
            {"bob", "cai"},
        ),
        ({"not": {"any": [FEMALE, leaf("member.gender", "=", "male")]}}, {"cai"}),
        ({"all": [leaf("stats.average_order_value", ">=", "0"), {"not": FEMALE}]}, {"bob"}),
        ({"any": [BOUGHT]}, {"ann", "bob"}),
    ],
)
def test_nested_trees_select_exactly(
    tree: dict[str, Any], expected: set[str], session: Session, world: World
) -> None:
    assert selected(session, world, tree) == expected


@pytest.mark.parametrize(
    "tree",
    [
        FEMALE,
        leaf("stats.discount_share", ">=", 0.5),
        leaf("stats.last_order_at", "within_days", 30),
        leaf("member.birthday_month", "!=", 3),
        {"any": [FAN, leaf("stats.average_order_value", "<", "100")]},
    ],
)
def test_not_is_the_complement_among_active_members(
    tree: dict[str, Any], session: Session, world: World
) -> None:
    """Whatever a leaf makes of unset values, a tree and its ``not`` split the active members
    in two (the merged-away member and the rival tenant's in neither)."""
    inside, outside = selected(session, world, tree), selected(session, world, {"not": tree})
    assert inside | outside == ALL
    assert not inside & outside


def test_days_count_back_from_the_evaluation_time(session: Session, world: World) -> None:
    recent = leaf("stats.last_order_at", "within_days", 30)
    assert selected(session, world, recent) == {"ann"}
    assert selected(session, world, recent, as_of=NOW - timedelta(days=140)) == {"ann", "bob"}


def test_one_query_of_member_ids(session: Session, world: World) -> None:
    tree = {"all": [BOUGHT, leaf("stats.spend", ">", "1"), FAN, FEMALE]}
    with session.begin():
        query = compile_condition(session, world.principal.tenant_id, parse_condition(tree))
    sql = str(query)
    assert sql.startswith("SELECT members.id")
    assert sql.count("JOIN member_stats") == 1  # two stats fields, one join


def test_another_tenants_members_are_never_selected(
    session: Session, world: World, other_tenant: Any
) -> None:
    with session.begin():
        query = compile_condition(session, other_tenant.tenant_id, parse_condition(FEMALE))
        assert set(session.scalars(query)) == {world.ids["rival"]}


def _refusal(session: Session, world: World, tree: Any) -> InvalidCondition:
    at = ("body", "condition")

    def run() -> None:
        condition = parse_condition(tree, at=at)
        compile_condition(session, world.principal.tenant_id, condition, at=at)

    with session.begin(), pytest.raises(InvalidCondition) as caught:
        run()
    assert caught.value.status == 422
    assert caught.value.code == "conditions.invalid"
    return caught.value


def _nested(depth: int) -> dict[str, Any]:
    tree: dict[str, Any] = FEMALE
    for _ in range(depth - 1):
        tree = {"not": tree}
    return tree


@pytest.mark.parametrize(
    ("tree", "path", "message"),
    [
        (leaf("stats.nope", ">", 1), "field", "no condition field 'stats.nope'"),
        ({"all": [FAN, leaf("stats.spend", "in", ["1"])]}, "all.1.op", "money field"),
        ({"any": [leaf("member.gender", ">", "female")]}, "any.0.op", "string field"),
        ({"not": leaf("identity.has_phone", "is_set")}, "not.op", "bool field"),
        (leaf("stats.last_order_at", "=", "2026-01-01T00:00:00Z"), "op", "datetime field"),
        (leaf("stats.spend", ">", 10), "value", "decimal strings in yuan"),
        (leaf("stats.spend", ">", "1.005"), "value", "decimal strings in yuan"),
        (leaf("stats.orders_count", ">", "2"), "value", "whole number"),
        (leaf("stats.orders_count", ">", True), "value", "whole number"),
        (leaf("stats.orders_count", ">", 2**63), "value", "whole number"),
        (leaf("stats.discount_share", ">", 1.5), "value", "share from 0 to 1"),
        (leaf("stats.discount_share", ">", "0.12345"), "value", "at most 4 decimals"),
        (leaf("stats.discount_share", ">", "NaN"), "value", "share from 0 to 1"),
        (leaf("stats.last_order_at", ">", "2026-01-01T00:00:00"), "value", "timezone"),
        (leaf("stats.last_order_at", ">", "yesterday"), "value", "timezone"),
        (leaf("stats.last_order_at", "within_days", -1), "value", "whole number from 0"),
        (leaf("member.gender", "=", "other"), "value", "one of male, female, unknown"),
        (leaf("member.city", "=", ""), "value", "1 to 200 characters"),
        (leaf("member.city", "in", []), "value", "list of 1 to 500"),
        (leaf("member.city", "in", "杭州"), "value", "list of 1 to 500"),
        (leaf("stats.orders_count", "between", [3, 1]), "value", "low <= high"),
        (leaf("stats.orders_count", "between", [1]), "value", "[low, high]"),
        (leaf("stats.orders_count", "is_set", 1), "value", "takes no value"),
        (leaf("identity.has_phone", "=", "yes"), "value", "true or false"),
        (leaf("loyalty.tier", ">=", "bronze"), "value", "one of silver, gold, platinum, diamond"),
        (leaf("tags.tag", "in", ["vip", "nope"]), "value", "one of vip, lapsed, new"),
        (leaf("tags.tag", ">", "vip"), "op", "set field"),
        (leaf("clv.expected_90d", ">", "1.23456"), "value", "at most 4 decimals"),
        (leaf("clv.expected_90d", ">", "lots"), "value", "expected a number"),
        ({"all": []}, "all", "at least 1 item"),
        ({"all": [FAN, {"field": "stats.spend", "op": "=="}]}, "all.1.op", "Input should be"),
        ({"not": {"any": [{"field": "Bad Name", "op": "="}]}}, "not.any.0.field", "pattern"),
        ({"field": "member.city", "op": "=", "value": 1, "extra": 2}, "extra", "Extra inputs"),
        ([FAN], "condition", 'a condition is {"all"'),
        (_nested(MAX_DEPTH + 1), "condition", f"at most {MAX_DEPTH} levels"),
        ({"any": [FAN] * 50 + [{"any": [FAN] * 50}] * 4}, "condition", f"at most {MAX_NODES}"),
    ],
)
def test_refusals_name_their_place(
    tree: Any, path: str, message: str, session: Session, world: World
) -> None:
    problem = _refusal(session, world, tree)
    assert problem.fields["path"] == path
    assert message in problem.detail
    first = problem.fields["errors"][0]
    expected = (
        [] if path == "condition" else [int(p) if p.isdigit() else p for p in path.split(".")]
    )
    assert first["loc"] == ["body", "condition", *expected]


def test_the_deepest_allowed_tree_compiles(session: Session, world: World) -> None:
    assert selected(session, world, _nested(MAX_DEPTH)) == (
        {"ann"} if MAX_DEPTH % 2 else {"bob", "cai"}
    )
