"""The condition fields the members room owns — attributes and consent — and the subject every
condition selects from: this tenant's members, of whom only active ones count (a merged-away
record lives on in its survivor; an erased one is nobody's audience)."""

from calendar import monthrange
from collections.abc import Callable
from datetime import MAXYEAR, MINYEAR, date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, Table, and_, cast, func, literal

from memberops.conditions.registry import (
    Field,
    FieldSql,
    Join,
    Kind,
    Scope,
    Subject,
    register,
    register_subject,
)
from memberops.conditions.schemas import Op
from memberops.members.models import Consent, ConsentChannel, Gender, Member, MemberStatus
from memberops.tenancy.models import Tenant

_MEMBERS: Table = Member.__table__  # type: ignore[assignment]
_CONSENTS: Table = Consent.__table__  # type: ignore[assignment]
SUBJECT = Subject(_MEMBERS, _MEMBERS.c.status == MemberStatus.active.value)


def _column(name: str) -> Callable[[Scope], FieldSql]:
    def sql(scope: Scope) -> FieldSql:
        return FieldSql(scope.member.c[name])

    return sql


def _birthday_month(scope: Scope) -> FieldSql:
    """The month (1-12) of the birthday: SQLite keeps dates as ``YYYY-MM-DD`` text; on
    PostgreSQL ``date_part`` (a float) costs a crowd's scan less than ``extract`` (a numeric)."""
    birthday = scope.member.c.birthday
    month: ColumnElement[Any] = (
        cast(func.date_part("month", birthday), Integer)
        if scope.postgresql
        else cast(func.strftime("%m", birthday), Integer)
    )
    return FieldSql(month)


def _latest(year: int, month: int, day: int) -> date | None:
    """The latest day on or before ``year-month-day`` (Feb 29 of a common year: Feb 28)."""
    if not MINYEAR <= year <= MAXYEAR:
        return None
    return date(year, month, min(day, monthrange(year, month)[1]))


def _age_range(birthday: ColumnElement[Any], today: date) -> Callable[[Op, Any], Any]:
    """An age comparison as a range of birthdays, so no row computes its age. Aged at least
    ``n`` (n >= 1) is born on or before today ``n`` years ago; at most ``n`` (n >= 0) is born
    after today ``n + 1`` years ago — the YYYYMMDD difference's own rule, Feb 29 included
    (a date is before another exactly when its YYYYMMDD number is smaller). Other operators
    and ages, and bounds outside the calendar, are left to the compiler."""

    def at_least(n: int) -> Any:
        latest = _latest(today.year - n, today.month, today.day) if n >= 1 else None
        return None if latest is None else birthday <= latest

    def at_most(n: int) -> Any:
        latest = _latest(today.year - n - 1, today.month, today.day) if n >= 0 else None
        return None if latest is None else birthday > latest

    def compare(op: Op, value: Any) -> Any:
        bounds = {
            Op.ge: lambda: [at_least(value)],
            Op.gt: lambda: [at_least(value + 1)],
            Op.le: lambda: [at_most(value)],
            Op.lt: lambda: [at_most(value - 1)],
            Op.eq: lambda: [at_least(value), at_most(value)],
            Op.between: lambda: [at_least(value[0]), at_most(value[1])],
        }.get(op)
        found = [] if bounds is None else bounds()
        if not found or any(bound is None for bound in found):
            return None
        return and_(birthday.is_not(None), *found)

    return compare


def _age(scope: Scope) -> FieldSql:
    """Whole years from the birthday to the evaluation day in the tenant's timezone, by the
    YYYYMMDD difference: (20261203 - 19900315) // 10000 = 36 on either backend."""
    zone = ZoneInfo(scope.session.get_one(Tenant, scope.tenant_id).timezone)
    today = scope.as_of.astimezone(zone).date()
    today_number = today.year * 10_000 + today.month * 100 + today.day
    birthday = scope.member.c.birthday
    born: ColumnElement[Any] = (
        cast(func.to_char(birthday, "YYYYMMDD"), Integer)
        if scope.postgresql
        else cast(func.strftime("%Y%m%d", birthday), Integer)
    )
    age = (literal(today_number) - born) // 10_000
    return FieldSql(age, compare=_age_range(birthday, today))


def _consent(channel: ConsentChannel) -> Callable[[Scope], FieldSql]:
    """Agreed to messages on ``channel`` (false: refused, or never asked). A member has at most
    one consent row per channel, so it is a join — of its own alias of the table, so that a
    tree naming two channels joins each — and a count of those who agreed can be read from
    those rows (``conditions.anchor``)."""
    rows = _CONSENTS.alias(f"consent_{channel.value}")

    def sql(scope: Scope) -> FieldSql:
        on = and_(
            rows.c.tenant_id == scope.tenant_id,
            rows.c.member_id == scope.member.c.id,
            rows.c.channel == channel.value,
        )
        return FieldSql(rows.c.granted, joins=(Join(rows.name, rows, on),), missing=False)

    return sql


def _field(
    name: str, kind: Kind, zh: str, en: str, sql: Callable[[Scope], FieldSql], *choices: str
) -> Field:
    return Field(f"member.{name}", kind, {"zh-CN": zh, "en": en}, sql, choices)


_CONSENT_NAMES = {
    ConsentChannel.sms: ("短信", "SMS"),
    ConsentChannel.wechat: ("微信", "WeChat"),
    ConsentChannel.email: ("邮件", "email"),
    ConsentChannel.wecom: ("企业微信", "WeCom"),
}

FIELDS = (
    _field("gender", Kind.string, "性别", "Gender", _column("gender"), *(g.value for g in Gender)),
    _field("birthday_month", Kind.int, "生日月份", "Birthday month", _birthday_month),
    _field("age", Kind.int, "年龄", "Age", _age),
    _field("province", Kind.string, "省份", "Province", _column("province")),
    _field("city", Kind.string, "城市", "City", _column("city")),
    _field("first_channel", Kind.string, "首次来源渠道", "First channel", _column("first_channel")),
    _field("is_registered", Kind.bool, "注册会员", "Registered member", _column("is_registered")),
    _field("created_at", Kind.datetime, "建档时间", "Customer since", _column("created_at")),
    *(
        _field(
            f"consent_{channel.value}",
            Kind.bool,
            f"同意{zh}营销",
            f"Agreed to {en} messages",
            _consent(channel),
        )
        for channel, (zh, en) in _CONSENT_NAMES.items()
    ),
)


def register_fields() -> None:
    register_subject(SUBJECT)
    register(*FIELDS)
