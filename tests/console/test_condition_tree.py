"""The crowd builder's tree and the condition language: what the rows become, what is left
out while half-typed, how typed values become JSON of their field's type in the tenant's
timezone, a saved condition opened again, and which row a problem's location names."""

from memberops.conditions.registry import OPS, Kind
from memberops.console.condition_tree import Group, Rule, build, first_op, incomplete, parse
from memberops.crowds.schemas import FieldRead

TZ = "Asia/Shanghai"


def _field(name: str, kind: Kind, *choices: str) -> FieldRead:
    """A field as ``crowds.service.fields`` answers it (labels are not read here)."""
    ops = sorted(op.value for op in OPS[kind])
    return FieldRead(name=name, kind=kind.value, ops=ops, labels={}, choices=list(choices))


FIELDS = {
    known.name: known
    for known in (
        _field("stats.last_order_at", Kind.datetime),
        _field("loyalty.tier", Kind.ordinal, "silver", "gold", "platinum", "diamond"),
        _field("stats.orders_365d", Kind.int),
        _field("identity.is_wechat_fan", Kind.bool),
    )
}
#: docs/crowds.md's example: bought in the last 365 days, not in the last 30, gold or above.
EXAMPLE = {
    "all": [
        {"field": "stats.last_order_at", "op": "within_days", "value": 365},
        {"not": {"field": "stats.last_order_at", "op": "within_days", "value": 30}},
        {"field": "loyalty.tier", "op": ">=", "value": "gold"},
    ]
}


def _example() -> Group:
    return Group(
        "all",
        children=[
            Rule("stats.last_order_at", "within_days", "365"),
            Rule("stats.last_order_at", "within_days", " 30 ", negated=True),
            Rule("loyalty.tier", ">=", "gold"),
        ],
    )


def test_rows_become_the_documented_condition() -> None:
    assert build(_example(), FIELDS, TZ).document == EXAMPLE


def test_half_typed_rows_and_the_groups_they_empty_are_left_out() -> None:
    root = _example()
    root.children.insert(0, Rule("stats.orders_365d", ">=", ""))
    root.children.append(
        Group("any", children=[Rule(), Rule("loyalty.tier", "between", [None, "gold"])])
    )
    assert build(root, FIELDS, TZ).document == EXAMPLE
    assert incomplete(root, FIELDS, TZ) == 3
    assert build(Group(children=[Rule()]), FIELDS, TZ).document is None


def test_values_take_their_fields_types() -> None:
    root = Group(
        "any",
        children=[
            Rule("stats.orders_365d", "in", ["2", "3"]),
            Rule("stats.orders_365d", ">=", "two"),  # left for the compiler to refuse
            Rule("stats.last_order_at", "between", ["2026-11-01T00:00", "2026-11-11T23:59"]),
            Rule("identity.is_wechat_fan", "=", False),
            Rule("loyalty.tier", "is_set", None),
        ],
    )
    assert build(root, FIELDS, TZ).document == {
        "any": [
            {"field": "stats.orders_365d", "op": "in", "value": [2, 3]},
            {"field": "stats.orders_365d", "op": ">=", "value": "two"},
            {
                "field": "stats.last_order_at",
                "op": "between",
                "value": ["2026-11-01T00:00:00+08:00", "2026-11-11T23:59:00+08:00"],
            },
            {"field": "identity.is_wechat_fan", "op": "=", "value": False},
            {"field": "loyalty.tier", "op": "is_set"},
        ]
    }


def test_a_saved_condition_opens_as_the_tree_it_was_built_from() -> None:
    stored = {
        "any": [
            {"not": {"all": [EXAMPLE]}},
            {"field": "stats.last_order_at", "op": ">=", "value": "2026-10-31T16:00:00+00:00"},
        ]
    }
    root = parse(stored, FIELDS, TZ)
    assert root.mode == "any"
    moment = root.children[1]
    assert isinstance(moment, Rule)
    assert (moment.op, moment.value) == (">=", "2026-11-01T00:00")  # Shanghai's local time
    again = build(root, FIELDS, TZ).document
    assert again is not None
    assert again["any"][0] == stored["any"][0]
    assert again["any"][1]["value"] == "2026-11-01T00:00:00+08:00"  # the same moment
    lone = parse(EXAMPLE["all"][1], FIELDS, TZ)
    assert build(lone, FIELDS, TZ).document == {"all": [EXAMPLE["all"][1]]}


def test_a_problem_names_the_row_it_came_from() -> None:
    root = _example()
    root.children.insert(0, Rule())  # not in the document, so positions shift
    built = build(root, FIELDS, TZ)
    negated, tier = root.children[2], root.children[3]
    assert built.node_at(["body", "condition", "all", 1, "not", "value"]) is negated
    assert built.node_at(["body", "condition", "all", 2, "value"]) is tier
    assert built.node_at(["body", "condition"]) is root


def test_a_new_rule_starts_with_the_likeliest_operator() -> None:
    assert first_op(FIELDS["stats.last_order_at"]) == "within_days"
    assert first_op(FIELDS["loyalty.tier"]) == ">="
    assert first_op(FIELDS["identity.is_wechat_fan"]) == "="
