"""Errors of the stored-value room."""

from memberops.kernel.errors import Conflict, InvalidInput


class StoredValueInsufficient(Conflict):
    """The member's stored-value balance (or, for an adjustment, the part named) is below the
    amount asked for; ``balance`` is what there is and ``requested`` what was asked, both in
    yuan. Nothing was taken."""

    code = "stored_value.insufficient"
    title = "Not enough stored value"


class StoredValueOverOrder(Conflict):
    """Stored value may pay at most the order's amount; ``remaining`` (yuan) is what the order
    can still take after earlier spends. Nothing was taken."""

    code = "stored_value.over_order"
    title = "Stored value over the order's amount"


class StoredValueOrderRefunded(Conflict):
    """The order has refunds: stored value is spent on an order before any of it is refunded,
    so that what a refund gives back follows from what was spent. Nothing was taken."""

    code = "stored_value.order_refunded"
    title = "Order already refunded"


class StoredValueOrderMismatch(InvalidInput):
    """The order belongs to another member: stored value pays only its holder's orders."""

    code = "stored_value.order_mismatch"
    title = "Order of another member"
