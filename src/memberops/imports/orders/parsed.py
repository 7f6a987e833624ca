"""What an order history file yields: orders with their lines, refunds, and the rows that could
not be used, in chunks that a writer can commit one at a time.

The shapes follow the order API's body (``POST /api/v1/orders``), with money already in integer
cents and times already timezone-aware, so the activity room's write service takes them as they
are. Within a chunk, refunds may name orders of the same chunk: write orders first.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from memberops.identity.normalise import IdentityKey
from memberops.imports.rows import Problem

#: Told (stage, rows done, rows in all) as reading goes on: the member import's progress shape,
#: so the CLI's progress bar drives both. ``rows in all`` counts the file's lines (an upper
#: bound when quoted cells hold line breaks); the last call says done == total.
Progress = Callable[[str, int, int], None]
READING = "Reading orders"
REFRESHING_STATS = "Refreshing member stats"


@dataclass(frozen=True, slots=True)
class ParsedLine:
    sku: str
    name: str
    category: str | None
    unit_price_cents: int
    list_price_cents: int
    quantity: int
    is_new_product: bool = False
    is_gift_wrap: bool = False

    @property
    def amount_cents(self) -> int:
        return self.unit_price_cents * self.quantity

    @property
    def list_amount_cents(self) -> int:
        return self.list_price_cents * self.quantity


@dataclass(frozen=True, slots=True)
class ParsedOrder:
    """One paid order. ``rows`` are the file rows it came from (for the error report when the
    writer refuses it); ``identities`` are normalised identity keys (imported customer ids are
    ``crm_id`` identities)."""

    external_id: str
    identities: tuple[IdentityKey, ...]
    channel: str
    store: str | None
    paid_at: datetime
    amount_cents: int
    list_amount_cents: int
    lines: tuple[ParsedLine, ...]
    rows: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ParsedRefund:
    """A refund of ``amount_cents`` against order ``order_external_id``, idempotent on
    ``refund_id`` within that order."""

    order_external_id: str
    refund_id: str
    amount_cents: int
    refunded_at: datetime
    rows: tuple[int, ...]


@dataclass(slots=True)
class Chunk:
    """What one chunk of the file gave: every row of it is in an order, a refund, or a
    problem (a row may be in several problems, one per bad cell)."""

    orders: list[ParsedOrder] = field(default_factory=list)
    refunds: list[ParsedRefund] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
