"""The condition fields the loyalty engine owns (seed 004: holds a tier, points balance; SPEC §7:
coupons held / used): the member's tier, compared by its place on the tenant's ladder ("tier ≥
gold"), the points balance and what of it expires soon, and the coupons they hold or used.

A member without a tier row has no tier (every comparison false); without a points account,
a balance of 0. Coupons held are those issued and still valid at the evaluation time.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, func, select

from memberops.conditions.registry import Field, FieldSql, Join, Kind, Scope, register
from memberops.loyalty.coupons.models import Coupon, CouponStatus
from memberops.loyalty.points.models import PointsAccount, PointsLot
from memberops.loyalty.tiers.models import MemberTier
from memberops.loyalty.tiers.ranks import current_rank
from memberops.loyalty.tiers.rules import TierLadder
from memberops.tenancy.sections import load_section

_TIERS: Table = MemberTier.__table__  # type: ignore[assignment]
_ACCOUNTS: Table = PointsAccount.__table__  # type: ignore[assignment]
#: "Expiring soon" for the points field below, as the loyalty pages count it.
EXPIRING_DAYS = 30


def _join(table: Table, scope: Scope) -> Join:
    on = and_(table.c.tenant_id == scope.tenant_id, table.c.member_id == scope.member.c.id)
    return Join(table.name, table, on)


def _tier(scope: Scope) -> FieldSql:
    """The tier's place on the tenant's ladder (0 the lowest); the ladder's codes are the
    values the field takes, lowest first."""
    ladder = load_section(scope.session, scope.tenant_id, TierLadder)
    codes = tuple(level.code for level in ladder.levels)
    rank = current_rank(ladder, _TIERS.c.tier)
    return FieldSql(rank, joins=(_join(_TIERS, scope),), choices=codes, codes=_TIERS.c.tier)


def _points(scope: Scope) -> FieldSql:
    """The balance; 0 without an account."""
    return FieldSql(_ACCOUNTS.c.balance, joins=(_join(_ACCOUNTS, scope),), missing=0)


def _expiring(scope: Scope) -> FieldSql:
    """Points of lots that expire within :data:`EXPIRING_DAYS` of the evaluation time."""
    due = (
        select(func.coalesce(func.sum(PointsLot.remaining), 0))
        .where(PointsLot.tenant_id == scope.tenant_id, PointsLot.member_id == scope.member.c.id)
        .where(PointsLot.remaining > 0, PointsLot.expires_at > scope.as_of)
        .where(PointsLot.expires_at <= scope.as_of + timedelta(days=EXPIRING_DAYS))
        .scalar_subquery()
    )
    return FieldSql(due)


def _coupons(*where: Callable[[Scope], ColumnElement[bool]]) -> Callable[[Scope], FieldSql]:
    """How many of the member's coupons meet ``where``."""

    def sql(scope: Scope) -> FieldSql:
        count = (
            select(func.count())
            .where(Coupon.tenant_id == scope.tenant_id, Coupon.member_id == scope.member.c.id)
            .where(*(test(scope) for test in where))
            .scalar_subquery()
        )
        return FieldSql(count)

    return sql


def _held(scope: Scope) -> ColumnElement[bool]:
    return and_(
        Coupon.status == CouponStatus.issued.value,
        Coupon.valid_from <= scope.as_of,
        Coupon.valid_until > scope.as_of,
    )


def _used(_: Scope) -> ColumnElement[bool]:
    return Coupon.status == CouponStatus.redeemed.value


def _last_used(scope: Scope) -> FieldSql:
    last: Any = (
        select(func.max(Coupon.redeemed_at))
        .where(Coupon.tenant_id == scope.tenant_id, Coupon.member_id == scope.member.c.id)
        .scalar_subquery()
    )
    return FieldSql(last)


def _field(name: str, kind: Kind, zh: str, en: str, sql: Callable[[Scope], FieldSql]) -> Field:
    return Field(name, kind, {"zh-CN": zh, "en": en}, sql)


FIELDS = (
    _field("loyalty.tier", Kind.ordinal, "会员等级", "Tier", _tier),
    _field("loyalty.points", Kind.int, "积分余额", "Points balance", _points),
    _field(
        "loyalty.points_expiring",
        Kind.int,
        f"{EXPIRING_DAYS}天内到期积分",
        f"Points expiring within {EXPIRING_DAYS} days",
        _expiring,
    ),
    _field("coupons.held", Kind.int, "持有可用优惠券数", "Usable coupons held", _coupons(_held)),
    _field("coupons.used", Kind.int, "已使用优惠券数", "Coupons used", _coupons(_used)),
    _field("coupons.last_used_at", Kind.datetime, "最近用券时间", "Last coupon used", _last_used),
)


def register_fields() -> None:
    register(*FIELDS)
