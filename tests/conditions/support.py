"""A small, fixed world of members for the condition tests: attributes, identities, consent and
stats rows written directly, so every figure a condition reads is exact and known."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from memberops.activity.models import Event, MemberStats
from memberops.community.models import CommunityGroup, GroupKind, GroupMember
from memberops.conditions.compiler import compile_condition, parse_condition
from memberops.identity.models import Identity, IdentityType
from memberops.insights.clv.models import MemberPrediction
from memberops.insights.lifecycle.models import MemberStage
from memberops.insights.rfm.models import MemberRfm
from memberops.insights.tags.models import MemberTag, Tag
from memberops.loyalty.cards.models import CardHolding, CardType
from memberops.loyalty.coupons.models import Coupon, CouponTemplate
from memberops.loyalty.points.models import PointsAccount, PointsEntry, PointsLot
from memberops.loyalty.tiers.models import MemberTier
from memberops.loyalty.wallet.models import StoredValueAccount
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


def _layers(session: Session, principal: Principal, ann: int, bob: int) -> None:
    """Stage, RFM and prediction rows: ann a reactivated champion, bob a dormant one."""
    tenant = principal.tenant_id
    session.add_all(
        [
            MemberStage(tenant_id=tenant, member_id=ann, stage="active", reactivated=True,
                        since=datetime(2026, 10, 20, tzinfo=UTC), computed_at=NOW),
            MemberStage(tenant_id=tenant, member_id=bob, stage="dormant", reactivated=False,
                        since=datetime(2026, 7, 1, tzinfo=UTC), computed_at=NOW),
            MemberRfm(tenant_id=tenant, member_id=ann, as_of=NOW, window_days=365,
                      recency_days=12, frequency=3, monetary_cents=60_000, r_score=5, f_score=4,
                      m_score=5, rfm_type="important_value", segment="champions",
                      computed_at=NOW),
            MemberRfm(tenant_id=tenant, member_id=bob, as_of=NOW, window_days=365,
                      recency_days=153, frequency=1, monetary_cents=5_000, r_score=1, f_score=1,
                      m_score=1, rfm_type="general_winback", segment="lost", computed_at=NOW),
            MemberPrediction(tenant_id=tenant, member_id=ann, as_of=NOW.date(), frequency=4,
                             recency_days=990.0, age_days=1004.0, p_alive=0.92,
                             expected_30d=0.5, expected_90d=1.5, expected_365d=4.25,
                             spend_per_order_cents=25_000, clv_12m_cents=123_450,
                             churn_risk="low", next_order_on=None, computed_at=NOW),
            MemberPrediction(tenant_id=tenant, member_id=bob, as_of=NOW.date(), frequency=0,
                             recency_days=0.0, age_days=153.0, p_alive=0.25,
                             expected_30d=0.01, expected_90d=0.1, expected_365d=0.3,
                             spend_per_order_cents=5_000, clv_12m_cents=1_500,
                             churn_risk="high", next_order_on=None, computed_at=NOW),
        ]
    )  # fmt: skip


def _tags(session: Session, principal: Principal, holders: dict[str, list[int]]) -> None:
    """Tags by code (``lapsed`` is inactive: it shows on nobody) and who holds them."""
    for code, members in holders.items():
        tag = Tag(tenant_id=principal.tenant_id, code=code, name=code, kind="manual",
                  active=code != "lapsed")  # fmt: skip
        session.add(tag)
        session.flush()
        session.add_all(
            MemberTag(tenant_id=principal.tenant_id, member_id=m, tag_id=tag.id, source="operator")
            for m in members
        )


def _loyalty(session: Session, principal: Principal, ann: int, bob: int) -> None:
    """Ann: gold, 1,200 points (300 expiring within 30 days), one usable coupon, one used, one
    expired. Bob: silver, no points account, one coupon not valid yet, 1,100.00 of stored value
    (1,000.00 paid in, 100.00 bonus)."""
    tenant = principal.tenant_id
    session.add_all(
        [
            MemberTier(tenant_id=tenant, member_id=ann, tier="gold", since=NOW,
                       period_ends_at=NOW),
            MemberTier(tenant_id=tenant, member_id=bob, tier="silver", since=NOW,
                       period_ends_at=NOW),
            PointsAccount(tenant_id=tenant, member_id=ann, balance=1_200, debt=0),
            StoredValueAccount(tenant_id=tenant, member_id=bob, principal_cents=100_000,
                               bonus_cents=10_000),
        ]
    )  # fmt: skip
    entry = PointsEntry(tenant_id=tenant, member_id=ann, kind="earn", points=1_200,
                        balance_after=1_200, actor="test", occurred_at=NOW)  # fmt: skip
    template = CouponTemplate(tenant_id=tenant, name="满100减10", kind="amount_off",
                              amount_off_cents=1_000, valid_days=30)  # fmt: skip
    session.add_all([entry, template])
    session.flush()
    for remaining, days in ((300, 10), (900, 60), (0, 5)):
        session.add(
            PointsLot(tenant_id=tenant, member_id=ann, entry_id=entry.id, points=remaining or 50,
                      remaining=remaining, earned_at=NOW, expires_at=NOW + timedelta(days=days))
        )  # fmt: skip
    coupons = [
        (ann, "issued", NOW - timedelta(days=1), None),
        (ann, "redeemed", NOW - timedelta(days=40), datetime(2026, 10, 1, tzinfo=UTC)),
        (ann, "expired", NOW - timedelta(days=90), None),
        (bob, "issued", NOW + timedelta(days=3), None),
    ]
    for n, (member, status, start, redeemed) in enumerate(coupons):
        session.add(
            Coupon(tenant_id=tenant, template_id=template.id, member_id=member, code=f"C{n}",
                   status=status, source="operator", valid_from=start,
                   valid_until=start + timedelta(days=30), redeemed_at=redeemed)
        )  # fmt: skip


def _cards(session: Session, principal: Principal, ann: int, bob: int) -> None:
    """Ann holds a valid ``plus`` card. Bob's ``black`` card ended a day ago (not yet marked
    lapsed) and his ``plus`` card, inside its term, was refunded."""
    tenant = principal.tenant_id
    plus, black = (
        CardType(tenant_id=tenant, code=code, name=code, price_kind="free",
                 validity_unit="days", validity_length=30, monthly_coupons=[])
        for code in ("plus", "black")
    )  # fmt: skip
    session.add_all([plus, black])
    session.flush()
    for member, card, status, end in (
        (ann, plus, "active", NOW + timedelta(days=20)),
        (bob, black, "active", NOW - timedelta(days=1)),
        (bob, plus, "refunded", NOW + timedelta(days=20)),
    ):
        session.add(
            CardHolding(tenant_id=tenant, member_id=member, card_type_id=card.id, status=status,
                        starts_at=end - timedelta(days=30), ends_at=end)
        )  # fmt: skip


def _groups(session: Session, principal: Principal, ann: int, bob: int) -> None:
    """Ann is on a VIP group; Bob left the VIP group a week ago and is on a basic one."""
    tenant = principal.tenant_id
    vip, basic = (
        CommunityGroup(tenant_id=tenant, kind=kind, name=kind, series=kind, created_by="t")
        for kind in (GroupKind.vip, GroupKind.basic)
    )
    session.add_all([vip, basic])
    session.flush()
    for member, group, left in (
        (ann, vip, None),
        (bob, vip, NOW - timedelta(days=7)),
        (bob, basic, None),
    ):
        session.add(
            GroupMember(tenant_id=tenant, group_id=group.id, kind=group.kind, member_id=member,
                        left_at=left, invited_by="t")
        )  # fmt: skip


def _events(session: Session, principal: Principal, ann: int, bob: int) -> None:
    happened = [
        (ann, "message_delivered", datetime(2026, 10, 25, tzinfo=UTC)),
        (ann, "message_clicked", datetime(2026, 10, 26, tzinfo=UTC)),
        (ann, "check_in", datetime(2026, 10, 31, tzinfo=UTC)),
        (ann, "check_in", datetime(2026, 9, 1, tzinfo=UTC)),
        (bob, "message_delivered", datetime(2026, 6, 2, tzinfo=UTC)),
        (bob, "review", datetime(2026, 6, 10, tzinfo=UTC)),
    ]
    session.add_all(
        Event(tenant_id=principal.tenant_id, member_id=member, external_id=f"E{n}",
              content_hash="0" * 64, type=kind, occurred_at=at, properties={})
        for n, (member, kind, at) in enumerate(happened)
    )  # fmt: skip


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
        _layers(session, principal, ann, bob)
        session.add(MemberStage(tenant_id=rival.tenant_id, member_id=other, stage="active",
                                reactivated=True, since=NOW, computed_at=NOW))  # fmt: skip
        session.add(MemberTier(tenant_id=rival.tenant_id, member_id=other, tier="diamond",
                               since=NOW, period_ends_at=NOW))  # fmt: skip
        _tags(session, principal, {"vip": [ann, gone], "lapsed": [ann, bob], "new": []})
        _tags(session, rival, {"vip": [other]})
        _loyalty(session, principal, ann, bob)
        _cards(session, principal, ann, bob)
        _groups(session, principal, ann, bob)
        _events(session, principal, ann, bob)
    ids = {"ann": ann, "bob": bob, "cai": cai, "gone": gone, "rival": other}
    return World(principal, ids)


def selected(session: Session, world: World, tree: Any, as_of: datetime = NOW) -> set[str]:
    """The names of the members ``tree`` selects in the world's tenant."""
    condition = parse_condition(tree)
    with session.begin():
        query = compile_condition(session, world.principal.tenant_id, condition, as_of=as_of)
        return world.names(set(session.scalars(query)))
