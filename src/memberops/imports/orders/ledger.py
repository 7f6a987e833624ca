"""Which earlier order a cancellation takes back, when the file does not say.

A UCI cancellation invoice (``C…``) never names the invoice it cancels. Each cancelled line is
matched to the customer's most recent order, earlier in the file and paid no later than the
cancellation, that holds the same StockCode; an adjustment line (discount ``D``, manual ``M``,
postage, fees: codes that are charges, not goods) that finds no such order falls back to the
customer's most recent earlier order of any content. What an order has left to refund is
tracked, so refunds never exceed what was paid: a line that would go past it is reported, not
trimmed. Memory grows with (customer, StockCode) pairs and orders, never with lines.
"""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class _Paid:
    external_id: str
    paid_at: datetime


@dataclass
class Ledger:
    """The orders seen so far, by customer and by (customer, StockCode), with what each has
    left to refund."""

    _by_item: dict[tuple[str, str], _Paid] = field(default_factory=dict)
    _by_customer: dict[str, _Paid] = field(default_factory=dict)
    _left: dict[str, int] = field(default_factory=dict)

    def record(self, customer: str, sku: str, order: str, paid_at: datetime, cents: int) -> None:
        """A line of ``cents`` bought in ``order``."""
        paid = _Paid(order, paid_at)
        self._by_item[customer, sku] = paid
        self._by_customer[customer] = paid
        self._left[order] = self._left.get(order, 0) + cents

    def match(self, customer: str, sku: str, at: datetime, adjustment: bool) -> str | None:
        """The order a cancelled line at ``at`` takes back, or None."""
        paid = self._by_item.get((customer, sku))
        if paid is None and adjustment:
            paid = self._by_customer.get(customer)
        if paid is None or paid.paid_at > at:
            return None
        return paid.external_id

    def left(self, order: str) -> int:
        return self._left.get(order, 0)

    def take(self, order: str, cents: int) -> None:
        self._left[order] -= cents
