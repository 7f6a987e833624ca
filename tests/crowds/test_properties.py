"""Acceptance (issue 6): for random condition trees over a random tenant, the one compiled SQL
query selects exactly the members a straightforward Python evaluation of the same tree over the
same data selects — on SQLite and PostgreSQL.

The Python evaluator below lives only here. It reads each member's figures as plain values
(``None`` when unset) and applies the documented rules (docs/conditions.md): an unset value
makes every comparison false, ``not`` is the complement among active members, quotients compare
exactly, ``within_days`` counts back from the evaluation time.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from memberops.activity.models import Event, MemberStats
from memberops.conditions.compiler import compile_condition, parse_condition
from memberops.identity.models import Identity, IdentityType
from memberops.insights.clv.models import MemberPrediction
from memberops.insights.lifecycle.models import MemberStage
from memberops.insights.rfm.models import MemberRfm
from memberops.insights.tags.models import MemberTag, Tag
from memberops.kernel.settings import Settings
from memberops.loyalty.coupons.models import Coupon, CouponTemplate
from memberops.loyalty.points.models import PointsAccount
from memberops.loyalty.tiers.models import MemberTier
from memberops.members.models import Consent, Member, MemberStatus
from memberops.tenancy import service as tenancy

NOW = datetime(2026, 11, 20, 3, 30, tzinfo=UTC)
LADDER = ["silver", "gold", "platinum", "diamond"]
TAGS = {"vip": True, "new": True, "lapsed": False}  # code: active
STAGES = ["prospect", "new", "active", "dormant", "churned"]
CITIES = ["杭州", "上海"]
DAYS = [0, 1, 7, 30, 31, 90, 365, 400]

# ---- the world --------------------------------------------------------------------------


@dataclass
class Person:
    """One member's data, as the evaluator reads it (None: unset / no row)."""

    gender: str | None
    city: str | None
    birthday: date | None
    registered: bool
    consent_sms: bool | None
    fan: bool
    stats: dict[str, Any] | None
    stage: str | None
    r_score: int | None
    prediction: tuple[float, float] | None  # P(alive), purchases expected in 90 days
    tier: str | None
    points: int | None
    tags: list[str]
    coupons: list[tuple[str, int, int]]  # status, valid from / until: days from now
    clicked_days_ago: int | None
    merged: bool = False
    id: int = field(default=0)


def _stats() -> st.SearchStrategy[dict[str, Any] | None]:
    def build(
        orders: int, kept: int, discounted: int, spend: int, recent: int, days: int | None
    ) -> dict[str, Any]:
        kept, discounted = min(kept, orders), min(discounted, orders)
        last = None if days is None else NOW - timedelta(days=days, hours=1)
        return {
            "orders_count": orders,
            "kept_orders": kept,
            "discounted_orders": discounted,
            "spend_cents": spend if kept else 0,
            "orders_365d": min(recent, kept),
            "last_order_at": last,
        }

    numbers = st.integers(0, 4)
    figures = st.builds(
        build,
        numbers,
        numbers,
        numbers,
        st.sampled_from([0, 9_900, 19_900, 39_800, 60_000]),
        numbers,
        st.one_of(st.none(), st.sampled_from(DAYS)),
    )
    return st.one_of(st.none(), figures)


people = st.builds(
    Person,
    gender=st.sampled_from([None, "male", "female", "unknown"]),
    city=st.sampled_from([None, *CITIES]),
    birthday=st.one_of(st.none(), st.dates(date(1960, 1, 1), date(2008, 12, 31))),
    registered=st.booleans(),
    consent_sms=st.sampled_from([None, True, False]),
    fan=st.booleans(),
    stats=_stats(),
    stage=st.sampled_from([None, *STAGES]),
    r_score=st.one_of(st.none(), st.integers(1, 5)),
    prediction=st.one_of(
        st.none(),
        st.tuples(
            st.sampled_from([0.0, 0.25, 0.3, 0.5, 0.92, 1.0]),
            st.sampled_from([0.0, 0.1, 1.5, 2.25]),
        ),
    ),
    tier=st.sampled_from([None, *LADDER]),
    points=st.one_of(st.none(), st.sampled_from([0, 100, 1_200])),
    tags=st.lists(st.sampled_from(sorted(TAGS)), unique=True),
    coupons=st.lists(
        st.tuples(
            st.sampled_from(["issued", "redeemed", "expired"]),
            st.sampled_from([-40, -1, 3]),
            st.sampled_from([-2, 10]),
        ),
        max_size=3,
    ),
    clicked_days_ago=st.one_of(st.none(), st.sampled_from(DAYS)),
)
#: A tenant: its active members, and one merged away (in no answer, whatever it holds).
worlds = st.tuples(
    st.lists(people, min_size=1, max_size=7), people.map(lambda p: replace(p, merged=True))
)


