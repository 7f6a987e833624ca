"""The condition field stored value owns: ``stored_value.balance``, the member's balance
(principal and bonus) in yuan; 0 without an account ("balance ≥ 100" finds members worth a
top-up reminder, "balance > 0" the holders)."""

from sqlalchemy import func, select

from memberops.activity.money import to_cents
from memberops.conditions.registry import Field, FieldSql, Kind, Scope, register
from memberops.loyalty.wallet.models import StoredValueAccount


def _balance(scope: Scope) -> FieldSql:
    account = StoredValueAccount
    held = (
        select(func.coalesce(func.sum(account.principal_cents + account.bonus_cents), 0))
        .where(account.tenant_id == scope.tenant_id, account.member_id == scope.member.c.id)
        .scalar_subquery()
    )
    return FieldSql(held)


FIELDS = (
    Field(
        "stored_value.balance",
        Kind.money,
        {"zh-CN": "储值余额", "en": "Stored-value balance"},
        _balance,
        parse=to_cents,
    ),
)


def register_fields() -> None:
    register(*FIELDS)
