"""Preset ``uci``: the UCI Online Retail (and Online Retail II) invoice lines.

Rules, in the order they are checked (a row gets the first that applies):

* StockCode ``B`` ("Adjust bad debt", invoices ``A…``) is an accounting entry, not a purchase:
  reported ``bad-debt adjustment, not a purchase``.
* A row without a customer id is a guest purchase: reported ``no customer``, never a member.
* One sale invoice is one order (channel ``online``, paid at its first row's time, read in
  Europe/London unless told otherwise) of its lines with quantity ≥ 1 and a price that is not
  zero; ``quantity must be above zero on a sale invoice`` and ``zero price: not a sale`` are
  reported. Prices are rounded half-even to whole pence (the file has four £0.001 lines, which
  so become zero prices); a line costs unit price × quantity.
* Postage (``POST``, ``DOT``), carriage (``C2``), manual (``M``), fee and sample lines on a sale
  invoice are charges the customer paid: they stay lines of the order, with a category naming
  what they are, so spend includes them.
* A ``C…`` invoice is a cancellation: each line (quantity below zero) is matched to an earlier
  order by :class:`~memberops.imports.orders.ledger.Ledger`'s rule and becomes part of one
  refund per (cancellation, order), refund id = the cancellation invoice; unmatched lines are
  reported. Refunds wait until the sale invoice being read is complete, so a chunk never holds a
  refund of an order that comes in a later chunk.
* An invoice's rows must be adjacent (they are, in the published file); a customer id like
  ``12346.0`` (Online Retail II's CSV exports) is read as ``12346``.
"""

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import Decimal

import polars as pl

from memberops.identity.models import IdentityType
from memberops.imports.errors import BadMapping
from memberops.imports.orders.ledger import Ledger
from memberops.imports.orders.parsed import Chunk, ParsedLine, ParsedOrder, ParsedRefund
from memberops.imports.orders.source import TableChunk
from memberops.imports.orders.values import (
    aware_time,
    decimal_of,
    integer,
    money_text,
    rounded_cents,
)
from memberops.imports.rows import Problem

_COLUMNS: dict[str, tuple[str, ...]] = {
    "invoice": ("InvoiceNo", "Invoice"),
    "sku": ("StockCode",),
    "name": ("Description",),
    "quantity": ("Quantity",),
    "time": ("InvoiceDate",),
    "price": ("UnitPrice", "Price"),
    "customer": ("CustomerID", "Customer ID"),
}
#: StockCodes that are charges or adjustments rather than goods, and the category they get.
ADJUSTMENTS = {
    "POST": "postage",
    "DOT": "postage",
    "C2": "carriage",
    "M": "manual",
    "D": "discount",
    "S": "samples",
    "BANK CHARGES": "fee",
    "AMAZONFEE": "fee",
    "CRUK": "commission",
    "PADS": "pads",
}
BAD_DEBT = "B"


def uci_columns(headers: list[str]) -> dict[str, str]:
    """Field -> the file's column, for either layout; refuses a file missing one."""
    columns = {}
    for field_, names in _COLUMNS.items():
        found = next((h for h in headers if h.strip() in names), None)
        if found is None:
            raise BadMapping(
                f"Not a UCI Online Retail file: no {' or '.join(names)} column.",
                columns=headers,
            )
        columns[field_] = found
    return columns


@dataclass(slots=True)
class _Row:
    number: int
    invoice: str
    sku: str
    name: str
    customer: str
    quantity: int
    price_cents: int
    time: datetime


@dataclass
class _Invoice:
    invoice: str
    customer: str
    time: datetime
    rows: list[_Row] = field(default_factory=list)


def _customer(text: str) -> str:
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


