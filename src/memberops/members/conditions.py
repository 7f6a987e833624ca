"""The condition fields the members room owns — attributes and consent — and the subject every
condition selects from: this tenant's members, of whom only active ones count (a merged-away
record lives on in its survivor; an erased one is nobody's audience)."""

from collections.abc import Callable
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
    """The month (1-12) of the birthday: SQLite keeps dates as ``YYYY-MM-DD`` text."""
    birthday = scope.member.c.birthday
    month: ColumnElement[Any] = (
        cast(func.extract("month", birthday), Integer)
        if scope.postgresql
        else cast(func.strftime("%m", birthday), Integer)
    )
    return FieldSql(month)


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
    return FieldSql((literal(today_number) - born) // 10_000)


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