# ---- the evaluator ----------------------------------------------------------------------


def _age(born: date | None) -> int | None:
    if born is None:
        return None
    today = NOW.astimezone(ZoneInfo("Asia/Shanghai")).date()
    return (
        (today.year * 10_000 + today.month * 100 + today.day)
        - (born.year * 10_000 + born.month * 100 + born.day)
    ) // 10_000


def _stat(name: str, zero: bool = True) -> Callable[[Person], Any]:
    def read(p: Person) -> Any:
        if p.stats is None:
            return 0 if zero else None
        return p.stats[name]

    return read


def _quotient(numerator: str, denominator: str) -> Callable[[Person], Any]:
    def read(p: Person) -> Any:
        if p.stats is None or not p.stats[denominator]:
            return None
        return Fraction(p.stats[numerator], p.stats[denominator])

    return read


def _held(p: Person) -> int:
    return sum(1 for status, start, end in p.coupons if status == "issued" and start <= 0 < end)


#: field: (kind, how the evaluator reads a person, the values leaves compare with)
FIELDS: dict[str, tuple[str, Callable[[Person], Any], list[Any]]] = {
    "stats.orders_365d": ("int", _stat("orders_365d"), [0, 1, 2, 4]),
    "stats.spend": ("money", _stat("spend_cents"), ["0", "99.00", "199.00", "600"]),
    "stats.average_order_value": (
        "money",
        _quotient("spend_cents", "kept_orders"),
        ["99", "199.00", "300"],
    ),
    "stats.discount_share": (
        "ratio",
        _quotient("discounted_orders", "orders_count"),
        [0, 0.5, "0.75", 1],
    ),
    "stats.last_order_at": (
        "datetime",
        _stat("last_order_at", zero=False),
        ["2026-10-20T00:00:00+08:00", "2025-12-01T00:00:00Z"],
    ),
    "member.gender": ("string", lambda p: p.gender, ["male", "female", "unknown"]),
    "member.city": ("string", lambda p: p.city, CITIES),
    "member.birthday_month": (
        "int",
        lambda p: p.birthday.month if p.birthday else None,
        [1, 6, 11, 12],
    ),
    "member.age": ("int", lambda p: _age(p.birthday), [18, 30, 45, 60]),
    "member.is_registered": ("bool", lambda p: p.registered, [True, False]),
    "member.consent_sms": ("bool", lambda p: p.consent_sms is True, [True, False]),
    "identity.is_wechat_fan": ("bool", lambda p: p.fan, [True, False]),
    "lifecycle.stage": ("string", lambda p: p.stage, STAGES),
    "rfm.r_score": ("int", lambda p: p.r_score, [1, 3, 5]),
    "clv.p_alive": (
        "float_ratio",
        lambda p: p.prediction and p.prediction[0],
        [0, 0.25, "0.3", 0.9, 1],
    ),
    "clv.expected_90d": ("number", lambda p: p.prediction and p.prediction[1], [0, 0.1, "1.5", 2]),
    "loyalty.tier": ("ordinal", lambda p: LADDER.index(p.tier) if p.tier else None, LADDER),
    "loyalty.points": ("int", lambda p: p.points or 0, [0, 100, 1_000]),
    "tags.tag": ("set", lambda p: {t for t in p.tags if TAGS[t]}, sorted(TAGS)),
    "coupons.held": ("int", _held, [0, 1, 2]),
    "events.last_message_clicked_at": (
        "datetime",
        lambda p: (
            None
            if p.clicked_days_ago is None
            else NOW - timedelta(days=p.clicked_days_ago, hours=1)
        ),
        ["2026-11-01T00:00:00Z"],
    ),
}
_ORDERED = ["=", "!=", ">", ">=", "<", "<=", "between", "is_set", "is_not_set"]
OPS = {
    "int": [*_ORDERED, "in", "not_in"],
    "money": _ORDERED,
    "ratio": _ORDERED,
    "float_ratio": _ORDERED,
    "number": _ORDERED,
    "datetime": [
        ">",
        ">=",
        "<",
        "<=",
        "between",
        "within_days",
        "not_within_days",
        "is_set",
        "is_not_set",
    ],
    "string": ["=", "!=", "in", "not_in", "is_set", "is_not_set"],
    "ordinal": [*_ORDERED, "in", "not_in"],
    "set": ["=", "!=", "in", "not_in"],
    "bool": ["=", "!="],
}


