"""The condition fields the identity room owns: which kinds of key a member is reachable by
(has a phone; is a WeChat fan — known by a unionid or an openid of any app, seed 004)."""

from collections.abc import Callable

from sqlalchemy import exists

from memberops.conditions.registry import Field, FieldSql, Kind, Scope, register
from memberops.identity.models import Identity, IdentityType


def _holds(*types: IdentityType) -> Callable[[Scope], FieldSql]:
    def sql(scope: Scope) -> FieldSql:
        held = exists().where(
            Identity.tenant_id == scope.tenant_id,
            Identity.member_id == scope.member.c.id,
            Identity.type.in_([t.value for t in types]),
        )
        return FieldSql(held)

    return sql


FIELDS = (
    Field(
        "identity.has_phone",
        Kind.bool,
        {"zh-CN": "有手机号", "en": "Has a phone number"},
        _holds(IdentityType.phone),
    ),
    Field(
        "identity.has_email",
        Kind.bool,
        {"zh-CN": "有邮箱", "en": "Has an email address"},
        _holds(IdentityType.email),
    ),
    Field(
        "identity.is_wechat_fan",
        Kind.bool,
        {"zh-CN": "微信粉丝", "en": "WeChat fan"},
        _holds(IdentityType.wechat_unionid, IdentityType.wechat_openid),
    ),
)


def register_fields() -> None:
    register(*FIELDS)
