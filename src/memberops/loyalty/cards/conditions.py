"""The condition fields the benefit-cards room owns (SPEC §6: holding a card is a crowd
condition): whether a member holds a valid card of any type (``cards.holds_any``), and which
types they hold (``cards.card``, named by the tenant's card type codes: ``= plus`` holds a
valid ``plus`` card, ``in`` any of several). Valid is judged at the evaluation time, as
everywhere in this room: a holding past its end counts for nobody, lapsed by the job or not.
"""

from typing import Any

from sqlalchemy import ColumnElement, exists, select

from memberops.conditions.registry import Field, FieldSql, Kind, Scope, register
from memberops.loyalty.cards.benefits import valid_at
from memberops.loyalty.cards.models import CardHolding, CardType


def _held(scope: Scope, *more: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(
        CardHolding.tenant_id == scope.tenant_id,
        CardHolding.member_id == scope.member.c.id,
        valid_at(scope.as_of),
        *more,
    )


def _holds_any(scope: Scope) -> FieldSql:
    return FieldSql(_held(scope))


def _card(scope: Scope) -> FieldSql:
    """Holds a valid card of these codes; the tenant's codes are the values it takes."""
    codes = tuple(
        scope.session.scalars(
            select(CardType.code).where(CardType.tenant_id == scope.tenant_id).order_by(CardType.id)
        )
    )

    def holds(values: list[Any]) -> ColumnElement[bool]:
        of_type = CardHolding.card_type_id.in_(
            select(CardType.id).where(
                CardType.tenant_id == scope.tenant_id, CardType.code.in_(values)
            )
        )
        return _held(scope, of_type)

    return FieldSql(None, choices=codes, holds=holds)


FIELDS = (
    Field(
        "cards.holds_any",
        Kind.bool,
        {"zh-CN": "持有有效权益卡", "en": "Holds a valid benefit card"},
        _holds_any,
    ),
    Field("cards.card", Kind.set, {"zh-CN": "持有的权益卡", "en": "Benefit card held"}, _card),
)


def register_fields() -> None:
    register(*FIELDS)