def _comparable(kind: str, value: Any) -> Any:
    """A leaf's value as the evaluator compares it with a person's."""
    if kind == "money":
        cents = Fraction(str(value)) * 100
        return cents
    if kind == "ratio":
        return Fraction(str(value))
    if kind == "float_ratio":
        return int(Fraction(str(value)) * 10_000)
    if kind == "number":
        return float(str(value))
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "ordinal":
        return LADDER.index(value)
    return value


def _leaf_holds(kind: str, mine: Any, op: str, raw: Any) -> bool:
    if kind == "set":
        values = raw if isinstance(raw, list) else [raw]
        held = any(v in mine for v in values)
        return held if op in ("=", "in") else not held
    if kind == "bool":
        return mine == raw if op == "=" else mine != raw
    if op == "is_set":
        return mine is not None
    if op == "is_not_set":
        return mine is None
    if op in ("within_days", "not_within_days"):
        recent = mine is not None and mine >= NOW - timedelta(days=raw)
        return recent if op == "within_days" else not recent
    if mine is None:
        return False
    if kind == "float_ratio":
        mine = mine * 10_000
    if op in ("in", "not_in"):
        found = mine in [_comparable(kind, v) for v in raw]
        return found if op == "in" else not found
    if op == "between":
        low, high = (_comparable(kind, v) for v in raw)
        return bool(low <= mine <= high)
    value = _comparable(kind, raw)
    return bool(
        {
            "=": mine == value,
            "!=": mine != value,
            ">": mine > value,
            ">=": mine >= value,
            "<": mine < value,
            "<=": mine <= value,
        }[op]
    )


def evaluate(tree: dict[str, Any], person: Person) -> bool:
    if "all" in tree:
        return all(evaluate(child, person) for child in tree["all"])
    if "any" in tree:
        return any(evaluate(child, person) for child in tree["any"])
    if "not" in tree:
        return not evaluate(tree["not"], person)
    kind, read, _ = FIELDS[tree["field"]]
    return _leaf_holds(kind, read(person), tree["op"], tree["value"])


# ---- random trees -----------------------------------------------------------------------


