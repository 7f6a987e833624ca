"""Preset ``generic``: one row per order line, the order's fields on its first row.

Rules:

* Rows of one order (same ``order_id``) must be adjacent. Streaming keeps one order open at a
  time; an order id that comes back after another order started is reported on each such row
  (``rows of order X must be adjacent; it ended before this row``) rather than grouped across
  the file, which would hold the whole file in memory. Memory holds the ids of orders seen.
* Order fields (``paid_at``, identities, ``channel``, ``store``, ``amount``, ``list_amount``)
  are read from the order's first row; a later row may leave them blank or repeat them, and a
  different value is reported. ``amount`` defaults to the lines' unit price × quantity,
  ``list_amount`` to their list price × quantity; a line's ``list_price`` to its unit price;
  ``channel`` to the import's channel.
* Money is exact: non-negative, at most two decimals. Times without an offset are read in the
  import's timezone.
* Refund columns (``refund_id``, ``refund_amount`` > 0, ``refunded_at``) on any row of the order
  make a refund of it; a refund id given on several rows is one refund and must agree.
  Refunds may not exceed the order's amount.
* An order with any bad row is not imported at all: its bad cells are reported, and each of its
  other rows is reported as ``order X has a bad row``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TypeVar

from pydantic import ValidationError

from memberops.identity.normalise import IdentityKey, identity_key
from memberops.identity.schemas import IdentityIn
from memberops.imports.orders.parsed import Chunk, ParsedLine, ParsedOrder, ParsedRefund
from memberops.imports.orders.presets import generic_columns
from memberops.imports.orders.source import TableChunk
from memberops.imports.orders.values import (
    aware_time,
    exact_cents,
    money_text,
    positive_quantity,
)
from memberops.imports.presets import APP_FIELD, IDENTITY_FIELDS
from memberops.imports.rows import Problem, parse_channel, parse_flag
from memberops.kernel.errors import DomainError

_ORDER_FIELDS = ("paid_at", *IDENTITY_FIELDS, APP_FIELD, "channel", "store", "amount")
_ORDER_FIELDS += ("list_amount",)
_REFUND_FIELDS = ("refund_id", "refund_amount", "refunded_at")
T = TypeVar("T")


@dataclass
class _Refund:
    amount_cents: int
    refunded_at: datetime
    cells: tuple[str, ...]
    rows: list[int]


@dataclass
class _Order:
    external_id: str
    first_row: int
    cells: dict[str, str]
    rows: list[int] = field(default_factory=list)
    lines: list[ParsedLine] = field(default_factory=list)
    refunds: dict[str, _Refund] = field(default_factory=dict)
    bad_rows: set[int] = field(default_factory=set)


class GenericParser:
    """Feed it the file's chunks in order, then :meth:`finish`."""

    def __init__(self, headers: list[str], zone: tzinfo, channel: str, region: str) -> None:
        self.columns = generic_columns(headers)
        self.zone, self.channel, self.region = zone, channel, region
        self.open: _Order | None = None
        self.closed: set[str] = set()
        self.out = Chunk()

    def feed(self, chunk: TableChunk) -> Chunk:
        frame = chunk.frame.select(list(self.columns.values()))
        for number, values in enumerate(frame.iter_rows(), start=chunk.first_row):
            pairs = zip(self.columns, values, strict=True)
            self._read(number, {f: v.strip() for f, v in pairs if v and v.strip()})
        self.out.rows += chunk.frame.height
        done, self.out = self.out, Chunk()
        return done

    def finish(self) -> Chunk:
        self._close()
        done, self.out = self.out, Chunk()
        return done

    def _fail(self, number: int, field_: str, value: str, reason: str) -> None:
        column = self.columns.get(field_, "")
        self.out.problems.append(Problem(number, column, value, reason))
        if self.open is not None and number in self.open.rows:
            self.open.bad_rows.add(number)

    def _read(self, number: int, cells: dict[str, str]) -> None:
        if not cells:
            self._fail(number, "", "", "blank row")
            return None
        order_id = cells.get("order_id")
        if order_id is None:
            self._fail(number, "order_id", "", "no order id")
            return None
        if self.open is None or self.open.external_id != order_id:
            self._close()
            if order_id in self.closed:
                reason = f"rows of order {order_id} must be adjacent; it ended before this row"
                self._fail(number, "order_id", order_id, reason)
                return None
            self.open = _Order(order_id, number, cells)
        self.open.rows.append(number)
        self._same_as_first(number, cells)
        self._line(number, cells)
        self._refund(number, cells)
        return None

    def _same_as_first(self, number: int, cells: dict[str, str]) -> None:
        assert self.open is not None
        first = self.open.cells
        for field_ in _ORDER_FIELDS:
            if field_ in cells and cells[field_] != first.get(field_):
                reason = f"differs from the order's first row (row {self.open.first_row})"
                self._fail(number, field_, cells[field_], reason)

    def _parsed(
        self, number: int, cells: dict[str, str], field_: str, parse: Callable[[str], T]
    ) -> T | None:
        """``parse`` of the cell; None when it is empty or bad (reported)."""
        if field_ not in cells:
            return None
        try:
            return parse(cells[field_])
        except ValueError as exc:
            self._fail(number, field_, cells[field_], str(exc))
            return None

    def _time(self, text: str) -> datetime:
        return aware_time(text, self.zone)

    def _line(self, number: int, cells: dict[str, str]) -> None:
        assert self.open is not None
        if "sku" not in cells:
            self._fail(number, "sku", "", "no sku")
        if "unit_price" not in cells:
            self._fail(number, "unit_price", "", "no unit price")
        if "quantity" not in cells:
            self._fail(number, "quantity", "", "no quantity")
        price = self._parsed(number, cells, "unit_price", exact_cents)
        list_price = self._parsed(number, cells, "list_price", exact_cents)
        quantity = self._parsed(number, cells, "quantity", positive_quantity)
        new = self._parsed(number, cells, "is_new_product", parse_flag)
        wrap = self._parsed(number, cells, "is_gift_wrap", parse_flag)
        if number in self.open.bad_rows or price is None or quantity is None:
            return
        self.open.lines.append(
            ParsedLine(
                sku=cells["sku"],
                name=cells.get("name", ""),
                category=cells.get("category"),
                unit_price_cents=price,
                list_price_cents=price if list_price is None else list_price,
                quantity=quantity,
                is_new_product=bool(new),
                is_gift_wrap=bool(wrap),
            )
        )

    def _refund(self, number: int, cells: dict[str, str]) -> None:
        assert self.open is not None
        given = tuple(cells.get(f, "") for f in _REFUND_FIELDS)
        if not any(given):
            return
        for field_, value in zip(_REFUND_FIELDS, given, strict=True):
            if not value:
                self._fail(
                    number, field_, "", "a refund needs refund_id, refund_amount and refunded_at"
                )
        amount = self._parsed(number, cells, "refund_amount", exact_cents)
        at = self._parsed(number, cells, "refunded_at", self._time)
        if amount == 0:
            self._fail(
                number, "refund_amount", cells["refund_amount"], "a refund must be above zero"
            )
        if number in self.open.bad_rows or amount is None or at is None:
            return
        known = self.open.refunds.get(given[0])
        if known is None:
            self.open.refunds[given[0]] = _Refund(amount, at, given, [number])
        elif known.cells != given:
            reason = f"refund {given[0]} is given differently on row {known.rows[0]}"
            self._fail(number, "refund_id", given[0], reason)
        else:
            known.rows.append(number)

    def _close(self) -> None:
        order = self.open
        if order is None:
            return
        self.closed.add(order.external_id)
        parsed = self._order(order)
        self.open = None
        if parsed is None:
            self._reject(order)
            return
        self.out.orders.append(parsed)
        self.out.refunds += [
            ParsedRefund(order.external_id, refund_id, r.amount_cents, r.refunded_at, tuple(r.rows))
            for refund_id, r in order.refunds.items()
        ]

    def _reject(self, order: _Order) -> None:
        for number in order.rows:
            if number not in order.bad_rows:
                reason = f"order {order.external_id} has a bad row"
                self._fail(number, "order_id", order.external_id, reason)

    def _order(self, order: _Order) -> ParsedOrder | None:
        """The order from its first row's fields and its lines; None when those are bad."""
        cells, first = order.cells, order.first_row
        paid_at = self._parsed(first, cells, "paid_at", self._time)
        if "paid_at" not in cells:
            self._fail(first, "paid_at", "", "no payment time")
        keys = self._identities(first, cells)
        channel = self._parsed(first, cells, "channel", parse_channel) or self.channel
        amount = self._parsed(first, cells, "amount", exact_cents)
        list_amount = self._parsed(first, cells, "list_amount", exact_cents)
        if paid_at is None or not keys or order.bad_rows:
            return None
        lines = tuple(order.lines)
        amount = sum(x.amount_cents for x in lines) if amount is None else amount
        refunded = sum(r.amount_cents for r in order.refunds.values())
        if refunded > amount:
            reason = f"refunds exceed the order's amount ({money_text(amount)})"
            self._fail(first, "refund_amount", money_text(refunded), reason)
            return None
        return ParsedOrder(
            external_id=order.external_id,
            identities=keys,
            channel=channel,
            store=cells.get("store"),
            paid_at=paid_at,
            amount_cents=amount,
            list_amount_cents=(
                sum(x.list_amount_cents for x in lines) if list_amount is None else list_amount
            ),
            lines=lines,
            rows=tuple(order.rows),
        )

    def _identities(self, number: int, cells: dict[str, str]) -> tuple[IdentityKey, ...]:
        keys: list[IdentityKey] = []
        for field_, type_ in IDENTITY_FIELDS.items():
            if field_ not in cells:
                continue
            app = cells.get(APP_FIELD) if field_ == "wechat_openid" else None
            try:
                key = identity_key(
                    IdentityIn(type=type_, value=cells[field_], app=app), self.region
                )
            except ValidationError as exc:
                self._fail(number, field_, cells[field_], str(exc.errors()[0]["msg"]))
            except DomainError as exc:
                self._fail(number, field_, cells[field_], exc.detail)
            else:
                keys.append(key)
        if not keys and not any(f in cells for f in IDENTITY_FIELDS):
            self._fail(number, "", "", "no identity: fill one of the identity columns")
        return tuple(dict.fromkeys(keys))
