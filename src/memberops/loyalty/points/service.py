"""Verbs on a member's points: spend (redeem at checkout, exchange for coupons), grant a bonus,
adjust by hand, read. Each takes the account lock, expires the member's due lots first (expired
points are never spendable, even before the expiry job has run) and writes one entry.
Redemption and adjustment are idempotent on the request's ``Idempotency-Key``; bonuses on their
``dedupe_key``."""

from decimal import ROUND_FLOOR, Decimal

from sqlalchemy.orm import Session

from memberops.activity.money import to_yuan
from memberops.kernel.errors import InvalidInput
from memberops.kernel.idempotency import once
from memberops.loyalty.points import ledger
from memberops.loyalty.points.errors import PointsOverOrderShare
from memberops.loyalty.points.models import EntryKind, PointsEntry
from memberops.loyalty.points.rules import EarnRules
from memberops.loyalty.points.schemas import AdjustIn, EntryRead, RedeemIn, RedemptionRead
from memberops.tenancy.access import Principal
from memberops.tenancy.sections import load_section


def _positive(points: int) -> None:
    if points <= 0:
        raise InvalidInput(
            "Points must be a positive whole number.",
            errors=[{"loc": ["points"], "msg": "must be positive"}],
        )


def spend(
    session: Session,
    principal: Principal,
    member_id: int,
    points: int,
    *,
    reason: str,
    reference: str | None = None,
) -> PointsEntry:
    """Take ``points`` from the member, oldest expiry first, as a ``redeem`` entry: the debit
    behind redemption at checkout and the coupons room's points exchange. 409
    ``points.insufficient`` (nothing changed) when the spendable balance is short."""
    _positive(points)
    ledger.lock_account(session, principal, member_id)
    ledger.expire_member(session, principal, member_id)
    return ledger.debit(
        session, principal, member_id, EntryKind.redeem, points, reference=reference, reason=reason
    )


def grant_bonus(
    session: Session,
    principal: Principal,
    member_id: int,
    points: int,
    *,
    dedupe_key: str,
    reason: str,
    reference: str | None = None,
) -> PointsEntry | None:
    """Give the member ``points`` as a ``bonus`` entry with its own lot (check-in, new-member
    pack, birthday…); None, changing nothing, when ``dedupe_key`` was already used in the
    tenant, so a retried grant happens once."""
    _positive(points)
    ledger.lock_account(session, principal, member_id)
    entry = ledger.post_once(
        session,
        principal,
        member_id,
        EntryKind.bonus,
        points,
        dedupe_key=dedupe_key,
        reference=reference,
        reason=reason,
    )
    if entry is not None:
        rules = load_section(session, principal.tenant_id, EarnRules)
        ledger.add_lot(session, principal, entry, rules.expiry_months)
    return entry


def points_value_cents(points: int, rules: EarnRules) -> int:
    """What ``points`` are worth at checkout, in cents (rounded down)."""
    return points * 100 // rules.points_per_yuan_redeemed


def _check_order_share(body: RedeemIn, rules: EarnRules) -> None:
    if body.order_amount is None:
        return
    exact = Decimal(body.order_amount) * rules.max_redeem_share * rules.points_per_yuan_redeemed
    most = int((exact / 100).to_integral_value(rounding=ROUND_FLOOR))
    if body.points > most:
        raise PointsOverOrderShare(
            f"Points may pay at most {rules.max_redeem_share} of this order: {most} points.",
            max_points=most,
            requested=body.points,
        )


def redeem(
    session: Session, principal: Principal, member_id: int, body: RedeemIn, key: str
) -> tuple[RedemptionRead, bool]:
    """Spend points as a cash offset; returns the answer and whether it happened now (False:
    a replay of ``key``, answered as the first time, changing nothing)."""

    def run() -> RedemptionRead:
        rules = load_section(session, principal.tenant_id, EarnRules)
        _check_order_share(body, rules)
        entry = spend(
            session, principal, member_id, body.points, reason=body.reason, reference=body.order_id
        )
        return RedemptionRead(
            entry_id=str(entry.id),
            member_id=str(member_id),
            points=body.points,
            value=to_yuan(points_value_cents(body.points, rules)),
            balance_after=entry.balance_after,
            order_id=body.order_id,
            reason=body.reason,
            redeemed_at=entry.occurred_at,
        )

    request = {"member_id": member_id, **body.model_dump(mode="json")}
    return once(session, principal.tenant_id, "points.redeem", key, request, RedemptionRead, run)


def read_entry(entry: PointsEntry, order_external_id: str | None) -> EntryRead:
    return EntryRead(
        id=str(entry.id),
        kind=entry.kind,
        points=entry.points,
        balance_after=entry.balance_after,
        order_id=order_external_id,
        reference=entry.reference,
        reason=entry.reason,
        actor=entry.actor,
        occurred_at=entry.occurred_at,
    )


def adjust(
    session: Session, principal: Principal, member_id: int, body: AdjustIn, key: str
) -> tuple[EntryRead, bool]:
    """An operator's ``adjust`` entry: positive adds a lot; negative takes points oldest first
    and may not take the balance below zero (409 ``points.insufficient``). Returns the entry
    and whether it happened now (False: a replay of ``key``)."""

    def run() -> EntryRead:
        ledger.lock_account(session, principal, member_id)
        ledger.expire_member(session, principal, member_id)
        if body.points < 0:
            entry = ledger.debit(
                session, principal, member_id, EntryKind.adjust, -body.points, reason=body.reason
            )
            return read_entry(entry, None)
        added = ledger.post(
            session, principal, member_id, EntryKind.adjust, body.points, reason=body.reason
        )
        rules = load_section(session, principal.tenant_id, EarnRules)
        ledger.add_lot(session, principal, added, rules.expiry_months)
        return read_entry(added, None)

    request = {"member_id": member_id, **body.model_dump(mode="json")}
    return once(session, principal.tenant_id, "points.adjust", key, request, EntryRead, run)
