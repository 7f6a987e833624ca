"""A small, fixed world of members for the condition tests: attributes, identities, consent and
stats rows written directly, so every figure a condition reads is exact and known."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from memberops.activity.models import MemberStats
from memberops.conditions.compiler import compile_condition, parse_condition
from memberops.identity.models import Identity, IdentityType
from memberops.members.models import Consent, ConsentChannel, Member, MemberStatus
from memberops.tenancy.access import Principal

#: The moment the world is evaluated at (``within_days`` counts back from it).
NOW = datetime(2026, 11, 1, tzinfo=UTC)
_ZERO_STATS = {
    "orders_count": 0,
    "kept_orders": 0,
    "spend_cents": 0,
    "max_order_cents": 0,
    "orders_365d": 0,
    "spend_365d_cents": 0,
    "orders_2y": 0,
    "spend_2y_cents": 0,
    "discounted_orders": 0,
    "lines_cents": 0,
    "special_price_cents": 0,
    "top_price_cents": 0,
    "shipping_addresses": 0,
    "refunds_count": 0,
}


def make_member(session: Session, principal: Principal, **overrides: Any) -> int:
    values: dict[str, Any] = {
        "tenant_id": principal.tenant_id,
        "custom": {},
        "created_at": NOW,
        "updated_at": NOW,
        **overrides,
    }
    member = Member(**values)
    session.add(member)
    session.flush()
    return member.id


def give_stats(session: Session, principal: Principal, member_id: int, **figures: Any) -> None:
    session.add(
        MemberStats(
            tenant_id=principal.tenant_id,
            member_id=member_id,
            as_of=NOW,
            **{**_ZERO_STATS, **figures},
        )
    )


def give_identity(
    session: Session, principal: Principal, member_id: int, type_: IdentityType, value: str
) -> None:
    scope = "wxapp" if type_ == IdentityType.wechat_openid else ""
    session.add(
        Identity(
            tenant_id=principal.tenant_id,
            member_id=member_id,
            type=type_,
            scope=scope,
            value=value,
            source="test",
            created_at=NOW,
        )
    )


def give_consent(
    session: Session, principal: Principal, member_id: int, channel: ConsentChannel, granted: bool
) -> None:
    session.add(
        Consent(
            tenant_id=principal.tenant_id,
            member_id=member_id,
            channel=channel,
            granted=granted,
            source="test",
            at=NOW,
        )
    )


@dataclass(frozen=True)
class World:
    """Member ids by name: ``ann`` and ``bob`` bought, ``cai`` never did, ``gone`` was merged
    into ann (never selected), ``rival`` belongs to another tenant (never selected)."""

    principal: Principal
    ids: dict[str, int]

    def names(self, ids: set[int]) -> set[str]:
        by_id = {member_id: name for name, member_id in self.ids.items()}
        return {by_id[member_id] for member_id in ids}


def _ann(session: Session, principal: Principal) -> int:
    ann = make_member(
        session,
        principal,
        gender="female",
        province="浙江",
        city="杭州",
        birthday=date(1990, 3, 15),
        is_registered=True,
        first_channel="tmall",
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    give_stats(
        session,
        principal,
        ann,
        orders_count=5,
        kept_orders=4,
        spend_cents=100_000,
        max_order_cents=40_000,
        orders_365d=3,
        spend_365d_cents=60_000,
        orders_2y=4,
        spend_2y_cents=90_000,
        discounted_orders=4,
        lines_cents=100_000,
        special_price_cents=70_000,
        top_price_cents=10_000,
        shipping_addresses=2,
        refunds_count=1,
        first_order_at=datetime(2024, 2, 1, tzinfo=UTC),
        last_order_at=datetime(2026, 10, 20, tzinfo=UTC),
        last_visit_at=datetime(2026, 10, 30, tzinfo=UTC),
        last_cart_at=datetime(2026, 9, 1, tzinfo=UTC),
    )
    give_identity(session, principal, ann, IdentityType.phone, "+8613800000001")
    give_identity(session, principal, ann, IdentityType.wechat_openid, "o-ann")
    give_consent(session, principal, ann, ConsentChannel.sms, True)
    return ann


def _bob(session: Session, principal: Principal) -> int:
    bob = make_member(
        session,
        principal,
        gender="male",
        province="上海",
        city="上海",
        birthday=date(1985, 12, 1),
        first_channel="pos",
        created_at=datetime(2026, 6, 1, tzinfo=UTC),
    )
    give_stats(
        session,
        principal,
        bob,
        orders_count=1,
        kept_orders=1,
        spend_cents=5_000,
        max_order_cents=5_000,
        orders_365d=1,
        spend_365d_cents=5_000,
        orders_2y=1,
        spend_2y_cents=5_000,
        lines_cents=5_000,
        top_price_cents=5_000,
        shipping_addresses=1,
        first_order_at=datetime(2026, 6, 1, tzinfo=UTC),
        last_order_at=datetime(2026, 6, 1, tzinfo=UTC),
        last_follow_at=datetime(2026, 6, 2, tzinfo=UTC),
    )
    give_identity(session, principal, bob, IdentityType.email, "bob@example.com")
    give_consent(session, principal, bob, ConsentChannel.sms, False)
    return bob


def build_world(session: Session, principal: Principal, rival: Principal) -> World:
    """The members described on :class:`World`, committed to the test's savepoint."""
    with session.begin():
        ann, bob = _ann(session, principal), _bob(session, principal)
        cai = make_member(session, principal, created_at=datetime(2026, 10, 31, tzinfo=UTC))
        give_identity(session, principal, cai, IdentityType.wechat_unionid, "u-cai")
        give_consent(session, principal, cai, ConsentChannel.wechat, True)
        gone = make_member(
            session, principal, gender="female", status=MemberStatus.merged, merged_into_id=ann
        )
        give_stats(session, principal, gone, orders_count=9, kept_orders=9, spend_cents=9_000)
        other = make_member(session, rival, gender="female", is_registered=True)
        give_stats(session, rival, other, orders_count=9, kept_orders=9, spend_cents=9_000)
    ids = {"ann": ann, "bob": bob, "cai": cai, "gone": gone, "rival": other}
    return World(principal, ids)


def selected(session: Session, world: World, tree: Any, as_of: datetime = NOW) -> set[str]:
    """The names of the members ``tree`` selects in the world's tenant."""
    condition = parse_condition(tree)
    query = compile_condition(session, world.principal.tenant_id, condition, as_of=as_of)
    with session.begin():
        return world.names(set(session.scalars(query)))
