"""Errors of the benefit-cards room: what a card type, a purchase, a renewal or a refund can be
refused for. A refusal changes nothing."""

from memberops.kernel.errors import Conflict, InvalidInput, NotFound


class CardTypeNotFound(NotFound):
    """No benefit card type with this id in the tenant."""

    code = "cards.type_not_found"
    title = "No such benefit card type"


class HoldingNotFound(NotFound):
    """No holding with this id for this member in the tenant."""

    code = "cards.holding_not_found"
    title = "No such benefit card holding"


class InvalidCardType(InvalidInput):
    """The card type does not hold together: a ``money`` price needs ``price`` (and no
    ``price_points``), a ``points`` price needs ``price_points`` (and no ``price``), a ``free``
    card neither; monthly coupons name templates of the tenant. ``errors`` names each field."""

    code = "cards.invalid_type"
    title = "Invalid benefit card type"


class CardTypeExists(Conflict):
    """The tenant already has a card type with this ``code``; codes are unique per tenant."""

    code = "cards.type_exists"
    title = "Card type code taken"


class CardTypeArchived(Conflict):
    """The card type is archived (``active`` false): it is no longer sold or renewed; holdings
    bought before keep their benefits until they end."""

    code = "cards.type_archived"
    title = "Card type archived"


class AlreadyHeld(Conflict):
    """The member already holds an active card of this type (``holding_id``): renew it
    instead of buying another."""

    code = "cards.already_held"
    title = "Card already held"


class PaymentMismatch(InvalidInput):
    """How the request pays does not match the card's price: a ``money`` card needs a
    ``payment_reference`` (the merchant's payment id), a ``points`` or ``free`` card takes
    none. ``errors`` names the field."""

    code = "cards.payment_mismatch"
    title = "Payment does not match the card's price"


class NotRenewable(Conflict):
    """A refunded holding cannot be renewed (``holding_status`` says why); buy the card again."""

    code = "cards.not_renewable"
    title = "Holding cannot be renewed"


class NotRefundable(Conflict):
    """Only an active holding of a paid card whose term has not ended is refunded
    (``holding_status``, ``price_kind`` say what it is): a lapsed card was there for its whole
    term, a refunded one was returned, a free card has nothing to return."""

    code = "cards.not_refundable"
    title = "Holding cannot be refunded"


class CardUsed(Conflict):
    """A benefit of the holding was consumed, so it is no longer refundable: ``coupons_redeemed``
    of its monthly coupons were redeemed and ``orders`` orders (not fully refunded) were paid
    while it was valid (see docs/benefit-cards.md, "Refunds")."""

    code = "cards.used"
    title = "Card already used"
