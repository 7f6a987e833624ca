"""Errors of the activity room."""

from memberops.kernel.errors import Conflict, NotFound


class OrderNotFound(NotFound):
    """No order with this external id in the tenant."""

    code = "orders.not_found"
    title = "No such order"


class OrderConflict(Conflict):
    """An order with this ``external_id`` was stored with different content; a replay must
    send exactly what was sent the first time."""

    code = "orders.conflict"
    title = "Order id already used with different content"


class RefundConflict(Conflict):
    """A refund with this ``refund_id`` was stored on the order with different content."""

    code = "refunds.conflict"
    title = "Refund id already used with different content"


class RefundExceeds(Conflict):
    """The refund would take the order's total refunded past its paid amount; ``remaining``
    is what may still be refunded, in yuan."""

    code = "orders.refund_exceeds"
    title = "Refund exceeds the amount left on the order"


class EventConflict(Conflict):
    """A behaviour event with this ``external_id`` was stored with different content."""

    code = "events.conflict"
    title = "Event id already used with different content"
