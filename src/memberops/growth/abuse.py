"""The referral abuse rule: no reward when referrer and newcomer share a phone, a shipping
address or a payment identity, as one person's second account would.

A member's phones are its phone identities and the receiver phones of its orders' shipping
addresses (normalised to E.164, so ``138 0000 0000`` and ``+8613800000000`` are one phone);
its addresses are its orders' ``address_key`` digests (case and spacing ignored); its payment
identities are its orders' ``payment_account`` values. Identities are unique per tenant, so
two members can only share a phone through an order's address."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.activity.models import Order
from memberops.identity.errors import InvalidIdentity
from memberops.identity.models import Identity, IdentityType
from memberops.identity.normalise import normalise_phone
from memberops.tenancy.access import Principal


@dataclass(frozen=True)
class Traces:
    """What of a member can identify the person behind it."""

    phones: frozenset[str]
    addresses: frozenset[str]
    payments: frozenset[str]


def _phone(value: object, region: str) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return normalise_phone(value, region)
    except InvalidIdentity:
        return None


def traces_of(session: Session, principal: Principal, member_id: int) -> Traces:
    """The member's phones, address digests and payment accounts, from its identities and
    every order it holds."""
    phones = set(
        session.scalars(
            select(Identity.value).where(
                Identity.tenant_id == principal.tenant_id,
                Identity.member_id == member_id,
                Identity.type == IdentityType.phone,
            )
        )
    )
    orders = session.execute(
        select(Order.shipping_address, Order.address_key, Order.payment_account).where(
            Order.tenant_id == principal.tenant_id, Order.member_id == member_id
        )
    ).all()
    for address, _, _ in orders:
        phone = _phone((address or {}).get("phone"), principal.phone_region)
        if phone is not None:
            phones.add(phone)
    return Traces(
        phones=frozenset(phones),
        addresses=frozenset(key for _, key, _ in orders if key),
        payments=frozenset(account for _, _, account in orders if account),
    )


def shared_trace(session: Session, principal: Principal, one: int, other: int) -> str | None:
    """Why the two members look like one person (``shared_phone``, ``shared_address``,
    ``shared_payment``), or None when nothing is shared."""
    a, b = traces_of(session, principal, one), traces_of(session, principal, other)
    if a.phones & b.phones:
        return "shared_phone"
    if a.addresses & b.addresses:
        return "shared_address"
    if a.payments & b.payments:
        return "shared_payment"
    return None