class UciParser:
    """Feed it the file's chunks in order, then :meth:`finish`."""

    def __init__(self, headers: list[str], zone: tzinfo, channel: str = "online") -> None:
        self.columns = uci_columns(headers)
        self.zone, self.channel = zone, channel
        self.ledger = Ledger()
        self.sale: _Invoice | None = None
        self.cancel: _Invoice | None = None
        self.closed: set[str] = set()
        self.waiting: list[ParsedRefund] = []
        self.out = Chunk()

    def feed(self, chunk: TableChunk) -> Chunk:
        picked = chunk.frame.select(pl.col(c).alias(f) for f, c in self.columns.items())
        for number, cells in enumerate(picked.iter_rows(named=True), start=chunk.first_row):
            self._read(number, {k: (v or "").strip() for k, v in cells.items()})
        self.out.rows += chunk.frame.height
        done, self.out = self.out, Chunk()
        return done

    def finish(self) -> Chunk:
        self._close_cancel()
        self._close_sale()
        done, self.out = self.out, Chunk()
        return done

    def _fail(self, number: int, field_: str, value: str, reason: str) -> None:
        self.out.problems.append(Problem(number, self.columns[field_], value, reason))

    def _read(self, number: int, cells: dict[str, str]) -> None:
        if cells["sku"] == BAD_DEBT:
            self._fail(number, "sku", BAD_DEBT, "bad-debt adjustment, not a purchase")
            return None
        if not cells["customer"]:
            self._fail(number, "customer", "", "no customer")
            return None
        row = self._typed(number, cells)
        if row is None:
            return None
        if row.invoice.startswith("C"):
            return self._cancelled(row)
        return self._sold(row)

    def _typed(self, number: int, cells: dict[str, str]) -> _Row | None:
        try:
            quantity = integer(cells["quantity"])
        except ValueError as exc:
            self._fail(number, "quantity", cells["quantity"], str(exc))
            return None
        try:
            price = decimal_of(cells["price"])
        except ValueError as exc:
            self._fail(number, "price", cells["price"], str(exc))
            return None
        try:
            time = aware_time(cells["time"], self.zone)
        except ValueError as exc:
            self._fail(number, "time", cells["time"], str(exc))
            return None
        return self._checked(number, cells, quantity, price, time)

    def _checked(
        self, number: int, cells: dict[str, str], quantity: int, price: Decimal, time: datetime
    ) -> _Row | None:
        sale = not cells["invoice"].startswith("C")
        if sale and quantity < 1:
            reason = "quantity must be above zero on a sale invoice"
            self._fail(number, "quantity", cells["quantity"], reason)
            return None
        if not sale and quantity > -1:
            reason = "quantity must be below zero on a cancellation invoice"
            self._fail(number, "quantity", cells["quantity"], reason)
            return None
        cents = rounded_cents(price)
        if cents <= 0:
            reason = "zero price: not a sale" if cents == 0 else "must not be negative"
            self._fail(number, "price", cells["price"], reason)
            return None
        customer = _customer(cells["customer"])
        return _Row(
            number, cells["invoice"], cells["sku"], cells["name"], customer, quantity, cents, time
        )

    def _joined(self, open_: _Invoice | None, row: _Row) -> _Invoice | None:
        """The invoice ``row`` belongs to (the open one, or a new one), or None when the row
        cannot belong to it (reported)."""
        if open_ is not None and open_.invoice == row.invoice:
            if open_.customer != row.customer:
                reason = f"invoice {row.invoice} belongs to customer {open_.customer}"
                self._fail(row.number, "customer", row.customer, reason)
                return None
            return open_
        if row.invoice in self.closed:
            reason = f"rows of invoice {row.invoice} must be adjacent; it ended before this row"
            self._fail(row.number, "invoice", row.invoice, reason)
            return None
        return _Invoice(row.invoice, row.customer, row.time)

    def _sold(self, row: _Row) -> None:
        # A cancellation is matched before any later sale is recorded, so it only ever takes
        # back an order earlier in the file (ledger.py's rule).
        self._close_cancel()
        invoice = self._joined(self.sale, row)
        if invoice is None:
            return
        if invoice is not self.sale:
            self._close_sale()
            self.sale = invoice
        invoice.rows.append(row)
        cents = row.price_cents * row.quantity
        self.ledger.record(row.customer, row.sku, row.invoice, invoice.time, cents)

    def _close_sale(self) -> None:
        if self.sale is not None:
            self.closed.add(self.sale.invoice)
            self.out.orders.append(self._order(self.sale))
            self.sale = None
        self.out.refunds += self.waiting
        self.waiting = []

    def _order(self, invoice: _Invoice) -> ParsedOrder:
        lines = tuple(
            ParsedLine(
                sku=row.sku,
                name=row.name,
                category=ADJUSTMENTS.get(row.sku.upper()),
                unit_price_cents=row.price_cents,
                list_price_cents=row.price_cents,
                quantity=row.quantity,
            )
            for row in invoice.rows
        )
        amount = sum(line.amount_cents for line in lines)
        return ParsedOrder(
            external_id=invoice.invoice,
            identities=((IdentityType.crm_id, "", invoice.customer),),
            channel=self.channel,
            store=None,
            paid_at=invoice.time,
            amount_cents=amount,
            list_amount_cents=amount,
            lines=lines,
            rows=tuple(row.number for row in invoice.rows),
        )

    def _cancelled(self, row: _Row) -> None:
        invoice = self._joined(self.cancel, row)
        if invoice is None:
            return
        if invoice is not self.cancel:
            self._close_cancel()
            self.cancel = invoice
        invoice.rows.append(row)

    def _close_cancel(self) -> None:
        if self.cancel is None:
            return
        self.closed.add(self.cancel.invoice)
        taken: dict[str, list[_Row]] = {}
        for row in self.cancel.rows:
            order = self._match(self.cancel, row)
            if order is not None:
                taken.setdefault(order, []).append(row)
        for order, rows in taken.items():
            self.waiting.append(
                ParsedRefund(
                    order_external_id=order,
                    refund_id=self.cancel.invoice,
                    amount_cents=sum(-row.quantity * row.price_cents for row in rows),
                    refunded_at=self.cancel.time,
                    rows=tuple(row.number for row in rows),
                )
            )
        if self.sale is None:
            self.out.refunds += self.waiting
            self.waiting = []
        self.cancel = None

    def _match(self, invoice: _Invoice, row: _Row) -> str | None:
        adjustment = row.sku.upper() in ADJUSTMENTS
        order = self.ledger.match(row.customer, row.sku, invoice.time, adjustment)
        if order is None:
            reason = f"cancellation matches no earlier order of customer {row.customer}"
            self._fail(row.number, "sku", row.sku, reason)
            return None
        cents = -row.quantity * row.price_cents
        left = self.ledger.left(order)
        if cents > left:
            reason = f"refund of {money_text(cents)} exceeds what is left of order {order}"
            self._fail(row.number, "quantity", str(row.quantity), f"{reason} ({money_text(left)})")
            return None
        self.ledger.take(order, cents)
        return order