@st.composite
def leaves(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(st.sampled_from(sorted(FIELDS)))
    kind, _, values = FIELDS[name]
    op = draw(st.sampled_from(OPS[kind]))
    if op in ("is_set", "is_not_set"):
        value: Any = None
    elif op in ("within_days", "not_within_days"):
        value = draw(st.sampled_from(DAYS))
    elif op in ("in", "not_in") and kind != "set":
        value = draw(st.lists(st.sampled_from(values), min_size=1, max_size=3))
    elif op in ("in", "not_in"):
        value = draw(st.lists(st.sampled_from(values), min_size=1, max_size=2))
    elif op == "between":
        pair = sorted(
            draw(st.lists(st.sampled_from(values), min_size=2, max_size=2)),
            key=lambda v: _comparable(kind, v),
        )
        value = pair
    else:
        value = draw(st.sampled_from(values))
    return {"field": name, "op": op, "value": value}


trees = st.recursive(
    leaves(),
    lambda children: st.one_of(
        st.builds(lambda c: {"all": c}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda c: {"any": c}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda c: {"not": c}, children),
    ),
    max_leaves=6,
)

# ---- writing the world ------------------------------------------------------------------


def _write(
    session: Session, tenant_id: int, p: Person, tag_ids: dict[str, int], template: int, n: int
) -> None:
    status = MemberStatus.merged if p.merged else MemberStatus.active
    member = Member(
        tenant_id=tenant_id,
        status=status,
        gender=p.gender,
        city=p.city,
        birthday=p.birthday,
        is_registered=p.registered,
        custom={},
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(member)
    session.flush()
    p.id = member.id
    base = {"tenant_id": tenant_id, "member_id": member.id}
    rows: list[Any] = []
    if p.consent_sms is not None:
        rows.append(Consent(**base, channel="sms", granted=p.consent_sms, source="test", at=NOW))
    if p.fan:
        rows.append(
            Identity(
                **base,
                type=IdentityType.wechat_unionid,
                scope="",
                value=f"u{n}",
                source="t",
                created_at=NOW,
            )
        )
    if p.stats is not None:
        zero = dict.fromkeys(
            (
                "max_order_cents",
                "spend_365d_cents",
                "orders_2y",
                "spend_2y_cents",
                "lines_cents",
                "special_price_cents",
                "top_price_cents",
                "shipping_addresses",
                "refunds_count",
            ),
            0,
        )
        rows.append(MemberStats(**base, as_of=NOW, **zero, **p.stats))
    if p.stage is not None:
        rows.append(
            MemberStage(**base, stage=p.stage, reactivated=False, since=NOW, computed_at=NOW)
        )
    if p.r_score is not None:
        rows.append(
            MemberRfm(
                **base,
                as_of=NOW,
                window_days=365,
                recency_days=1,
                frequency=1,
                monetary_cents=1,
                r_score=p.r_score,
                f_score=1,
                m_score=1,
                rfm_type="general_value",
                segment="lost",
                computed_at=NOW,
            )
        )
    if p.prediction is not None:
        rows.append(
            MemberPrediction(
                **base,
                as_of=NOW.date(),
                frequency=0,
                recency_days=0.0,
                age_days=1.0,
                p_alive=p.prediction[0],
                expected_30d=0.0,
                expected_90d=p.prediction[1],
                expected_365d=0.0,
                spend_per_order_cents=0,
                clv_12m_cents=0,
                churn_risk="low",
                next_order_on=None,
                computed_at=NOW,
            )
        )
    if p.tier is not None:
        rows.append(MemberTier(**base, tier=p.tier, since=NOW, period_ends_at=NOW))
    if p.points is not None:
        rows.append(PointsAccount(**base, balance=p.points, debt=0))
    rows.extend(MemberTag(**base, tag_id=tag_ids[t], source="operator") for t in p.tags)
    for k, (state, start, end) in enumerate(p.coupons):
        rows.append(
            Coupon(
                **base,
                template_id=template,
                code=f"C{n}-{k}",
                status=state,
                source="operator",
                valid_from=NOW + timedelta(days=start),
                valid_until=NOW + timedelta(days=end),
            )
        )
    if p.clicked_days_ago is not None:
        at = NOW - timedelta(days=p.clicked_days_ago, hours=1)
        rows.append(
            Event(
                **base,
                external_id=f"E{n}",
                content_hash="0" * 64,
                type="message_clicked",
                occurred_at=at,
                properties={},
            )
        )
    session.add_all(rows)


def _build(session: Session, world: tuple[list[Person], Person]) -> tuple[int, list[Person]]:
    active, merged = world
    with session.begin():
        tenant = tenancy.create_tenant(session, f"p-{uuid.uuid4().hex[:8]}", Settings())
        tag_ids = {}
        for code, on in TAGS.items():
            tag = Tag(tenant_id=tenant.id, code=code, name=code, kind="manual", active=on)
            session.add(tag)
            session.flush()
            tag_ids[code] = tag.id
        template = CouponTemplate(
            tenant_id=tenant.id, name="券", kind="amount_off", amount_off_cents=100, valid_days=7
        )
        session.add(template)
        session.flush()
        for n, person in enumerate([*active, merged]):
            _write(session, tenant.id, person, tag_ids, template.id, n)
    return tenant.id, active


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds, tree=trees)
def test_the_compiled_query_selects_what_the_tree_says(
    session: Session, world: tuple[list[Person], Person], tree: dict[str, Any]
) -> None:
    tenant_id, active = _build(session, world)
    with session.begin():
        query = compile_condition(session, tenant_id, parse_condition(tree), as_of=NOW)
        selected = set(session.scalars(query))
        lean = compile_condition(session, tenant_id, parse_condition(tree), as_of=NOW, lean=True)
        selected_lean = set(session.scalars(lean))
    expected = {p.id for p in active if evaluate(tree, p)}
    assert selected == expected, tree
    assert selected_lean == expected, tree
