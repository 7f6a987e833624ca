"""Card types: create (checked), read, list, patch, and the conversions between the stored
whole-hundredth rates and the API's decimals. Audited like coupon templates."""

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.kernel.pagination import newest_first
from memberops.loyalty.cards.errors import CardTypeExists, CardTypeNotFound, InvalidCardType
from memberops.loyalty.cards.models import CardType, PriceKind, ValidityUnit
from memberops.loyalty.cards.schemas import (
    MAX_MONTHS,
    CardBenefits,
    CardTypeCreate,
    CardTypePatch,
)
from memberops.loyalty.coupons.models import CouponTemplate
from memberops.tenancy.access import Principal, tenant_scope
from memberops.tenancy.service import audit

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def rate(hundredths: int) -> Decimal:
    """A stored whole-hundredths rate as the API writes it, always two decimals (95 → 0.95)."""
    return (Decimal(hundredths) / HUNDRED).quantize(CENT)


def benefits_of(card: CardType) -> CardBenefits:
    """The card type's benefits as the API writes them."""
    return CardBenefits(
        discount_rate=rate(card.discount_rate_pct),
        free_shipping=card.free_shipping,
        points_multiplier=rate(card.points_multiplier_pct),
        monthly_coupons=card.monthly_coupons,
    )


def _store_benefits(card: CardType, benefits: CardBenefits) -> None:
    card.discount_rate_pct = int(benefits.discount_rate * HUNDRED)
    card.free_shipping = benefits.free_shipping
    card.points_multiplier_pct = int(benefits.points_multiplier * HUNDRED)
    card.monthly_coupons = [coupon.model_dump() for coupon in benefits.monthly_coupons]


def _problem(*loc: str | int, msg: str) -> dict[str, Any]:
    return {"loc": ["body", *loc], "msg": msg}


def _price_problems(body: CardTypeCreate) -> list[dict[str, Any]]:
    wants = {PriceKind.money: "price", PriceKind.points: "price_points"}.get(body.price_kind)
    problems = []
    for field in ("price", "price_points"):
        given = getattr(body, field) is not None
        if field == wants and not given:
            problems.append(_problem(field, msg=f"a {body.price_kind} card needs {field}"))
        if field != wants and given:
            problems.append(_problem(field, msg=f"a {body.price_kind} card takes no {field}"))
    if body.price_kind == PriceKind.money and body.price == 0:
        problems.append(_problem("price", msg="a money card costs more than 0; use free"))
    return problems


def _template_problems(
    session: Session, principal: Principal, benefits: CardBenefits, *loc: str
) -> list[dict[str, Any]]:
    wanted = [coupon.template_id for coupon in benefits.monthly_coupons]
    known = set(
        session.scalars(
            select(CouponTemplate.id).where(
                CouponTemplate.tenant_id == principal.tenant_id, CouponTemplate.id.in_(wanted)
            )
        )
    )
    return [
        _problem(*loc, "monthly_coupons", index, "template_id", msg="no such coupon template")
        for index, template_id in enumerate(wanted)
        if template_id not in known
    ]


def check_card_type(session: Session, principal: Principal, body: CardTypeCreate) -> None:
    """Refuse (422 ``cards.invalid_type``, naming every offending field) a card type whose
    price does not fit its kind, whose term is over ten years, or whose monthly coupons name
    templates the tenant does not have."""
    problems = _price_problems(body)
    if body.validity_unit == ValidityUnit.months and body.validity_length > MAX_MONTHS:
        problems.append(_problem("validity_length", msg=f"at most {MAX_MONTHS} months"))
    problems += _template_problems(session, principal, body.benefits, "benefits")
    if problems:
        raise InvalidCardType("The card type does not hold together.", errors=problems)


def create_card_type(session: Session, principal: Principal, body: CardTypeCreate) -> CardType:
    """Store a checked card type (audited); 409 ``cards.type_exists`` for a taken code."""
    check_card_type(session, principal, body)
    card = CardType(
        tenant_id=principal.tenant_id,
        **body.model_dump(include={"code", "name", "price_kind", "price_points"}),
        price_cents=body.price,
        validity_unit=body.validity_unit,
        validity_length=body.validity_length,
        active=True,
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    _store_benefits(card, body.benefits)
    try:
        with session.begin_nested():
            session.add(card)
    except IntegrityError:
        raise CardTypeExists(f"A card type {body.code!r} exists.", code=body.code) from None
    after = body.model_dump(mode="json")
    audit(session, principal, "benefit_card.create", ("benefit_card", str(card.id)), None, after)
    return card


def get_card_type(session: Session, principal: Principal, card_type_id: int) -> CardType:
    card = session.scalar(tenant_scope(principal, CardType).where(CardType.id == card_type_id))
    if card is None:
        raise CardTypeNotFound(
            f"No benefit card type {card_type_id} in this tenant.",
            card_type_id=str(card_type_id),
        )
    return card


def list_card_types(
    session: Session, principal: Principal, before_id: int | None, limit: int
) -> list[CardType]:
    """The tenant's card types, newest first (by id), after the cursor."""
    query = tenant_scope(principal, CardType)
    return list(session.scalars(newest_first(query, CardType.id, before_id, limit)))


def _snapshot(card: CardType) -> dict[str, Any]:
    return {
        "name": card.name,
        "active": card.active,
        "benefits": benefits_of(card).model_dump(mode="json"),
    }


def patch_card_type(
    session: Session, principal: Principal, card_type_id: int, body: CardTypePatch
) -> CardType:
    """Rename, archive or re-activate, or change the benefits; audited with what changed."""
    card = get_card_type(session, principal, card_type_id)
    before = _snapshot(card)
    if body.benefits is not None:
        problems = _template_problems(session, principal, body.benefits, "benefits")
        if problems:
            raise InvalidCardType("The card type does not hold together.", errors=problems)
        _store_benefits(card, body.benefits)
    if body.name is not None:
        card.name = body.name
    if body.active is not None:
        card.active = body.active
    session.flush()
    after = _snapshot(card)
    if before != after:
        entity = ("benefit_card", str(card.id))
        audit(session, principal, "benefit_card.update", entity, before, after)
    return card
